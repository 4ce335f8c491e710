#!/usr/bin/env bash
# The adaptive layout in the real window, as a teacher uses it on a 1280×720 projector:
# presentation mode, then Ctrl+= twice with real key presses. The panels that no longer fit side
# by side become tabs, the task list folds to a picker, and both work with real clicks; nothing
# the audit watches (clipped text, blank cells, overlapping labels, a button out of view) appears
# on the way, and Solve takes a real click.
# Usage: layout_window.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

no_problems="d['layout_problems'] == []"

start_app --no-autosave --presentation
check "presentation at 1280x720: heatmaps, output and geometry all in view, no tabs" \
  "not any(k.startswith('panel tab') for k in d['items']) and 'logits 0,0' in d['items']" "sorted(d['items'])[:12]"
check "presentation at 1280x720: nothing clipped" "$no_problems" "d['layout_problems']"
# The task panel is short here: its buttons stay under the task's text, never below the panel's
# edge (a click at a half-hidden Solve landed on the Vectors panel).
click "solve"
check "presentation at 1280x720: a real click on Solve solves 1.2.1 (the button is in view)" \
  "[c for c in d['checks'] if c['id'] == '1.2.1'][0]['pass']" "[c for c in d['checks'] if c['id'] == '1.2.1']"

frame=$(probe "d['frame']")
xdotool key ctrl+equal; sleep 0.4; xdotool key ctrl+equal
check "Ctrl+= twice: the right column becomes tabs" "'panel tab geometry' in d['items'] and 'panel tab output' in d['items']" \
  "sorted(k for k in d['items'] if k.startswith('panel tab'))"
check "Ctrl+= twice: the task list is folded to a picker" "'task picker' in d['items'] and 'task 1.2.2' not in d['items']" \
  "sorted(d['items'])[:12]"
check "Ctrl+= twice: nothing clipped" "$no_problems" "d['layout_problems']"

click "next task"
check "the picker's ▶ goes to the next task" "d['selected_task'] == '1.2.2'" "d['selected_task']"
click "next task"
check "and again" "d['selected_task'] == '1.2.3'" "d['selected_task']"
click "previous task"
check "◀ goes back" "d['selected_task'] == '1.2.2'" "d['selected_task']"

click "panel tab geometry"
check "the Geometry tab shows the geometry (the heatmaps' cells are gone)" \
  "'logits 0,0' not in d['items'] and d['frame'] > $frame" "sorted(d['items'])[:15]"
sleep 0.5
check "and stays selected" "'logits 0,0' not in d['items']" "sorted(d['items'])[:15]"
click "panel tab heatmaps"
check "the Heatmaps tab brings the heatmaps back" "'logits 0,0' in d['items']" "sorted(d['items'])[:15]"

click "panel tab vectors"
check "the Vectors tab shows 1.2.2's four query rows" "'q0[0]' in d['items']" "sorted(d['items'])[:20]"
type_into "q0[0]" 5
check "a value typed there reaches the heatmaps" "d['queries'][0][0] == 5" "d['queries']"
check "still nothing clipped" "$no_problems" "d['layout_problems']"

xdotool key ctrl+0
check "Ctrl+0: no tabs again, heatmaps in view" "not any(k.startswith('panel tab') for k in d['items']) and 'logits 0,0' in d['items']" \
  "sorted(k for k in d['items'] if k.startswith('panel tab'))"
stop_app
summary
