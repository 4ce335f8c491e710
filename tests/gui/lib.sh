# shellcheck shell=bash
# Shared helpers for the GUI tests that drive the real window with xdotool and read the app's
# probe file (ATTNLAB_PROBE, see app/probe.h). Each script begins
#
#   set -u
#   here=$(cd "$(dirname "$0")" && pwd)
#   # shellcheck source=lib.sh
#   source "$here/lib.sh"
#   gui_test_begin "$1"
#
#   gui_test_begin BINARY set `binary` (an absolute path), make the scratch directory `work` (removed
#                         on exit, the app killed), cd into it, and point HOME, the XDG dirs and
#                         ATTNLAB_PROBE inside it
#   start_app [ARGS...]   start attnlab at 1280x720 in $work (HOME and XDG dirs inside it)
#   stop_app              Ctrl+Q, then wait; returns the exit status (kills after 5 s)
#   probe EXPR            a Python expression over the probe document `d`
#   wait_for EXPR         up to 5 s for EXPR to be true
#   check NAME EXPR SHOW  ok / not ok, printing SHOW from the probe on failure
#   click ITEM            left-click the centre of a probed item
#   type_into ITEM TEXT   Ctrl+click a slider (or click a field), select all, type TEXT, Enter
#   dialog_enter PATH     in an open path dialog, type PATH (empty: keep the offered one), Enter
#   summary               "N passed, M failed" and the exit status

passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }

app=""
gui_test_begin() {
  binary=$1
  work=$(mktemp -d)
  trap 'kill -9 "$app" 2>/dev/null; rm -rf "$work"' EXIT
  cd "$work" || exit 1
  export HOME=$work XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config ATTNLAB_PROBE=$work/probe.json
}

probe() { python3 - "$ATTNLAB_PROBE" "$1" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(eval(sys.argv[2]))
except Exception:
    print("")
PY
}
wait_for() {
  for _ in $(seq 50); do
    [ "$(probe "$1")" = "True" ] && return 0
    sleep 0.1
  done
  return 1
}
check() { if wait_for "$2"; then ok "$1"; else not_ok "$1 (probe: $(probe "$3"))"; fi; }
task_check() { echo "[c for c in d['checks'] if c['id'] == '$1'][0]"; }
center() { probe "'%d %d' % (d['items']['$1'][0] + d['items']['$1'][2] / 2, d['items']['$1'][1] + d['items']['$1'][3] / 2)"; }
click() {
  wait_for "'$1' in d['items']" || { echo "# no item '$1' to click"; return 1; }
  xdotool mousemove $(center "$1") click 1
  sleep 0.25
}
# Ctrl+click on a slider opens its text input; on a text field a plain click does.
type_into() {
  wait_for "'$1' in d['items']" || { echo "# no item '$1' to type into"; return 1; }
  # Under load X can deliver the click before Ctrl, which drags the slider instead of opening its
  # field: try again until the probe says a text field has the keyboard.
  local try
  for try in 1 2 3; do
    xdotool mousemove $(center "$1") keydown ctrl click 1 keyup ctrl
    sleep 0.3
    wait_for "d['text_input']" && break
    echo "# '$1' did not open its text field (try $try)"
  done
  # ImGui 1.86 applies typed characters before Ctrl+A within one frame: give Ctrl+A its own.
  xdotool key ctrl+a
  sleep 0.2
  xdotool type --delay 40 "$2"
  xdotool key Return
  sleep 0.3
}

# In an open path dialog: wait until its field has the keyboard (a frame after it appears), then
# replace the text with PATH (or keep the offered one when PATH is empty) and press Enter.
dialog_enter() {
  wait_for "'dialog path' in d['items'] and d['text_input']" || echo "# the path field never got the keyboard"
  sleep 0.2
  if [ -n "$1" ]; then
    xdotool key ctrl+a
    sleep 0.2
    xdotool type --delay 20 "$1"
    sleep 0.2
  fi
  xdotool key Return
  sleep 0.3
}

start_app() {
  rm -f "$ATTNLAB_PROBE"
  "$binary" --size 1280x720 "$@" >> "$work/app.log" 2>&1 &
  app=$!
  wait_for "'solve' in d['items'] or 'tab sandbox' in d['items']" || echo "# the window did not come up"
  local window
  window=$(timeout 5 xdotool search --sync --name '^attnlab' 2>/dev/null | head -1)
  [ -n "$window" ] && xdotool windowmove "$window" 0 0 2>/dev/null
  sleep 0.4
}
stop_app() {
  xdotool key ctrl+q
  for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$app" 2>/dev/null; then kill -9 "$app"; wait "$app" 2>/dev/null; return 124; fi
  wait "$app"
}
summary() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
