#!/usr/bin/env bash
# Installs the build into a temporary prefix and checks that the installed attnlab runs and finds
# its installed assets (not the source tree's). Usage: smoke.sh BUILD_DIR
set -u
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
export HOME=$prefix/home XDG_STATE_HOME=$prefix/state XDG_CONFIG_HOME=$prefix/config
passed=0 failed=0
t() { if eval "$2"; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }

t "cmake --install succeeds" "cmake --install '$build' --prefix '$prefix' > '$prefix/install.log' 2>&1"
t "binary installed" "[ -x '$prefix/bin/attnlab' ]"
t "exercises installed" "[ -f '$prefix/share/attnlab/exercises/notebook.json' ]"
t ".desktop entry installed" "grep -q '^Exec=attnlab' '$prefix/share/applications/attnlab.desktop'"
t "icon installed" "[ -f '$prefix/share/icons/hicolor/128x128/apps/attnlab.png' ]"
t "capture script installed beside the exercises" "[ -f '$prefix/share/attnlab/capture/capture_attention.py' ]"
t "trained model's capture and its training script installed" "[ -f '$prefix/share/attnlab/capture/tiny-lm.safetensors' ] && [ -f '$prefix/share/attnlab/capture/train_tiny_lm.py' ]"
t "the installed capture opens" "'$prefix/bin/attnlab' tensors info '$prefix/share/attnlab/capture/tiny-lm.safetensors' | grep -q 'layers 2, heads 4'"
t "--version runs" "'$prefix/bin/attnlab' --version | grep -q '^attnlab [0-9]'"
t "finds the installed assets" "'$prefix/bin/attnlab' --print-paths | grep -qx \"assets      $prefix/bin/../share/attnlab\""
t "settings live in the XDG config directory" "'$prefix/bin/attnlab' --print-paths | grep -qx \"config      $prefix/config/attnlab\""
t "solves from the installed tree" "'$prefix/bin/attnlab' solve --format json | grep -q '\"pass\": true'"
if [ -n "${DISPLAY:-}" ]; then
  t "renders a screenshot from the installed tree" "'$prefix/bin/attnlab' --screenshot '$prefix/shot.png' --exercise 1.2.1 --solve > /dev/null && [ -s '$prefix/shot.png' ]"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
