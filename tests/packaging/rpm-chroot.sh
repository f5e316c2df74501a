# The .rpm installed with rpm --root into a throw-away chroot (an overlay of the cached Debian root,
# no systemd running), so its scriptlets really run: install, upgrade, erase. Sourced by run.sh.

RPM_CHROOT=""

rpm_chroot_up() {
    local rootfs=$1
    RPM_CHROOT=$(mktemp -d /tmp/wwsympa-rpm.XXXXXX)
    mkdir -p "$RPM_CHROOT/upper" "$RPM_CHROOT/work" "$RPM_CHROOT/root"
    mount -t overlay overlay \
        -o "lowerdir=$rootfs,upperdir=$RPM_CHROOT/upper,workdir=$RPM_CHROOT/work" "$RPM_CHROOT/root"
}

rpm_chroot_down() {
    [ -n "$RPM_CHROOT" ] || return 0
    umount "$RPM_CHROOT/root/proc" 2>/dev/null || true
    if umount "$RPM_CHROOT/root" 2>/dev/null || ! mountpoint -q "$RPM_CHROOT/root"; then
        rm -rf "$RPM_CHROOT"
    else
        say "rpm chroot: could not unmount $RPM_CHROOT/root"
    fi
    RPM_CHROOT=""
}

# rpmr ARGS...: rpm on the chroot; Debian's rpm warns that alien should be used, which is noise here.
rpmr() {
    local rc=0 out
    out=$(rpm --root "$RPM_CHROOT/root" "$@" 2>&1) || rc=$?
    printf '%s\n' "$out" | grep -v -e 'should not be used directly' -e 'assuming you know what you are doing' || true
    return $rc
}

rpm_in() {
    chroot "$RPM_CHROOT/root" "$@"
}

rpm_chroot_tests() {
    local rpm1=$1 rpm2=$2 r
    # 1. First install without /proc and without systemd: the scriptlets must not fail.
    check "rpm -i --nodeps (no systemd, no /proc): scriptlets succeed" rpmr -i --nodeps "$rpm1"
    check "rpm: %pre created the system user wwsympa" rpm_in sh -ec \
        'getent passwd wwsympa | grep -q ":/var/lib/wwsympa:" && getent group wwsympa >/dev/null'
    check "rpm: units, sysusers, tmpfiles, config in place" rpm_in sh -ec '
        for f in /usr/lib/systemd/system/wwsympa.socket /usr/lib/systemd/system/wwsympa.service \
                 /usr/lib/systemd/system/wwsympa-sender.service \
                 /usr/lib/systemd/system/wwsympa-lmtp.socket /usr/lib/systemd/system/wwsympa-lmtp.service \
                 /usr/lib/systemd/system/wwsympa.socket.d/50-socket-group.conf \
                 /usr/lib/systemd/system/sympasoap.socket /usr/lib/systemd/system/sympasoap.service \
                 /usr/lib/systemd/system/sympasoap.socket.d/50-socket-group.conf \
                 /usr/lib/sysusers.d/wwsympa.conf /usr/lib/tmpfiles.d/wwsympa.conf \
                 /etc/wwsympa/wwsympa.toml /etc/sysconfig/wwsympa /usr/bin/wwsympa; do
            [ -e "$f" ] || { echo "missing $f"; exit 1; }
        done'
    check "rpm: the installed binary runs (libsqlite3 resolved)" rpm_in /usr/bin/wwsympa --version
    if need systemd-analyze; then
        check "rpm layout: systemd-analyze verify prints nothing" sh -c \
            "out=\$(systemd-analyze verify --man=no --root='$RPM_CHROOT/root' wwsympa.socket wwsympa.service wwsympa@1.socket wwsympa@1.service wwsympa-sender.service wwsympa-lmtp.socket wwsympa-lmtp.service sympasoap.socket sympasoap.service 2>&1); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
        check "rpm layout: the socket's group is wwsympa (drop-in)" sh -c \
            "systemd-analyze cat-config --root='$RPM_CHROOT/root' systemd/system/wwsympa.socket.d/50-socket-group.conf | grep -qx 'SocketGroup=wwsympa'"
        check "rpm layout: exposure wwsympa.service <= 1.5" exposure_ok "$RPM_CHROOT/root" wwsympa.service
        check "rpm layout: exposure wwsympa-sender.service <= 1.5" exposure_ok "$RPM_CHROOT/root" wwsympa-sender.service
        check "rpm layout: exposure wwsympa-lmtp.service <= 1.5" exposure_ok "$RPM_CHROOT/root" wwsympa-lmtp.service
        check "rpm layout: exposure sympasoap.service <= 1.5" exposure_ok "$RPM_CHROOT/root" sympasoap.service
        check "rpm layout: the SOAP socket's group is wwsympa (drop-in)" sh -c \
            "systemd-analyze cat-config --root='$RPM_CHROOT/root' systemd/system/sympasoap.socket.d/50-socket-group.conf | grep -qx 'SocketGroup=wwsympa'"
    fi
    # 2. Upgrade with /proc mounted, as on a live system: tmpfiles creates the state directory.
    mount -t proc proc "$RPM_CHROOT/root/proc"
    check "rpm -U --nodeps (upgrade): scriptlets succeed" rpmr -U --nodeps "$rpm2"
    r=$(basename "$rpm2" .x86_64.rpm)
    check "rpm: upgraded to ${r#wwsympa-}" sh -c "rpm --root '$RPM_CHROOT/root' -q wwsympa 2>/dev/null | grep -qx '${r}.x86_64'"
    check "rpm: %post tmpfiles made /var/lib/wwsympa (wwsympa 0700)" rpm_in sh -ec \
        '[ "$(stat -c "%U %G %a" /var/lib/wwsympa)" = "wwsympa wwsympa 700" ]'
    check "rpm: the service user can create a list" rpm_in sh -ec \
        'runuser -u wwsympa -- wwsympa list create rpm-probe --subject "RPM probe" && runuser -u wwsympa -- wwsympa list ls | grep -q "^rpm-probe"'
    # 3. Erase: files gone, data and user kept.
    check "rpm -e: scriptlets succeed" rpmr -e --nodeps wwsympa
    check "rpm -e: files gone, /var/lib/wwsympa and the user kept" rpm_in sh -ec '
        [ ! -e /usr/bin/wwsympa ] && [ ! -e /usr/lib/systemd/system/wwsympa.service ]
        [ -f /var/lib/wwsympa/wwsympa.db ] && getent passwd wwsympa >/dev/null'
    umount "$RPM_CHROOT/root/proc"
}
