# The packaging stage: builds the .deb and .rpm, runs the cheap gates, the deployment consistency
# test, the .deb end to end under systemd-nspawn and the .rpm in a chroot; last line "N passed, N failed".
#
# Usage: bash tests/packaging/run.sh        (root; under CI a missing tool is a failure)
# Env:   WWSYMPA_TEST_ROOTFS  cached Debian 12 root (default /var/cache/wwsympa-tests/bookworm)
#        LOG_DIR              logs (default /tmp/wwsympa-packaging-logs)
#        VERBOSE=1            print the output of passing checks too
set -uo pipefail
cd "$(dirname "$0")/../.."
HERE=tests/packaging
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=container.sh
. "$HERE/container.sh"
# shellcheck source=gates.sh
. "$HERE/gates.sh"
# shellcheck source=deb-e2e.sh
. "$HERE/deb-e2e.sh"
# shellcheck source=mail-e2e.sh
. "$HERE/mail-e2e.sh"
# shellcheck source=rpm-chroot.sh
. "$HERE/rpm-chroot.sh"

STARTED=$(date +%s)
OUT=target/packaging
TMP=$(mktemp -d /tmp/wwsympa-packaging.XXXXXX)
ROOTFS=${WWSYMPA_TEST_ROOTFS:-/var/cache/wwsympa-tests/bookworm}
export CARGO_TERM_COLOR=never

cleanup() {
    ct_teardown
    rpm_chroot_down
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

phase() {
    printf '\n== %s (%ss)\n' "$1" "$(($(date +%s) - STARTED))"
}

# --- build -----------------------------------------------------------------------------------
phase "build"
mkdir -p "$OUT/rpm/release"
rm -f "$OUT"/*.deb "$OUT"/*.rpm
DEB1="" DEB2="" RPM1="" RPM2=""
if need cargo-deb; then
    if cargo deb --locked -o "$OUT/" >"$LOG_DIR/cargo-deb.log" 2>&1; then
        DEB1=$(ls "$OUT"/wwsympa_*_amd64.deb)
        V1=$(dpkg-deb -f "$DEB1" Version)
        # The "newer build" for the upgrade test: the same binary, the next Debian revision.
        V2="${V1%-*}-$((${V1##*-} + 1))"
        cargo deb --no-build --deb-version "$V2" -o "$OUT/" >>"$LOG_DIR/cargo-deb.log" 2>&1 &&
            DEB2="$OUT/wwsympa_${V2}_amd64.deb"
    fi
    check "cargo deb builds $(basename "${DEB1:-wwsympa.deb}") and ${V2:-the upgrade}" \
        sh -c "[ -f '${DEB1:-/nonexistent}' ] && [ -f '${DEB2:-/nonexistent}' ] || { tail -20 '$LOG_DIR/cargo-deb.log'; exit 1; }"
fi
if need cargo-generate-rpm strip && [ -f target/release/wwsympa ]; then
    # cargo-generate-rpm does not strip: package a stripped copy (its target/release/ prefix
    # resolves under --target-dir).
    strip -o "$OUT/rpm/release/wwsympa" target/release/wwsympa
    if cargo generate-rpm --target-dir "$OUT/rpm" -o "$OUT/" >"$LOG_DIR/cargo-generate-rpm.log" 2>&1 &&
        cargo generate-rpm --target-dir "$OUT/rpm" -o "$OUT/" -s 'release = "2"' >>"$LOG_DIR/cargo-generate-rpm.log" 2>&1; then
        RPM1=$(ls "$OUT"/wwsympa-*-1.*.rpm)
        RPM2=$(ls "$OUT"/wwsympa-*-2.*.rpm)
    fi
    check "cargo generate-rpm builds $(basename "${RPM1:-wwsympa.rpm}") and release 2" \
        sh -c "[ -f '${RPM1:-/nonexistent}' ] && [ -f '${RPM2:-/nonexistent}' ] || { cat '$LOG_DIR/cargo-generate-rpm.log'; exit 1; }"
fi

# --- cheap gates -----------------------------------------------------------------------------
phase "gates"
if [ -n "$DEB1" ] && [ -n "$RPM1" ]; then
    gates "$DEB1" "$RPM1" "$TMP"
fi
check "consistency: units, configs and defaults agree (cargo test --test it deployment)" \
    sh -c "cargo test --locked --test it deployment >'$LOG_DIR/deployment-test.log' 2>&1 || { tail -40 '$LOG_DIR/deployment-test.log'; exit 1; }"

# --- the .deb under a real systemd ------------------------------------------------------------
phase "rootfs"
HAVE_ROOT=""
if [ "$(id -u)" != 0 ]; then
    if [ -n "${CI:-}" ]; then fail "running as root" "the container and chroot tests need root"; else say "skip  (not root: no container or chroot tests)"; fi
elif need debootstrap systemd-nspawn nsenter chroot mount flock; then
    rootfs_started=$(date +%s)
    if ROOTFS=$(bash "$HERE/rootfs.sh" "$ROOTFS" 2>"$LOG_DIR/rootfs.log"); then
        pass "Debian 12 root at $ROOTFS ($(($(date +%s) - rootfs_started)) s; cached when its stamp matches)"
        HAVE_ROOT=1
        # Others may rebuild the root only when no run uses it.
        exec 8<"$(dirname "$ROOTFS")/.lock"
        flock -s 8
    else
        fail "Debian 12 root at $ROOTFS" "$(tail -30 "$LOG_DIR/rootfs.log")"
    fi
fi

phase "deb end to end (systemd-nspawn)"
if [ -n "$HAVE_ROOT" ] && [ -n "$DEB2" ]; then
    cp "$DEB1" "$DEB2" "$TMP/"
    chmod 755 "$TMP"
    boot_started=$(date +%s%N)
    if ct_boot "$ROOTFS" "$TMP"; then
        pass "container booted (systemd PID 1, private network) in $((($(date +%s%N) - boot_started) / 1000000)) ms"
        deb_e2e "$DEB1" "$DEB2" "$V2"
        if [ "$FAILED" -gt 0 ]; then
            ct journalctl -b --no-pager >"$LOG_DIR/journal.txt" 2>&1 || true
            say "      (container journal in $LOG_DIR/journal.txt)"
        fi
    else
        fail "container booted" "$(tail -20 "$LOG_DIR/console.log")"
    fi
    ct_teardown
fi

phase "rpm in a chroot"
if [ -n "$HAVE_ROOT" ] && [ -n "$RPM2" ] && need rpm; then
    if rpm_chroot_up "$ROOTFS"; then
        rpm_chroot_tests "$RPM1" "$RPM2"
    else
        fail "overlay chroot for rpm --root"
    fi
    rpm_chroot_down
fi

phase "done"
say "logs in $LOG_DIR; total $(($(date +%s) - STARTED)) s"
summary
