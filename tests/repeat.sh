#!/usr/bin/env bash
# Runs the whole suite N times in a row (default 20) the way `make test` does, and reports each run:
#
#   tests/repeat.sh [N] [BUILD_DIR]        (BUILD_DIR defaults to build)
#
# Every run is ctest inside tests/with_display.sh (one fresh Xvfb per run). Stops at nothing: all N
# runs happen, and the summary lists the runs that failed, with the failing tests and whether the
# display failed to start (exit 125, not a test result). Logs: $BUILD_DIR/repeat-logs/run-K.log.
# Exit status 0 only when every run passed.
set -u
runs=${1:-20}
build=${2:-build}
jobs=${JOBS:-$(nproc)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
logs=$build/repeat-logs
mkdir -p "$logs"
failed_runs=()
for k in $(seq 1 "$runs"); do
    start=$(date +%s)
    (cd "$build" && "$here/with_display.sh" -- ctest --output-on-failure -j "$jobs") > "$logs/run-$k.log" 2>&1
    status=$?
    summary=$(grep -E 'tests passed|tests failed' "$logs/run-$k.log" | tail -1)
    if [ "$status" -eq 0 ]; then
        echo "run $k/$runs: ok   ($(( $(date +%s) - start )) s) $summary"
    elif [ "$status" -eq 125 ]; then
        echo "run $k/$runs: DISPLAY START-UP FAILURE (not a test result)"
        failed_runs+=("$k (display)")
    else
        echo "run $k/$runs: FAIL ($(( $(date +%s) - start )) s) $summary"
        grep -E '^\s+[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception|Not Run)\)' "$logs/run-$k.log" | sed 's/^/    /'
        failed_runs+=("$k")
    fi
done
echo "== $((runs - ${#failed_runs[@]})) of $runs runs passed${failed_runs[*]:+; failed: ${failed_runs[*]}}"
[ ${#failed_runs[@]} -eq 0 ]
