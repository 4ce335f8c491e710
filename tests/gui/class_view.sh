#!/usr/bin/env bash
# The Class window's student view (issue 22, defects 1-3): clicking a student shows their answers
# in the main window, in the course they were graded against, as a labelled view ("Viewing erin's
# answers", Back to my work); the teacher's own work is set aside and its autosave file is never
# overwritten with the student's answers; Back to my work brings it back. Hovering a failed cell
# shows its task, state, max abs diff and reason (the CLI's reason for that cell); the legend
# names every state. Real X input, results from the probe; the expected verdicts come from
# `attnlab check DIR --format json`.
# Usage: class_view.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/../fixtures" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
class_dir=$fixtures/class/hand-ins
autosave=$work/state/attnlab/autosave.json
"$binary" check "$class_dir" --format json > "$work/class.json"
student=erin
# The CLI's verdict of every task of erin's, and the reason of a failed one.
expected=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d['students'] if s['student'] == sys.argv[2]][0]
print({t['id']: t['state'] for t in s['tasks']})" "$work/class.json" "$student")
fail_task=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d['students'] if s['student'] == sys.argv[2]][0]
print([t['id'] for t in s['tasks'] if t['state'] == 'fail'][0])" "$work/class.json" "$student")
fail_reason=$(python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d['students'] if s['student'] == sys.argv[2]][0]
print([t['reason'] for t in s['tasks'] if t['id'] == sys.argv[3]][0])" "$work/class.json" "$student" "$fail_task")
echo "# $student: $expected; $fail_task fails: $fail_reason"

# The teacher's own work: 1.3.2 solved, autosaved when the window closes.
start_app
click "solve"
check "the teacher's own answer is there" "len(d['answers']) >= 1" "d['answers']"
own_answers=$(probe "sorted(d['answers'])")
stop_app
[ -f "$autosave" ] && ok "the teacher's work is autosaved" || not_ok "the teacher's work is autosaved (no $autosave)"
own_sum=$(sha256sum < "$autosave")

# The table draws only the rows in view: wheel down over it until the student's row shows.
scroll_to_student() {
  wait_for "any(k.startswith('class student ') for k in d['items'])" || return
  xdotool mousemove $(probe "'%d %d' % next((r[0] + r[2] / 2, r[1] + r[3] / 2) for k, r in sorted(d['items'].items()) if k.startswith('class student '))")
  for _ in $(seq 20); do
    [ "$(probe "d['visible'].get('class student $1', False)")" = True ] && return
    xdotool click 5
    sleep 0.2
  done
}

start_app --grade "$class_dir"
check "the teacher's work came back from the autosave" "sorted(d['answers']) == $own_answers" "sorted(d['answers'])"
check "the legend names every state with its mark" \
  "all(d['visible'].get('class legend ' + k) for k in ['✓ passed', '✗ failed', 'n/a cannot be graded', '– missing', '! could not be read'])" \
  "[k for k in d['items'] if k.startswith('class legend')]"
scroll_to_student "$student"
check "erin's row is in view" "d['visible'].get('class student $student')" "[k for k in d['visible'] if k.startswith('class student')]"

# Hover the failed cell: its tooltip says the task, the state, max abs diff and the reason.
xdotool mousemove $(center "class cell $student $fail_task")
sleep 0.5
xdotool mousemove_relative 1 0
tooltip_is="(lambda t: '$fail_task' in t and 'failed' in t and 'max abs diff' in t and $(python3 -c 'import sys; print(repr(sys.argv[1]))' "$fail_reason") in t)"
check "hovering a failed cell shows its task, state, max abs diff and reason" "$tooltip_is(d['class']['tooltip'])" "d['class'].get('tooltip')"
check "and not the click hint alone" "not d['class']['tooltip'].startswith('Click')" "d['class'].get('tooltip')"

click "class student $student"
check "erin's answers are viewed" "d['class'].get('viewing_student') is True and 'student view $student' in d['items']" \
  "(d['class'], [k for k in d['items'] if 'view' in k])"
check "in the course the class was graded against (the notebook)" "d['course']['id'] == 'notebook' and d['course']['student'] == ''" "d['course']"
check "the answers are erin's" "d['loaded_answers_from'].endswith('/$student.py')" "d['loaded_answers_from']"
check "every task's verdict is the one the CLI gave" \
  "{c['id']: ('pass' if c['pass'] else 'fail' if c['answered'] and c['graded'] else 'n/a' if c['answered'] else 'missing') for c in d['checks'] if c['id'] in $expected} == $expected" \
  "[(c['id'], c['answered'], c['pass'], c['graded']) for c in d['checks']]"
sleep 2.5  # the autosave runs a second after a change
[ "$(sha256sum < "$autosave")" = "$own_sum" ] && ok "viewing erin leaves the teacher's autosave file unchanged" ||
  not_ok "viewing erin leaves the teacher's autosave file unchanged (now: $(head -c 300 "$autosave"))"

check "the Class window steps aside for the answers, and the banner brings it back" \
  "d['class']['open'] is False and 'student view show the class' in d['items']" "(d['class']['open'], [k for k in d['items'] if 'view' in k])"
click "student view show the class"
check "Show the class: the Class window is back" "d['class']['open'] is True and 'class student alice' in d['items']" "d['class']['open']"
click "back to my work"
check "Back to my work: the teacher's own answers again" \
  "d['class'].get('viewing_student') is False and sorted(d['answers']) == $own_answers and d['loaded_answers_from'] == ''" \
  "(d['class'].get('viewing_student'), sorted(d['answers']), d['loaded_answers_from'])"
check "and the banner is gone" "not any(k.startswith('student view') for k in d['items'])" "[k for k in d['items'] if 'view' in k]"
stop_app
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sorted(d['answers']) == $own_answers else 1)" "$autosave" && ok "the autosave still holds the teacher's answers" ||
  not_ok "the autosave still holds the teacher's answers ($(head -c 300 "$autosave"))"
summary
