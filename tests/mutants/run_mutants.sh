#!/usr/bin/env bash
# The project's own mutation check (`make mutate`): applies each plausible one-line bug kept in
# tests/mutants/*.diff, builds, runs the tests, and prints the score and the survivors.
#
#   tests/mutants/run_mutants.sh [options] [MUTANT.diff ...]      (default: every tests/mutants/*.diff)
#     --from worktree|REV|DIR  what to mutate: the working tree as it is (default: tracked and
#                           untracked-but-not-ignored files), a commit (git archive REV), or a
#                           directory holding a source tree (copied; its build*/ folders skipped)
#     --full                ignore the per-mutant "# tests:" restriction: whole non-GUI suite
#     --keep-going          run every test for each mutant (default: stop at the first failure)
#     --jobs N              build and ctest parallelism (default 2)
#     --with-gui            also run the GUI and screenshot tests, under one private Xvfb
#                           (tests/with_display.sh); for mutants of app/ code
#     --recheck-survivors   after the fast pass, judge each survivor again against the whole suite,
#                           window tests included (a private Xvfb): a survivor of the narrow
#                           "# tests:" run that the whole suite kills is counted killed, and its
#                           "# tests:" line is reported as too narrow
#
# Never touches the live tree: the source is copied to $MUTATE_DIR (default /tmp/attnlab-mutate),
# mutated there, and every mutated file is restored from its pristine copy after each mutant,
# on Ctrl+C and on any exit. The build lives in $MUTATE_BUILD (default <repo>/build-mutate, Release),
# so later runs only recompile what a mutant touched.
#
# A mutant is a unified diff (paths a/..., b/... from the repo root) preceded by header lines:
#   # breaks: <one sentence: what the bug breaks>        (required)
#   # tests: <ctest -R regex>                           (optional: restricts the run to keep it cheap;
#                                                        naming gui_ or Screenshot tests runs them
#                                                        under a private display, for app/ mutants)
# and may have a NAME.equivalent.txt beside it: the written reason why it cannot be detected. A
# survivor with such a file is reported as equivalent, not as a survivor.
#
# Outcomes: killed (a test failed or timed out), survived (every test passed), stillborn (does not
# compile: not a plausible bug, fix the diff), stale (does not apply: refresh the diff). The score
# is killed / (killed + survived + equivalent) over the mutants that applied and compiled.
# Exit status: 0 when the score is at least $MUTATE_MIN_SCORE (default 95), 1 below it, 2 when the
# unmutated tree does not build or pass (then no mutant is judged).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${MUTATE_DIR:-/tmp/attnlab-mutate}
build=${MUTATE_BUILD:-$repo/build-mutate}
from=worktree
full=0
stop_on_failure=1
jobs=2
min_score=${MUTATE_MIN_SCORE:-95}
recheck=0
# Tests that need an X display (or install the whole tree and render) are not part of the mutation
# suite; override with MUTATE_EXCLUDE.
exclude=${MUTATE_EXCLUDE:-'^(gui_|Screenshot\.|Resource|resource_|fuzz_)'}
gui=0
mutants=()

while [ $# -gt 0 ]; do
    case $1 in
        --from) from=$2; shift 2 ;;
        --full) full=1; shift ;;
        --keep-going) stop_on_failure=0; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        --with-gui) gui=1; shift ;;
        --recheck-survivors) recheck=1; shift ;;
        -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
        -*) echo "run_mutants: unknown option $1" >&2; exit 2 ;;
        *) mutants+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift ;;
    esac
done
[ "$gui" = 1 ] && exclude=${MUTATE_EXCLUDE:-'^(fuzz_)'}
if [ ${#mutants[@]} -eq 0 ]; then
    for f in "$here"/*.diff; do [ -e "$f" ] && mutants+=("$f"); done
fi
if [ ${#mutants[@]} -eq 0 ]; then echo "run_mutants: no mutants in $here" >&2; exit 2; fi

log=$work/logs
pristine=$work/pristine
src=$work/src

# ---- the copy ---------------------------------------------------------------------------------
echo "== copying the source ($from) to $src"
incoming=$work/incoming
rm -rf "$incoming" "$pristine" "$log"
mkdir -p "$src" "$incoming" "$pristine" "$log"
if [ -d "$from" ]; then
    (cd "$from" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$incoming"
elif [ "$from" = worktree ]; then
    (cd "$repo" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
        [ -f "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$incoming"
else
    (cd "$repo" && git archive "$from") | tar -xf - -C "$incoming" || { echo "run_mutants: cannot archive $from" >&2; exit 2; }
fi
# Only files whose content changed since the last run are replaced (and so get a new mtime), so
# build-mutate recompiles what changed rather than everything.
python3 - "$incoming" "$src" <<'PY' || { echo "run_mutants: cannot update $src" >&2; exit 2; }
import filecmp, os, shutil, sys
new, old = sys.argv[1], sys.argv[2]
for root, dirs, files in os.walk(new):
    rel = os.path.relpath(root, new)
    os.makedirs(os.path.join(old, rel), exist_ok=True)
    for f in files:
        a, b = os.path.join(root, f), os.path.join(old, rel, f)
        if not os.path.isfile(b) or not filecmp.cmp(a, b, shallow=False):
            shutil.copy2(a, b)
            os.utime(b)  # newer than any object built from the old content
for root, dirs, files in os.walk(old, topdown=False):
    rel = os.path.relpath(root, old)
    for f in files:
        if not os.path.exists(os.path.join(new, rel, f)):
            os.remove(os.path.join(root, f))
PY
rm -rf "$incoming"

touched=()  # files the current mutant changed (relative paths), restored by restore()
restore() {
    local f
    for f in "${touched[@]}"; do
        # cp gives the restored file a new mtime, so the next build recompiles it.
        [ -f "$pristine/$f" ] && cp "$pristine/$f" "$src/$f"
    done
    touched=()
}
on_exit() { restore; }
trap on_exit EXIT
trap 'echo; echo "run_mutants: interrupted; the copy is restored"; exit 130' INT TERM

build_tree() {  # build_tree LOGFILE
    nice cmake --build "$build" -j "$jobs" > "$1" 2>&1
}

run_suite() {  # run_suite LOGFILE [REGEX]
    # A mutant whose "# tests:" names window tests (app/ code) gets them, under a private display.
    local with_display=$gui excluded=$exclude
    if [ -n "${2:-}" ] && [[ "$2" =~ gui_|Screenshot ]]; then with_display=1; excluded=${MUTATE_EXCLUDE:-'^(fuzz_)'}; fi
    local args=(--test-dir "$build" -j "$jobs" --timeout 300 -E "$excluded" --output-on-failure)
    [ "$stop_on_failure" = 1 ] && args+=(--stop-on-failure)
    [ -n "${2:-}" ] && args+=(-R "$2")
    if [ "$with_display" = 1 ]; then
        "$repo/tests/with_display.sh" -- nice ctest "${args[@]}" > "$1" 2>&1
    else
        # No display: the suite is the non-GUI part, whatever the caller's environment has.
        env -u DISPLAY -u WAYLAND_DISPLAY nice ctest "${args[@]}" > "$1" 2>&1
    fi
}

# ---- the baseline must build and pass ---------------------------------------------------------
echo "== configuring $build (Release)"
if ! cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$log/configure.log" 2>&1; then
    echo "run_mutants: configure failed (see $log/configure.log)"; tail -20 "$log/configure.log"; exit 2
fi
echo "== building and testing the unmutated tree"
if ! build_tree "$log/baseline-build.log"; then
    echo "run_mutants: the unmutated tree does not build (see $log/baseline-build.log)"
    grep -m5 -E 'error|Error' "$log/baseline-build.log"; exit 2
fi
start=$(date +%s)
if ! run_suite "$log/baseline-test.log"; then
    echo "run_mutants: the unmutated tree fails its tests (see $log/baseline-test.log); no mutant can be judged"
    grep -E 'Failed|\*\*\*' "$log/baseline-test.log" | head -20; exit 2
fi
echo "   baseline: $(grep -E 'tests passed' "$log/baseline-test.log") in $(( $(date +%s) - start )) s"

# ---- the mutants ------------------------------------------------------------------------------
# apply_mutant DIFF NAME: patches the copy and builds it. Returns 0 when built, 1 when the diff does
# not apply (stale), 2 when it does not compile (stillborn; the copy is restored then).
apply_mutant() {
    local m=$1 name=$2 f
    mapfile -t files < <(sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$m")
    for f in "${files[@]}"; do
        if [ ! -f "$src/$f" ]; then continue; fi
        mkdir -p "$(dirname "$pristine/$f")"
        [ -f "$pristine/$f" ] || cp -p "$src/$f" "$pristine/$f"
    done
    touched=("${files[@]}")
    if ! (cd "$src" && patch -p1 --dry-run --no-backup-if-mismatch -s < "$m") > "$log/$name.patch.log" 2>&1; then
        touched=(); return 1
    fi
    (cd "$src" && patch -p1 --no-backup-if-mismatch -s < "$m") >> "$log/$name.patch.log" 2>&1
    build_tree "$log/$name.build.log" || { restore; return 2; }
}

# The first failing test of a ctest log, or "?".
first_failure() {
    local first
    first=$(grep -m1 -oE '[0-9]+ - [^ ]+ \((Failed|Timeout|SEGFAULT|Subprocess aborted|Exception|Not Run)\)' "$1" | sed 's/^[0-9]* - //')
    echo "${first:-?}"
}

killed=0 survived=0 equivalent=0 stillborn=0 stale=0
survivors=() survivor_files=() equivalents=() broken=() too_narrow=()
i=0
for m in "${mutants[@]}"; do
    i=$((i + 1))
    name=$(basename "$m" .diff)
    breaks=$(sed -n 's/^# breaks: *//p' "$m" | head -1)
    regex=$(sed -n 's/^# tests: *//p' "$m" | head -1)
    [ "$full" = 1 ] && regex=
    printf '[%2d/%d] %-40s ' "$i" "${#mutants[@]}" "$name"
    t0=$(date +%s)
    apply_mutant "$m" "$name"; applied=$?
    if [ $applied = 1 ]; then
        stale=$((stale + 1)); broken+=("$name: does not apply (stale diff)")
        echo "STALE (does not apply)"; continue
    elif [ $applied = 2 ]; then
        stillborn=$((stillborn + 1)); broken+=("$name: does not compile")
        echo "STILLBORN (does not compile)"; continue
    fi
    if run_suite "$log/$name.test.log" "$regex"; then
        if [ -f "${m%.diff}.equivalent.txt" ]; then
            equivalent=$((equivalent + 1)); equivalents+=("$name: $(head -1 "${m%.diff}.equivalent.txt")")
            echo "equivalent  ($(( $(date +%s) - t0 )) s)"
        else
            survived=$((survived + 1)); survivors+=("$name: $breaks"); survivor_files+=("$m")
            echo "SURVIVED    ($(( $(date +%s) - t0 )) s)"
        fi
    else
        killed=$((killed + 1))
        echo "killed      ($(( $(date +%s) - t0 )) s) by $(first_failure "$log/$name.test.log")"
    fi
    restore
done

# ---- the survivors against the whole suite, window tests included --------------------------------
if [ "$recheck" = 1 ] && [ ${#survivor_files[@]} -gt 0 ]; then
    echo
    echo "== rechecking ${#survivor_files[@]} survivor(s) against the whole suite, window tests included"
    gui=1; exclude=${MUTATE_EXCLUDE:-'^(fuzz_)'}
    still=() j=0
    for m in "${survivor_files[@]}"; do
        name=$(basename "$m" .diff); j=$((j + 1))
        printf '[%2d/%d] %-40s ' "$j" "${#survivor_files[@]}" "$name"
        t0=$(date +%s)
        apply_mutant "$m" "$name.full" || { echo "cannot apply again"; still+=("${survivors[$((j - 1))]}"); continue; }
        if run_suite "$log/$name.full.test.log" ""; then
            still+=("${survivors[$((j - 1))]}"); echo "SURVIVED    ($(( $(date +%s) - t0 )) s)"
        else
            survived=$((survived - 1)); killed=$((killed + 1))
            too_narrow+=("$name: killed by $(first_failure "$log/$name.full.test.log"), which its # tests: line leaves out")
            echo "killed      ($(( $(date +%s) - t0 )) s) by $(first_failure "$log/$name.full.test.log")"
        fi
        restore
    done
    survivors=("${still[@]+"${still[@]}"}")
fi

# The copy is unmutated again; build it once more so the next run starts from a clean build.
build_tree "$log/final-build.log" || true

judged=$((killed + survived + equivalent))
echo
echo "== mutation score: $killed killed of $judged judged mutants" \
     "($survived survived, $equivalent equivalent; $stillborn stillborn, $stale stale not judged)"
score=0
[ "$judged" -gt 0 ] && score=$(( 100 * killed / judged ))
echo "   score: ${score}% (aim: ${min_score}%)"
for s in "${survivors[@]+"${survivors[@]}"}"; do echo "   SURVIVOR   $s"; done
for s in "${equivalents[@]+"${equivalents[@]}"}"; do echo "   equivalent $s"; done
for s in "${too_narrow[@]+"${too_narrow[@]}"}"; do echo "   too narrow $s"; done
for s in "${broken[@]+"${broken[@]}"}"; do echo "   not judged $s"; done
echo "   logs: $log"
[ "$score" -ge "$min_score" ] && [ "$judged" -gt 0 ]
