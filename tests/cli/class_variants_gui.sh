#!/usr/bin/env bash
# The Class window grades a class of variants (issue 22): with a pack open (`--pack P --grade DIR`,
# as after File → Open course pack… then File → Grade a folder…) each student is graded against
# their own variant, the student ID being the folder or file name; without, against the notebook.
# Read back through the probe of a headless render. Needs an X display (ctest's GUI environment).
# usage: tests/cli/class_variants_gui.sh BINARY SOURCE_DIR
set -u
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
display=${DISPLAY-}
cli_test_begin "$1" "$2" class-variants-gui
export DISPLAY=$display
export HOME="$T/home"
mkdir -p "$HOME"
class_probe() {  # class_probe NAME ARGS...: the probe's "class" object of a headless render
    local name=$1
    shift
    rm -f "$T/probe.json"
    if ! ATTNLAB_PROBE="$T/probe.json" timeout 120 "$BIN" --no-autosave --screenshot "$T/shot.png" --size 1280x720 "$@" \
        >"$T/out" 2>"$T/err"; then
        not_ok "$name" "exit $?: $(head -c 300 "$T/err")"
        return 1
    fi
    python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["class"], sort_keys=True))' "$T/probe.json"
}
want='"passed_per_task": {"2.1.1": 3, "2.1.2": 3, "2.2.1": 3, "2.2.2": 3, "2.2.3": 3, "2.3.1": 3, "2.3.2": 3, "2.3.3": 3, "2.3.4": 3}'
got=$(class_probe "pack open" --pack temperature-masks --grade "$SRC/tests/fixtures/variants/class")
case $got in *"$want"*'"unreadable": 0'*) ok "with the pack open every student passes their own variant" ;;
    *) not_ok "with the pack open every student passes their own variant" "$got" ;; esac
got=$(class_probe "variant file open" --pack "$SRC/tests/fixtures/variants/temperature-masks-s001.json" --grade "$SRC/tests/fixtures/variants/class")
case $got in *'"2.1.2": 1'*) ok "with one student's variant open everyone is graded against it" ;;
    *) not_ok "with one student's variant open everyone is graded against it" "$got" ;; esac
got=$(class_probe "notebook" --grade "$SRC/tests/fixtures/variants/class")
case $got in *'"1.2.1": 0'*'"unreadable": 3'*) ok "with the notebook open the class is graded against the notebook" ;;
    *) not_ok "with the notebook open the class is graded against the notebook" "$got" ;; esac
cli_test_end
