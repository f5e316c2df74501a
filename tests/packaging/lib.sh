# Shared helpers for the packaging tests: pass/fail counting, tool checks, logs; sourced, not run.

PASSED=${PASSED:-0}
FAILED=${FAILED:-0}
FAILURES=()

# Where logs go; one directory per run, kept after the run for inspection.
LOG_DIR=${LOG_DIR:-/tmp/wwsympa-packaging-logs}
mkdir -p "$LOG_DIR"

say() { printf '%s\n' "$*" >&2; }

pass() {
    PASSED=$((PASSED + 1))
    printf 'ok    %s\n' "$1"
}

fail() {
    FAILED=$((FAILED + 1))
    FAILURES+=("$1")
    printf 'FAIL  %s\n' "$1"
    if [ -n "${2:-}" ]; then
        printf '%s\n' "$2" | sed -n '1,40s/^/      | /p'
    fi
}

# check NAME CMD... : runs CMD (a function runs under set -e), passes when it exits 0; prints its
# output on failure. Never call check itself inside a condition: set -e would be ignored.
check() {
    local name=$1 out rc
    shift
    out=$(set -e; "$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        pass "$name"
        [ -n "${VERBOSE:-}" ] && [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/      | /'
    else
        fail "$name" "$out"
    fi
    return 0
}

# need TOOL... : true when every tool is on PATH; under CI a missing tool is a failure, elsewhere a skip.
need() {
    local tool missing=()
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ -n "${CI:-}" ]; then
        fail "tools present: ${missing[*]}" "missing under CI: ${missing[*]} (run .ci/install-deps)"
    else
        say "skip  (not installed: ${missing[*]})"
    fi
    return 1
}

summary() {
    if [ ${#FAILURES[@]} -gt 0 ]; then
        printf '\nfailed:\n'
        printf '  - %s\n' "${FAILURES[@]}"
    fi
    printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
    [ "$FAILED" -eq 0 ]
}
