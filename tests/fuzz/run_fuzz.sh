#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang, ASan + UBSan), replays every checked-in corpus
# file (the regression inputs included), then fuzzes each target for SECONDS, JOBS at a time.
#
# usage: tests/fuzz/run_fuzz.sh [SECONDS] [JOBS]        (defaults: $FUZZ_SECONDS or 600, 2)
#   BUILD_FUZZ=dir    build directory (default build-fuzz)
#   FUZZ_APP=ON       also build the app, for targets that draw with the real panels
# New interesting inputs go to $BUILD_FUZZ/fuzz-new/<target>/ (the checked-in corpus is only
# read); a finding leaves its input in $BUILD_FUZZ/fuzz-artifacts/ and makes the script exit 1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_EACH=${1:-${FUZZ_SECONDS:-600}}
JOBS=${2:-2}
BUILD=${BUILD_FUZZ:-build-fuzz}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
HERE="$ROOT/tests/fuzz"

CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATTN_FUZZ=ON \
    -DATTN_BUILD_TESTS=OFF -DATTN_BUILD_APP="${FUZZ_APP:-OFF}" >/dev/null
cmake --build "$BUILD" -j "$JOBS"
mapfile -t TARGETS < <(grep -v '^$' "$BUILD/fuzz_targets.txt")
ARTIFACTS="$BUILD/fuzz-artifacts"
mkdir -p "$ARTIFACTS"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 1. Replay: every corpus file once (-runs=0 runs the given inputs and stops).
for t in "${TARGETS[@]}"; do
    corpus="$HERE/corpus/$t"
    [ -d "$corpus" ] || { echo "fuzz: $t has no corpus in tests/fuzz/corpus/$t" >&2; exit 1; }
    echo "== replay $t ($(ls "$corpus" | wc -l) files)"
    "$BUILD/bin/$t" -runs=0 -artifact_prefix="$ARTIFACTS/$t-" "$corpus" 2>"$BUILD/replay-$t.log" ||
        { tail -30 "$BUILD/replay-$t.log" >&2; echo "fuzz: $t fails on its corpus" >&2; exit 1; }
done

# 2. Fuzz each target for SECONDS_EACH, JOBS at a time.
fuzz_one() {
    local t=$1 new="$BUILD/fuzz-new/$1" dict="$HERE/$1.dict"
    mkdir -p "$new"
    local args=(-max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048
                -artifact_prefix="$ARTIFACTS/$t-" -print_final_stats=1)
    [ -f "$dict" ] && args+=(-dict="$dict")
    if "$BUILD/bin/$t" "${args[@]}" "$new" "$HERE/corpus/$t" >"$BUILD/fuzz-$t.log" 2>&1; then
        echo "ok - $t: $(grep -m1 'stat::number_of_executed_units' "$BUILD/fuzz-$t.log" | awk '{print $2}') runs in ${SECONDS_EACH} s"
    else
        echo "not ok - $t: finding, see $BUILD/fuzz-$t.log and $ARTIFACTS/"
        grep -m5 -E 'ERROR|assertion|SUMMARY' "$BUILD/fuzz-$t.log" || true
        return 1
    fi
}
export -f fuzz_one
export BUILD HERE ARTIFACTS SECONDS_EACH
printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'fuzz_one "$@"' _ {}
