#!/usr/bin/env bash
# Drives the real attnlab window with xdotool (real X input events through GLFW) and checks
# what the app reports in its probe file (ATTNLAB_PROBE, see app/probe.h).
# Usage: drive_window.sh BINARY   (needs an X display: ctest runs under xvfb-run -a)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

"$binary" --size 1280x720 > "$work/app.log" 2>&1 &
app=$!
check "window starts on the notebook data with every panel" "d.get('selected_task') == '1.2.1' and 'solve' in d['items']" "d"
window=$(xdotool search --sync --name '^attnlab' | head -1)
xdotool windowmove "$window" 0 0 2>/dev/null
sleep 0.3

click "task 1.3.2"
check "clicking task 1.3.2 selects it" "d['selected_task'] == '1.3.2'" "d['selected_task']"

click "solve"
check "Solve on 1.3.2: weights row ≈ [0.5, 0.5, 0, 0]" \
  "all(abs(a - b) < 1e-6 for a, b in zip(d['weights'][0], [0.5, 0.5, 0, 0]))" "d['weights']"
check "Solve on 1.3.2: the task passes far below 0.05" \
  "[c for c in d['checks'] if c['id'] == '1.3.2'][0]['pass'] and [c for c in d['checks'] if c['id'] == '1.3.2'][0]['max_abs_diff'] < 1e-5" "d['checks']"
solved=$(probe "d['queries'][0]")

# Drag the slider of the query's first component to the right.
read -r x y <<< "$(center 'q[0]')"
before=$(probe "d['queries'][0][0]")
xdotool mousemove "$x" "$y" mousedown 1 mousemove $((x + 10)) "$y" sleep 0.1 mousemove $((x + 40)) "$y" sleep 0.1 mouseup 1
check "dragging the q[0] slider changes the query" "d['queries'][0][0] > $before + 1" "d['queries']"
check "the moved query breaks 1.3.2's check live" "not [c for c in d['checks'] if c['id'] == '1.3.2'][0]['pass']" "d['checks']"

xdotool key ctrl+z
check "Ctrl+Z restores the solved query exactly" "d['queries'][0] == $solved" "d['queries']"

click "task 1.4.2"
check "1.4.2 shows 1.3.2's query" "d['selected_task'] == '1.4.2' and d['queries'][0] == $solved" "d['queries']"
click "solve"
check "Solve on 1.4.2 passes with the solved 1.3.2 query" "[c for c in d['checks'] if c['id'] == '1.4.2'][0]['pass']" "d['checks']"

# Shrink 1.3.2's query by typing an exact length (Ctrl+click on the length slider).
click "task 1.3.2"
wait_for "d['selected_task'] == '1.3.2'"
read -r x y <<< "$(center 'q length')"
xdotool mousemove "$x" "$y" keydown ctrl click 1 keyup ctrl
sleep 0.3
xdotool key ctrl+a
xdotool type --delay 30 "3"
xdotool key Return
check "typing |q| = 3 for 1.3.2 shortens the query" "abs(sum(v * v for v in d['queries'][0]) ** 0.5 - 3) < 1e-3" "d['queries']"
check "1.4.2's status follows the changed 1.3.2 query" "not [c for c in d['checks'] if c['id'] == '1.4.2'][0]['pass']" "d['checks']"

# Drag the border between the exercises and the vectors 100 px to the right.
read -r x y <<< "$(center 'splitter left')"
width=$(probe "d['items']['task 1.2.1'][2]")
xdotool mousemove "$x" "$y"; sleep 0.2
xdotool mousedown 1; sleep 0.2
xdotool mousemove $((x + 20)) "$y"; sleep 0.2
xdotool mousemove $((x + 100)) "$y"; sleep 0.2
xdotool mouseup 1
check "dragging a panel border widens the exercise list" "abs(d['items']['task 1.2.1'][2] - ($width + 100)) < 3" "d['items']['task 1.2.1']"

xdotool key F12
check "F12 saves a screenshot and says where" "any('Screenshot saved' in t for t in d['toasts'])" "d['toasts']"
if ls "$work"/attnlab_*.png > /dev/null 2>&1; then ok "the screenshot file exists"; else not_ok "the screenshot file exists"; fi

xdotool key ctrl+q
for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$app" 2>/dev/null; then
  not_ok "Ctrl+Q quits"
else
  wait "$app"
  status=$?
  if [ "$status" -eq 0 ]; then ok "Ctrl+Q quits cleanly (exit 0)"; else not_ok "Ctrl+Q quits cleanly (exit $status)"; sed -n 1,40p "$work/app.log"; fi
fi
if python3 -c "import json,sys; d=json.load(open('$work/state/attnlab/autosave.json')); sys.exit(0 if d['selected_task']=='1.3.2' else 1)"; then
  ok "the session is autosaved on exit"
else
  not_ok "the session is autosaved on exit"
fi

summary
