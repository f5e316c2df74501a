# Builds (once) the cached Debian 12 root filesystem the packaging tests boot with systemd-nspawn.
#
# Usage: bash tests/packaging/rootfs.sh [DIR]     (default /var/cache/wwsympa-tests/bookworm)
# Prints the directory on stdout. Reused as long as DIR/.wwsympa-stamp matches this script's
# package list; rebuilt into a temporary directory and renamed, under a lock, otherwise.
# The container must not need the network: everything the tests and the .deb's dependencies
# use is installed here.
set -euo pipefail

ROOT=${1:-${WWSYMPA_TEST_ROOTFS:-/var/cache/wwsympa-tests/bookworm}}
MIRROR=${WWSYMPA_TEST_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# debootstrap's own set: enough to boot systemd.
BASE=systemd,systemd-sysv,dbus,init-system-helpers,procps
# What the tests use inside, plus the .deb's dependencies (libc6, libgcc-s1, libsqlite3-0, systemd).
# man-db: systemd-analyze verify checks Documentation=man:wwsympa(8) with man.
# postfix: the list-mail end to end (mail-e2e.sh), preseeded "Local only", started by that test.
EXTRAS="nginx-light apache2 lighttpd curl multiwatch libfcgi-bin libsqlite3-0 libgcc-s1 iproute2 man-db postfix"
STAMP="v4 $SUITE $BASE $EXTRAS"

if [ -f "$ROOT/.wwsympa-stamp" ] && [ "$(cat "$ROOT/.wwsympa-stamp")" = "$STAMP" ]; then
    echo "$ROOT"
    exit 0
fi

mkdir -p "$(dirname "$ROOT")"
exec 9>"$(dirname "$ROOT")/.lock"
flock 9
# Someone else may have built it while we waited.
if [ -f "$ROOT/.wwsympa-stamp" ] && [ "$(cat "$ROOT/.wwsympa-stamp")" = "$STAMP" ]; then
    echo "$ROOT"
    exit 0
fi

NEW="$ROOT.new.$$"
cleanup() {
    # debootstrap and this script mount proc (and more) inside; never rm -rf through a mount.
    local mnt
    for mnt in $(awk -v p="$NEW/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r); do
        umount -l "$mnt" 2>/dev/null || true
    done
    if awk -v p="$NEW/" 'index($2, p) == 1 {found=1} END {exit !found}' /proc/mounts; then
        echo "rootfs: mounts left under $NEW, not removing it" >&2
    else
        rm -rf "$NEW" "$NEW.log"
    fi
}
trap cleanup EXIT

started=$(date +%s)
echo "rootfs: debootstrap $SUITE into $NEW (takes a minute or two)" >&2
debootstrap --variant=minbase --include="$BASE" "$SUITE" "$NEW" "$MIRROR" >"$NEW.log" 2>&1 || {
    tail -30 "$NEW.log" >&2
    exit 1
}
rm -f "$NEW.log"

# Nothing installed below may start on the host.
printf '#!/bin/sh\nexit 101\n' >"$NEW/usr/sbin/policy-rc.d"
chmod 755 "$NEW/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$NEW/etc/resolv.conf"
cat >"$NEW/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
SOURCES
mount -t proc proc "$NEW/proc"
printf 'postfix postfix/main_mailer_type select Local only\npostfix postfix/mailname string wwsympa-test.localdomain\n' |
    chroot "$NEW" debconf-set-selections
# shellcheck disable=SC2086
if ! { chroot "$NEW" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive chroot "$NEW" apt-get install -y -qq --no-install-recommends $EXTRAS; } >"$NEW.log" 2>&1; then
    tail -30 "$NEW.log" >&2
    exit 1
fi
rm -f "$NEW.log"
# The web servers would all want port 80 at boot; the tests start the one they test.
# Postfix too: the sender test's stand-in MTA takes port 25 first; mail-e2e.sh starts Postfix.
chroot "$NEW" systemctl disable -q nginx apache2 apache-htcacheclean lighttpd postfix 2>/dev/null || true
chroot "$NEW" apt-get clean
rm -rf "$NEW"/var/lib/apt/lists/*
umount "$NEW/proc"
rm -f "$NEW/usr/sbin/policy-rc.d"
echo wwsympa-test >"$NEW/etc/hostname"
: >"$NEW/etc/resolv.conf"
echo "$STAMP" >"$NEW/.wwsympa-stamp"

rm -rf "$ROOT"
mv "$NEW" "$ROOT"
trap - EXIT
echo "rootfs: built in $(($(date +%s) - started)) s: $(du -sh "$ROOT" | cut -f1)" >&2
echo "$ROOT"
