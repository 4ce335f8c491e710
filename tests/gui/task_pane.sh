#!/usr/bin/env bash
# Issue 21: teaching from a 1280x720 projector. What Hint, Solve, Reset and an edit produce comes
# into view by itself in the task pane (the probe's d['visible'] says whether an item is wholly in
# view in its panel and on screen), and a new task starts at its prompt, in the task pane and in the
# Vectors panel. Runs in presentation mode with Ctrl+= twice, in English and in Chinese.
# Usage: task_pane.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

visible() { echo "d['visible'].get('$1', False)"; }
where() { echo "(d['items'].get('$1'), d['visible'].get('$1'))"; }

for lang in en zh; do
  start_app --no-autosave --presentation --zoom 2 --lang "$lang" --pack temperature-masks --exercise 2.1.1
  check "$lang: task 2.1.1 of temperature-masks is selected" "d['selected_task'] == '2.1.1'" "d['selected_task']"
  click hint
  check "$lang: after Hint, hint 1 is in view" "$(visible 'hint 1')" "$(where 'hint 1')"
  click hint
  check "$lang: after Hint again, hint 2 is in view" "$(visible 'hint 2')" "$(where 'hint 2')"
  click solve
  check "$lang: after Solve, the explanation is in view" "$(visible explanation)" "$(where explanation)"
  click reset
  check "$lang: after Reset, 'not answered' is in view" "$(visible 'task problem')" "$(where 'task problem')"
  click solve
  wait_for "$(visible explanation)"
  xdotool key Next
  check "$lang: Page Down selects 2.1.2" "d['selected_task'] == '2.1.2'" "d['selected_task']"
  check "$lang: and its prompt is in view (the pane starts at the top)" "$(visible 'task prompt')" "$(where 'task prompt')"
  stop_app
done

# An edit brings the live diagnosis into view (the notebook's 1.2.1, typed |q| too short). At zoom
# +2 the Vectors panel is a tab behind the heatmaps: this part runs at the projector's plain size.
# "Open folder" in an export's toast runs this instead of xdg-open: it records the folder.
printf '#!/bin/sh\nprintf %%s "$1" > "%s/opened-folder"\n' "$work" > "$work/fake-open"
chmod +x "$work/fake-open"
export ATTNLAB_OPEN_COMMAND="$work/fake-open"
start_app --no-autosave --presentation --exercise 1.2.1
click solve
wait_for "$(visible explanation)"
type_into "q length" "0.5"
check "an edit brings the live diagnosis into view" "$(visible diagnosis)" "$(where diagnosis)"
# The Vectors panel starts each task at the top: scrolled down to the keys on 1.2.1, Page Down
# shows 1.2.2's query sliders, not the keys at the old scroll position.
xdotool mousemove $(center "q[0]")
for _ in 1 2 3 4 5 6 7 8 9 10; do xdotool click 5; sleep 0.05; done
check "the wheel scrolls the Vectors panel past the query" "not $(visible 'q[0]')" "$(where 'q[0]')"
xdotool key Next
check "Page Down: the Vectors panel shows the queries of 1.2.2 from the top" \
  "d['selected_task'] == '1.2.2' and $(visible 'q0[0]')" "$(where 'q0[0]')"
# The first slider's tooltip stays inside the window (at this text size it ran off the left edge).
xdotool mousemove $(center "q0[0]")
check "the first query slider's tooltip is wholly inside the window" \
  "'slider tooltip' in d['items'] and d['items']['slider tooltip'][0] >= 0 and d['items']['slider tooltip'][1] >= 0 and d['items']['slider tooltip'][0] + d['items']['slider tooltip'][2] <= d['window'][0]" \
  "(d['items'].get('slider tooltip'), d['window'])"
xdotool mousemove 5 5
# A toast wraps over the corner panel (the geometry view), not over the output and target numbers
# beside it, and the export says where the file went in full.
xdotool key ctrl+e
dialog_enter ""
apart="(lambda a, b: a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1])"
check "the export's toast names the file by its full path" \
  "any(t == 'Exported answers to $work/answers.py' for t in d['toasts'])" "d['toasts']"
check "the toast leaves Output vs target's numbers uncovered" \
  "'toast 0' in d['items'] and 'numbers 0' in d['items'] and $apart(d['items']['toast 0'], d['items']['numbers 0'])" \
  "(d['items'].get('toast 0'), d['items'].get('numbers 0'))"
click "toast open folder"
for _ in $(seq 30); do [ -s "$work/opened-folder" ] && break; sleep 0.1; done
if [ "$(cat "$work/opened-folder" 2>/dev/null)" = "$work" ]; then ok "the toast's Open folder opens the folder the answers went to"
else not_ok "the toast's Open folder opens the folder the answers went to ($(cat "$work/opened-folder" 2>/dev/null))"; fi
stop_app

# The geometry view on a 1280x720 projector is at least a third of its column (the right one,
# right of the left splitter), wide and tall, in both languages: on 2.2.3 (eight queries: a row
# picker in its header) and on 2.1.1 (captions folded into its (?)).
for lang in en zh; do
  for task in 2.2.3 2.1.1; do
    ATTNLAB_PROBE="$work/geometry.json" "$binary" --no-autosave --presentation --size 1280x720 --lang "$lang" \
      --pack temperature-masks --exercise "$task" --solve --screenshot "$work/geometry.png" > /dev/null 2>&1
    if python3 - "$work/geometry.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
canvas, splitter = d["items"]["geometry canvas"], d["items"]["splitter left"]
column = d["window"][0] - (splitter[0] + splitter[2] / 2)
print("# geometry view %dx%d px, column %d px" % (canvas[2], canvas[3], column))
sys.exit(0 if min(canvas[2], canvas[3]) >= column / 3 else 1)
PY
    then ok "$lang $task: the geometry view is at least a third of its column"
    else not_ok "$lang $task: the geometry view is at least a third of its column"; fi
  done
done
# A line cut by the task box's bottom edge fades out ("more below") instead of showing as half a
# line (1366x768 presentation, 2.2.3: "You edit: query223 ..."); a text that fits has no fade.
fade_of() {
  ATTNLAB_PROBE="$work/fade.json" "$binary" --no-autosave "$@" --screenshot "$work/fade.png" > /dev/null 2>&1
  python3 -c "import json, sys; print('task text fade' in json.load(open(sys.argv[1]))['items'])" "$work/fade.json"
}
[ "$(fade_of --presentation --size 1366x768 --pack temperature-masks --exercise 2.2.3)" = True ] &&
  ok "a task text that goes on below its box fades out at the edge" || not_ok "a task text that goes on below its box fades out at the edge"
# A screenshot for slides leaves out the toasts (grading a class says "Graded 30 hand-ins in ...",
# which covered the Class window's table); the window keeps them.
ATTNLAB_PROBE="$work/shot.json" "$binary" --no-autosave --presentation --size 1280x720 --grade "$here/../fixtures/class/hand-ins" \
  --screenshot "$work/class.png" > /dev/null 2>&1
python3 -c "import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d['toasts'] and not any(k.startswith('toast') for k in d['items']) else 1)" "$work/shot.json" &&
  ok "a screenshot leaves the toasts out, the window keeps them" || not_ok "a screenshot leaves the toasts out, the window keeps them"
[ "$(fade_of --size 1920x1080 --exercise 1.2.1)" = False ] &&
  ok "a task text that fits its box has no fade" || not_ok "a task text that fits its box has no fade"
summary
