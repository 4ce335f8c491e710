# shellcheck shell=bash
# Shared by the command-line test scripts (pack_cli_tests.sh, hostile_cli_tests.sh): the binary
# and the source folder, a scratch folder removed on exit, no display, and the ok/not ok counters.
# cli_test_begin BINARY SOURCE_DIR NAME   sets BIN, SRC and T (the scratch folder)
# cli_test_end                            prints "N passed, M failed"; its status is the verdict
cli_test_begin() {
    BIN=$1
    SRC=$2
    T=$(mktemp -d "${TMPDIR:-/tmp}/attnlab-$3.XXXXXX") || exit 2
    trap 'rm -rf "$T"' EXIT
    unset DISPLAY WAYLAND_DISPLAY
    PASSED=0
    FAILED=0
}
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }
cli_test_end() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
