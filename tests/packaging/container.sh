# Boots and tears down the throw-away systemd-nspawn container of the packaging tests; sourced.
#
# ct_boot ROOTFS PKGDIR   boots ROOTFS on a tmpfs overlay (--volatile=overlay: the cached root is
#                         never modified), with its own network namespace (loopback only) and
#                         PKGDIR bound read-only at /mnt/pkg; waits until systemd is up.
# ct CMD...               runs CMD inside (nsenter into every namespace of the container's PID 1).
# ct_sh SCRIPT            runs a bash script inside.
# ct_bg SCRIPT            starts a bash script inside in the background (bounded by the caller).
# ct_teardown             powers the container off, kills what is left of it, removes its cgroups;
#                         idempotent, safe from a trap.
#
# Without a systemd PID 1 on the host, nspawn cannot register a scope, so it runs with
# --register=no --keep-unit in cgroups made here for it (see shared/reference/systemd-nspawn.md).

CT_NAME=""
CT_NSPAWN=""
CT_LEADER=""
CT_CGROUPS=()
CT_BG=()

ct_cgroup_dirs() {
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        echo "/sys/fs/cgroup/$1"
    else
        local h
        for h in systemd unified; do
            [ -d "/sys/fs/cgroup/$h" ] && echo "/sys/fs/cgroup/$h/$1"
        done
    fi
}

ct_boot() {
    local rootfs=$1 pkgdir=$2 dir i state
    CT_NAME="wwsympa-e2e-$$"
    mapfile -t CT_CGROUPS < <(ct_cgroup_dirs "$CT_NAME")
    for dir in "${CT_CGROUPS[@]}"; do mkdir -p "$dir"; done
    (
        for dir in "${CT_CGROUPS[@]}"; do echo "$BASHPID" >"$dir/cgroup.procs"; done
        exec systemd-nspawn --quiet --directory="$rootfs" --boot --register=no --keep-unit \
            --volatile=overlay --private-network --machine="$CT_NAME" \
            --bind-ro="$pkgdir:/mnt/pkg"
    ) </dev/null >"$LOG_DIR/console.log" 2>&1 &
    CT_NSPAWN=$!
    for i in $(seq 100); do
        CT_LEADER=$(pgrep -P "$CT_NSPAWN" | head -1)
        [ -n "$CT_LEADER" ] && break
        kill -0 "$CT_NSPAWN" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$CT_LEADER" ]; then
        say "container: nspawn did not start (see $LOG_DIR/console.log)"
        tail -20 "$LOG_DIR/console.log" >&2
        return 1
    fi
    for i in $(seq 300); do
        state=$(nsenter -t "$CT_LEADER" -a systemctl is-system-running 2>/dev/null) || true
        case $state in running | degraded) return 0 ;; esac
        sleep 0.1
    done
    say "container: systemd did not come up (state: ${state:-none})"
    return 1
}

ct() {
    timeout -k 5 180 nsenter -t "$CT_LEADER" -a -- "$@"
}

ct_sh() {
    ct bash -c "set -euo pipefail; $1"
}

ct_bg() {
    nsenter -t "$CT_LEADER" -a -- bash -c "set -euo pipefail; $1" </dev/null &
    CT_BG+=($!)
}

# The PIDs of PID's descendants, deepest last.
ct_descendants() {
    local child
    for child in $(pgrep -P "$1"); do
        echo "$child"
        ct_descendants "$child"
    done
}

ct_teardown() {
    local pid i dir
    [ -n "$CT_NSPAWN" ] || return 0
    # What we started inside with nsenter is not under the container's systemd, which would wait
    # 90 s for it at shutdown: kill those processes, by PID.
    for pid in "${CT_BG[@]}"; do
        # shellcheck disable=SC2046
        kill -KILL $(ct_descendants "$pid") "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    CT_BG=()
    if [ -n "$CT_LEADER" ] && kill -0 "$CT_LEADER" 2>/dev/null; then
        kill -s RTMIN+4 "$CT_LEADER" 2>/dev/null || true # systemd: poweroff
    fi
    for i in $(seq 150); do
        kill -0 "$CT_NSPAWN" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$CT_NSPAWN" 2>/dev/null; then
        say "container: still running after 15 s, killing it"
        kill -KILL "$CT_NSPAWN" 2>/dev/null || true
    fi
    wait "$CT_NSPAWN" 2>/dev/null || true
    for dir in "${CT_CGROUPS[@]}"; do
        [ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
        [ -d "$dir" ] && say "container: could not remove cgroup $dir"
    done
    # nspawn refuses to rm -rf this on a host whose /run is not a tmpfs.
    rm -rf "/run/systemd/nspawn/propagate/$CT_NAME"
    CT_NSPAWN=""
    CT_LEADER=""
}
