# The cheap packaging gates on the host: package contents and control fields, lintian, rpmlint,
# offline systemd-analyze security of every service. Sourced by run.sh (uses lib.sh).

# The .deb's files, exactly (catches cargo-deb's duplicated or renamed units and tmpfiles).
DEB_FILES='/etc/apache2/conf-available/wwsympa.conf
/etc/default/wwsympa
/etc/lighttpd/conf-available/50-wwsympa.conf
/etc/nginx/snippets/wwsympa.conf
/etc/wwsympa/wwsympa.toml
/usr/bin/wwsympa
/usr/lib/systemd/system/sympasoap.service
/usr/lib/systemd/system/sympasoap.socket
/usr/lib/systemd/system/wwsympa-lmtp.service
/usr/lib/systemd/system/wwsympa-lmtp.socket
/usr/lib/systemd/system/wwsympa-sender.service
/usr/lib/systemd/system/wwsympa-socketmap.service
/usr/lib/systemd/system/wwsympa-socketmap.socket
/usr/lib/systemd/system/wwsympa.service
/usr/lib/systemd/system/wwsympa.socket
/usr/lib/systemd/system/wwsympa@.service
/usr/lib/systemd/system/wwsympa@.socket
/usr/lib/sysusers.d/wwsympa.conf
/usr/lib/tmpfiles.d/wwsympa.conf
/usr/share/doc/wwsympa/README.md
/usr/share/doc/wwsympa/changelog.Debian.gz
/usr/share/doc/wwsympa/copyright
/usr/share/doc/wwsympa/examples/exim/wwsympa.conf
/usr/share/doc/wwsympa/examples/postfix/main.cf
/usr/share/doc/wwsympa/examples/postfix/main.cf.regexp
/usr/share/doc/wwsympa/examples/postfix/master.cf
/usr/share/lintian/overrides/wwsympa
/usr/share/man/man8/wwsympa.8.gz
/usr/share/wwsympa/static/wwsympa.css
/usr/share/wwsympa/systemd/multiwatch.conf'

RPM_FILES='/etc/sysconfig/wwsympa
/etc/wwsympa/wwsympa.toml
/usr/bin/wwsympa
/usr/lib/systemd/system/sympasoap.service
/usr/lib/systemd/system/sympasoap.socket
/usr/lib/systemd/system/sympasoap.socket.d/50-socket-group.conf
/usr/lib/systemd/system/wwsympa-lmtp.service
/usr/lib/systemd/system/wwsympa-lmtp.socket
/usr/lib/systemd/system/wwsympa-sender.service
/usr/lib/systemd/system/wwsympa-socketmap.service
/usr/lib/systemd/system/wwsympa-socketmap.socket
/usr/lib/systemd/system/wwsympa.service
/usr/lib/systemd/system/wwsympa.socket
/usr/lib/systemd/system/wwsympa.socket.d/50-socket-group.conf
/usr/lib/systemd/system/wwsympa@.service
/usr/lib/systemd/system/wwsympa@.socket
/usr/lib/systemd/system/wwsympa@.socket.d/50-socket-group.conf
/usr/lib/sysusers.d/wwsympa.conf
/usr/lib/tmpfiles.d/wwsympa.conf
/usr/share/doc/wwsympa/README.md
/usr/share/doc/wwsympa/examples/apache/wwsympa.conf
/usr/share/doc/wwsympa/examples/exim/wwsympa.conf
/usr/share/doc/wwsympa/examples/lighttpd/50-wwsympa.conf
/usr/share/doc/wwsympa/examples/nginx/wwsympa.conf
/usr/share/doc/wwsympa/examples/postfix/main.cf
/usr/share/doc/wwsympa/examples/postfix/main.cf.regexp
/usr/share/doc/wwsympa/examples/postfix/master.cf
/usr/share/man/man8/wwsympa.8
/usr/share/wwsympa/static/wwsympa.css
/usr/share/wwsympa/systemd/multiwatch.conf'

deb_contents_ok() {
    local got
    got=$(dpkg-deb --fsys-tarfile "$1" | tar -t | grep -v '/$' | sed 's|^\.||' | sort)
    diff <(echo "$DEB_FILES") <(echo "$got")
}

deb_control_ok() {
    local control
    control=$(dpkg-deb -f "$1" Package Depends Conflicts Replaces)
    echo "$control"
    echo "$control" | grep -qx 'Package: wwsympa'
    echo "$control" | grep -q '^Depends:.*libsqlite3-0'
    echo "$control" | grep -q '^Depends:.*libc6'
    echo "$control" | grep -q '^Depends:.*systemd | systemd-sysusers'
    echo "$control" | grep -qx 'Conflicts: sympa'
    echo "$control" | grep -qx 'Replaces: sympa'
    [ "$(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles | sort | tr '\n' ' ')" = \
        "/etc/apache2/conf-available/wwsympa.conf /etc/default/wwsympa /etc/lighttpd/conf-available/50-wwsympa.conf /etc/nginx/snippets/wwsympa.conf /etc/wwsympa/wwsympa.toml " ]
}

lintian_ok() {
    local out
    # Exit code: lintian fails on E and W tags here; the I/P tags are printed for the record.
    out=$(lintian -I -E --pedantic --fail-on error,warning "$1" 2>&1) || {
        echo "$out"
        return 1
    }
    echo "$out" | grep -E '^[EW]: ' && return 1
    echo "$out" >"$LOG_DIR/lintian.txt"
    return 0
}

rpm_contents_ok() {
    diff <(echo "$RPM_FILES") <(rpm -qpl "$1" 2>/dev/null | sort)
}

rpm_meta_ok() {
    local r
    r=$(rpm -qpR "$1" 2>/dev/null)
    echo "$r" | grep -qx 'libsqlite3.so.0()(64bit)'
    echo "$r" | grep -qx 'systemd'
    [ "$(rpm -qp --conflicts "$1" 2>/dev/null | sort | tr '\n' ' ')" = "sympa sympa-httpd sympa-nginx " ]
    [ "$(rpm -qp --qf '%{LICENSE}' "$1" 2>/dev/null)" = GPL-2.0-or-later ]
    # %config(noreplace) on both /etc files (rpm -qc lists config files).
    [ "$(rpm -qpc "$1" 2>/dev/null | sort | tr '\n' ' ')" = "/etc/sysconfig/wwsympa /etc/wwsympa/wwsympa.toml " ]
}

rpmlint_ok() {
    local out rc=0
    out=$(rpmlint -r rpm/wwsympa.rpmlintrc "$1" 2>&1) || rc=$?
    echo "$out" >"$LOG_DIR/rpmlint.txt"
    echo "$out" | grep -E ': [EW]: |errors,'
    [ $rc -eq 0 ] && echo "$out" | grep -q ' 0 errors,'
}

# exposure_ok ROOT UNIT: offline score <= 1.5; prints the score.
exposure_ok() {
    local out rc=0
    out=$(systemd-analyze security --offline=true --root="$1" --threshold=15 "$2" 2>&1) || rc=$?
    echo "$out" | grep 'Overall exposure'
    return $rc
}

# A root holding just the units (and optionally the multiwatch drop-in), for the offline scores.
units_root() {
    local root=$1 multiwatch=${2:-}
    rm -rf "$root"
    mkdir -p "$root/usr/lib/systemd/system" "$root/etc/systemd/system"
    cp systemd/wwsympa.socket systemd/wwsympa.service systemd/wwsympa@.socket systemd/wwsympa@.service \
        systemd/sender/wwsympa-sender.service systemd/lmtp/wwsympa-lmtp.socket systemd/lmtp/wwsympa-lmtp.service \
        systemd/socketmap/wwsympa-socketmap.socket systemd/socketmap/wwsympa-socketmap.service \
        systemd/soap/sympasoap.socket systemd/soap/sympasoap.service \
        "$root/usr/lib/systemd/system/"
    if [ -n "$multiwatch" ]; then
        mkdir -p "$root/etc/systemd/system/wwsympa.service.d"
        cp systemd/multiwatch.conf "$root/etc/systemd/system/wwsympa.service.d/"
        # The drop-in must be in effect for the score to be about it.
        systemd-analyze cat-config --root="$root" systemd/system/wwsympa.service.d/multiwatch.conf >/dev/null
    fi
}

gates() {
    local deb=$1 rpm=$2 tmp=$3
    if need dpkg-deb; then
        check "deb: exactly the expected files" deb_contents_ok "$deb"
        check "deb: control (Depends libc6, libsqlite3-0, systemd|systemd-sysusers; Conflicts/Replaces sympa; conffiles)" deb_control_ok "$deb"
    fi
    if need lintian; then
        check "lintian: no error, no warning (--pedantic)" lintian_ok "$deb"
    fi
    if need rpm; then
        check "rpm: exactly the expected files" rpm_contents_ok "$rpm"
        check "rpm: requires libsqlite3/systemd, conflicts sympa*, config(noreplace), license" rpm_meta_ok "$rpm"
    fi
    if need rpmlint; then
        check "rpmlint: no error (filters only for tags cargo-generate-rpm cannot set)" rpmlint_ok "$rpm"
    fi
    if need systemd-analyze; then
        units_root "$tmp/units"
        check "exposure wwsympa.service <= 1.5 (offline)" exposure_ok "$tmp/units" wwsympa.service
        check "exposure wwsympa@.service <= 1.5 (offline)" exposure_ok "$tmp/units" wwsympa@1.service
        check "exposure wwsympa-sender.service <= 1.5 (offline)" exposure_ok "$tmp/units" wwsympa-sender.service
        check "exposure wwsympa-lmtp.service <= 1.5 (offline)" exposure_ok "$tmp/units" wwsympa-lmtp.service
        check "exposure wwsympa-socketmap.service <= 1.5 (offline)" exposure_ok "$tmp/units" wwsympa-socketmap.service
        check "exposure sympasoap.service <= 1.5 (offline)" exposure_ok "$tmp/units" sympasoap.service
        units_root "$tmp/units-mw" multiwatch
        check "exposure wwsympa.service + multiwatch drop-in <= 1.5 (offline)" exposure_ok "$tmp/units-mw" wwsympa.service
    fi
}
