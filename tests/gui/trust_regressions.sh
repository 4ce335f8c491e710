#!/usr/bin/env bash
# Regression tests for the trust defects (issue 9) and the window's edit behaviour (issue 15),
# each reproduced through the real window: real X input with xdotool, results read back from the
# app's probe file. Every block starts the app afresh unless it needs the state before it.
# Usage: trust_regressions.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

solve_task() { click "task $1" && wait_for "d['selected_task'] == '$1'" && click solve; wait_for "$(task_check "$1")['answered']"; }

# --- 1. The Sandbox tab does not trap: Exercises is reachable, three times, slowly. ---
start_app
for round in 1 2 3; do
  click "tab sandbox"
  check "round $round: the Sandbox tab opens the sandbox" "d['mode'] == 'sandbox'" "d['mode']"
  sleep 0.5
  click "tab exercises"
  check "round $round: the Exercises tab goes back to the exercises" "d['mode'] == 'exercises'" "d['mode']"
  sleep 0.5
  check "round $round: and stays there" "d['mode'] == 'exercises'" "d['mode']"
done

# --- 10. Page Down from the Sandbox returns to the current task, not the one after it. ---
click "task 1.3.1"
click "tab sandbox"
wait_for "d['mode'] == 'sandbox'"
xdotool key Next
check "Page Down from the Sandbox returns to task 1.3.1" "d['mode'] == 'exercises' and d['selected_task'] == '1.3.1'" "(d['mode'], d['selected_task'])"

# --- issue 15: Page Up on the first task and Page Down on the last stay put. ---
click "task 1.2.1"
xdotool key Prior
sleep 0.4
check "Page Up on the first task stays on 1.2.1" "d['selected_task'] == '1.2.1'" "d['selected_task']"
click "task 1.4.3"
xdotool key Next
sleep 0.4
check "Page Down on the last task stays on 1.4.3" "d['selected_task'] == '1.4.3'" "d['selected_task']"

# --- issue 15: Solve records an undo step; Ctrl+Z removes the answer, Ctrl+Y restores it. ---
solve_task 1.2.1
check "Solve answers 1.2.1" "$(task_check 1.2.1)['pass']" "d['checks']"
solved=$(probe "d['queries'][0]")
xdotool key ctrl+z
check "Ctrl+Z after Solve removes the answer" "not $(task_check 1.2.1)['answered']" "d['checks']"
xdotool key ctrl+y
check "Ctrl+Y restores the solved answer exactly" "$(task_check 1.2.1)['pass'] and d['queries'][0] == $solved" "d['queries']"

# --- 5. Explanations belong to the answer they explain; the diagnosis follows the answer. ---
check "after Solve the explanation is shown" "d['explanation'] is not None" "d['explanation']"
xdotool key ctrl+z
check "Ctrl+Z hides the explanation of the undone answer" "d['explanation'] is None" "d['explanation']"
xdotool key ctrl+y
check "Ctrl+Y brings it back with the answer" "d['explanation'] is not None" "d['explanation']"
type_into "q length" "0.5"
check "a typed |q| hides Solve's explanation (it quoted another |q|)" "d['explanation'] is None" "d['explanation']"
check "and the live diagnosis says the short query fails and how long it must be" \
  "not $(task_check 1.2.1)['pass'] and '|q|' in d['diagnosis']" "d['diagnosis']"

# --- 7. A typed |q| of 1e30 keeps the direction; the length is capped. ---
direction="[x / sum(v * v for v in d['queries'][0]) ** 0.5 for x in d['queries'][0]]"
before=$(probe "$direction")
type_into "q length" "1e30"
check "|q| = 1e30 keeps the query's direction" \
  "all(abs(a - b) < 1e-9 for a, b in zip($direction, $before)) and abs(max(abs(x) for x in d['queries'][0]) - 1e6) < 1" \
  "d['queries']"
check "and still selects value[0]" "$(task_check 1.2.1)['pass']" "d['checks']"

# --- 8. Typing 0 into 1.3.1's query answers it. ---
click "task 1.3.1"
wait_for "d['selected_task'] == '1.3.1'"
type_into "q[0]" "0"
check "typing 0 answers 1.3.1 (and passes: all weights equal)" "$(task_check 1.3.1)['answered'] and $(task_check 1.3.1)['pass']" "d['checks']"

# --- 9. Tab order does not depend on the data: Tab from q0[2] reaches q1[0], not q1's |q|. ---
solve_task 1.2.2
q1=$(probe "d['queries'][1]")
xdotool mousemove $(center "q0[2]") keydown ctrl click 1 keyup ctrl
sleep 0.3
xdotool key ctrl+a
sleep 0.2
xdotool type --delay 40 "5"
xdotool key Tab
sleep 0.3
xdotool type --delay 40 "43"
xdotool key Return
check "Tab after q0[2] types into q1[0]" "d['queries'][0][2] == 5 and d['queries'][1][0] == 43 and d['queries'][1][1:] == $q1[1:]" "d['queries'][:2]"
stop_app

# --- 4 (and issue 15). 1.4.2's key is kept as typed, component by component, and passes. ---
start_app
solve_task 1.3.2
click "task 1.4.2"
wait_for "d['selected_task'] == '1.4.2'"
xdotool mousemove $(center "k2[0]") keydown ctrl click 1 keyup ctrl
sleep 0.3
xdotool key ctrl+a
sleep 0.2
# As a student types it: Tab selects the next component's text, so no Ctrl+A is needed.
for value in 0.694 0.719; do
  xdotool type --delay 40 "$value"; xdotool key Tab; sleep 0.3
done
xdotool type --delay 40 "0.006"; xdotool key Return
check "typing k2 = 0.694 ⇥ 0.719 ⇥ 0.006 keeps that row" "[round(x, 6) for x in d['keys'][2]] == [0.694, 0.719, 0.006]" "d['keys'][2]"
check "and 1.4.2 passes (graded on k2/|k2|, a unit key)" "$(task_check 1.4.2)['pass']" "d['checks']"
click "k0 row" >/dev/null 2>&1 || true
xdotool key ctrl+z
type_into "k2 row" "2, 2.1, 0"
check "a pasted row '2, 2.1, 0' sets k2 at once" "d['keys'][2] == [2, 2.1, 0]" "d['keys'][2]"
type_into "k2 row" "1, 2"
check "a row of the wrong length is refused with a message, the key unchanged" \
  "d['keys'][2] == [2, 2.1, 0] and any('Not a row of 3 numbers' in t for t in d['toasts'])" "(d['keys'][2], d['toasts'])"

# --- 13. A discussion question shows its demonstration and keeps notes. ---
click "task 1.4.1"; click solve
click "task 1.4.3"
check "1.4.3 shows the 1.3.2 query with the 1.4.1 key" \
  "d['selected_task'] == '1.4.3' and any(v != 0 for v in d['queries'][0]) and d['keys'][2] != [-0.03, -0.48, -0.88]" "(d['queries'], d['keys'])"
click notes
xdotool type --delay 30 "k2 joins k0 and k1"
click "task 1.4.2"
stop_app
check_file() { if python3 -c "$2" 2>/dev/null; then ok "$1"; else not_ok "$1"; fi; }
check_file "the note is in the autosaved session" \
  "import json; d = json.load(open('$work/state/attnlab/autosave.json')); assert d['notes']['1.4.3'] == 'k2 joins k0 and k1'"

# --- 2 and 14. Save, then Export: its own default name, and it asks before replacing a file. ---
start_app
solve_task 1.2.1
click "task 1.3.1"
type_into "q[0]" "0"
xdotool key ctrl+s
check "Ctrl+S offers attnlab-session.json" "'dialog path' in d['items']" "d['items'].keys()"
dialog_enter ""
check "the session is saved" "d['session_path'] == 'attnlab-session.json'" "d['session_path']"
title() { xdotool getwindowname "$(xdotool search --name '^attnlab' | head -1)"; }
sleep 0.3
if [ "$(title)" = "attnlab — attnlab-session.json" ]; then ok "the title names the saved file"; else not_ok "the title names the saved file ($(title))"; fi
cp attnlab-session.json saved-before-export.json
click "task 1.3.2"
type_into "q[1]" "2"
if [ "$(title)" = "attnlab — attnlab-session.json •" ]; then ok "an edit marks the title unsaved"; else not_ok "an edit marks the title unsaved ($(title))"; fi
xdotool key ctrl+z
sleep 0.3
if [ "$(title)" = "attnlab — attnlab-session.json" ]; then ok "undoing it clears the mark"; else not_ok "undoing it clears the mark ($(title))"; fi
xdotool key ctrl+e
dialog_enter ""
sleep 0.6
check_file "Ctrl+E, Enter writes answers.py, not the session file" \
  "import filecmp; assert filecmp.cmp('attnlab-session.json', 'saved-before-export.json', shallow=False); open('answers.py').read()"
check_file "the export says 1.2.1 came from Solve and 1.3.1 was typed" \
  "t = open('answers.py').read(); assert \"1.2.1: from attnlab's Solve\" in t and '1.3.1: typed by hand' in t and 'query131 = torch.tensor([0.0, 0.0, 0.0])' in t"
echo "previous export" > answers.py
xdotool key ctrl+e
dialog_enter ""
check "exporting over an existing file asks first" "'overwrite cancel' in d['items']" "d['items'].keys()"
click "overwrite cancel"
check_file "Cancel leaves the existing file as it was" "assert open('answers.py').read() == 'previous export\n'"
xdotool key ctrl+e
dialog_enter ""
click "overwrite replace"
sleep 0.5
check_file "Replace writes the answers" "assert 'query121 = torch.tensor' in open('answers.py').read()"

# --- 12. Opening a file keeps the viewer's presentation mode and language. ---
xdotool key F5
xdotool key ctrl+l
check "presentation mode and Chinese are on" "d['presentation'] and d['language'] == 'zh'" "(d['presentation'], d['language'])"
xdotool key ctrl+o
dialog_enter "saved-before-export.json"
check "the file opens" "d['session_path'] == 'saved-before-export.json'" "(d['session_path'], d['toasts'])"
check "and the viewer keeps presentation mode and Chinese" "d['presentation'] and d['language'] == 'zh'" "(d['presentation'], d['language'])"
xdotool key F5
xdotool key ctrl+l

# --- 3. A session with numbers beyond the limits is refused on open; nothing changes. ---
answers_before=$(probe "[c['answered'] for c in d['checks']]")
python3 - "$work/huge.json" <<'PY'
import json, sys
s = {"format": "attnlab-session", "version": 1, "mode": "exercises", "selected_task": "1.2.1",
     "answers": {"query121": {"value": [1e160, -1e160, 1e160]}}}
json.dump(s, open(sys.argv[1], "w"))
PY
xdotool key ctrl+o
dialog_enter "$work/huge.json"
check "a query of 1e160 is refused with a message naming the limit" \
  "any('outside' in t and 'query121' in t for t in d['toasts']) and [c['answered'] for c in d['checks']] == $answers_before" "d['toasts']"
stop_app
status=$?
if [ "$status" -eq 0 ]; then ok "Ctrl+Q exits cleanly"; else not_ok "Ctrl+Q exits cleanly (status $status)"; fi

# --- 3. A run that dies with its autosave open: the next start says so and starts clean. ---
start_app
solve_task 1.2.1
sleep 1.5   # the autosave runs a second after the edit
kill -9 "$app"; wait "$app" 2>/dev/null
start_app
check "after a crash the next start says so" "any('did not close normally' in t for t in d['toasts'])" "d['toasts']"
check "and starts clean instead of reopening the same session" "not $(task_check 1.2.1)['answered']" "d['checks']"
if ls "$work"/state/attnlab/autosave-crashed-*.json > /dev/null 2>&1; then ok "the crashed session is kept aside"; else not_ok "the crashed session is kept aside"; fi
stop_app
start_app
check "a clean exit leaves no crash notice for the next start" "not any('did not close normally' in t for t in d['toasts'])" "d['toasts']"

# --- 6 and 11. Sandbox: Solve keeps the causal mask; the temperature stays in its range. ---
click "tab sandbox"
wait_for "d['mode'] == 'sandbox'"
click causal
check "the causal mask is on" "d['sandbox']['causal']" "d['sandbox']"
type_into goal "select:2"
click "solve goal"
check "Solve goal keeps the causal mask on" "d['sandbox']['causal']" "d['sandbox']"
check "and says why one query row cannot see key 2" "'causal mask' in (d['sandbox_explanation'] or '')" "d['sandbox_explanation']"
type_into goal "select:0"
click "solve goal"
check "a goal the first row can reach is solved with the mask on" \
  "d['sandbox']['causal'] and d['weights'][0][0] > 0.999" "(d['sandbox'], d['weights'])"

# --- 11. Temperatures stay in a range that teaches something. ---
click scale
click "scale temperature"
type_into temperature "1e-30"
check "a typed temperature of 1e-30 is clamped to 0.01" "abs(d['sandbox']['temperature'] - 0.01) < 1e-6" "d['sandbox']"
type_into temperature "1e30"
check "and 1e30 to 100" "abs(d['sandbox']['temperature'] - 100) < 1e-3" "d['sandbox']"
click scale
click "scale one"

# --- issue 11: a sandbox value of 1e6 (the clamp itself) is drawn, not a runaway loop. ---
type_into "v0[0]" "1000000"
frame=$(probe "d['frame']")
xdotool mousemove 700 400 sleep 0.3 mousemove 720 420
check "after typing v0[0] = 1e6 the window still draws new frames" "d['frame'] > $frame" "d['frame']"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$app/status" 2>/dev/null)
if [ -n "$rss" ] && [ "$rss" -lt 1000000 ]; then ok "and uses under 1 GB ($((rss / 1024)) MB)"; else not_ok "and uses under 1 GB (${rss:-?} kB)"; fi
stop_app
status=$?
if [ "$status" -eq 0 ]; then ok "Ctrl+Q exits cleanly after the sandbox checks"; else not_ok "Ctrl+Q exits cleanly after the sandbox checks (status $status)"; fi

summary
