#!/usr/bin/env bash
# Issue 14, "In the app", through real input: File → Open answers… loads a student's own A2S1.py
# with live checks (one undoable edit), a hand-in with an answer that cannot be graded shows the
# reason in the task panel, File → Grade a folder… lists the class with core's pass counts
# (compared with `attnlab check DIR --format json`), clicking a student opens exactly their
# grading in the main window, Export report… writes the HTML, and FILE opens a hand-in.
# Usage: answers_window.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
fixtures=$(cd "$here/../fixtures" && pwd)
class_dir=$fixtures/class/hand-ins

# The A2S1.py form of the expression fixtures: the notebook's own file, answers filled in.
python3 - "$fixtures/expr/forms.json" "$work/A2S1.py" <<'PY'
import json, sys
forms = json.load(open(sys.argv[1]))['forms']
open(sys.argv[2], 'w').write([f for f in forms if f['name'] == 'a2s1_form'][0]['source'])
PY
# What core says, for the window to match.
"$binary" check "$work/A2S1.py" --format json > a2s1.json
"$binary" check "$class_dir/dora.py" --format json > dora.json
"$binary" check "$class_dir" --format json > class.json
for f in a2s1.json dora.json class.json; do [ -s "$f" ] || not_ok "attnlab check wrote $f"; done

# The window's checks equal `attnlab check FILE --format json`'s (same states, same numbers).
same_checks() {
  echo "all(any(c['id'] == e['id'] and c['answered'] == e['answered'] and c['pass'] == e['pass'] and
              (c['max_abs_diff'] is None) == (e['max_abs_diff'] is None) and
              (c['max_abs_diff'] is None or abs(c['max_abs_diff'] - e['max_abs_diff']) <= 1e-9)
              for c in d['checks']) for e in json.load(open('$1'))['tasks'])"
}
no_problems="d['layout_problems'] == []"
menu() {
  click "menu file"
  click "$1"
}

start_app --no-autosave
menu "menu open answers"
dialog_enter "$work/A2S1.py"
check "Open answers… loads A2S1.py" "d['loaded_answers_from'] == '$work/A2S1.py' and len(d['answers']) == 6" \
  "(d['loaded_answers_from'], sorted(d['answers']))"
check "the toast says what was loaded" "'Opened answers from A2S1.py: 6 answers, 0 cannot be graded' in d['toasts']" "d['toasts']"
check "its checks are live and equal attnlab check's" "json.load(open('a2s1.json')) and $(same_checks a2s1.json)" "d['checks']"
check "every task of A2S1.py passes" "all(c['pass'] for c in d['checks'])" "d['checks']"
check "the weights of the selected task are drawn from the loaded answers" "d['weights'] is not None" "d['weights']"
xdotool key ctrl+z
check "Ctrl+Z takes the whole load back in one step" "d['answers'] == {} and d['can_redo']" "(d['answers'], d['can_redo'])"
xdotool key ctrl+shift+z
check "Ctrl+Shift+Z brings it back" "len(d['answers']) == 6" "sorted(d['answers'])"

# A hand-in with an answer that cannot be graded: the reason is shown, not an empty task.
menu "menu open answers"
dialog_enter "$class_dir/dora.py"
check "the toast counts it" "any(t.startswith('Opened answers from dora.py:') and t.endswith(', 1 cannot be graded') for t in d['toasts'])" "d['toasts']"
check "dora.py: checks equal attnlab check's" "d['loaded_answers_from'].endswith('dora.py') and $(same_checks dora.json)" "d['checks']"
check "dora.py: 1.2.1 cannot be graded, with its reason" \
  "[c for c in d['checks'] if c['id'] == '1.2.1'][0]['problem'].startswith('cannot be graded: ') and not [c for c in d['checks'] if c['id'] == '1.2.1'][0]['graded']" \
  "d['checks'][0]"
check "the task panel shows that task and its reason" "d['selected_task'] == '1.2.1' and 'task problem' in d['items']" \
  "(d['selected_task'], 'task problem' in d['items'])"
menu "menu open answers"
dialog_enter "$work/no-such-file.py"
check "an unreadable file: an error toast, the answers stay" \
  "any('no-such-file.py' in t for t in d['toasts']) and d['loaded_answers_from'].endswith('dora.py') and $(same_checks dora.json)" "d['toasts']"

# A whole class.
menu "menu grade folder"
dialog_enter "$class_dir"
check "Grade a folder… opens the Class window with 30 students" "d['class']['open'] and d['class'].get('students') == 30" "d['class']"
check "its per-task pass counts are core's" \
  "d['class']['passed_per_task'] == {t['id']: t['passed'] for t in json.load(open('class.json'))['summary']['tasks']}" \
  "d['class']['passed_per_task']"
check "the table lists the students by name" \
  "d['class']['order'] == [s['student'] for s in json.load(open('class.json'))['students']]" "d['class']['order'][:5]"
check "the Class window fits: nothing clipped" "$no_problems" "d['layout_problems']"
click "class student bob"
check "clicking bob opens his answers in the main window" \
  "d['class']['opened_student'] == 'bob' and d['loaded_answers_from'].endswith('bob.json')" "(d['class']['opened_student'], d['loaded_answers_from'])"
# bob's row of the class report, task by task, is what the main window now checks.
check "the main window grades bob as the class report does" \
  "all({'pass': c['answered'] and c['graded'] and c['pass'], 'fail': c['answered'] and c['graded'] and not c['pass'],
        'n/a': c['answered'] and not c['graded'], 'missing': not c['answered']}[t['state']] and
       (t['max_abs_diff'] is None or abs(t['max_abs_diff'] - c['max_abs_diff']) <= 1e-9)
       for s in json.load(open('class.json'))['students'] if s['student'] == 'bob'
       for t in s['tasks'] for c in d['checks'] if c['id'] == t['id'])" "d['checks']"
check "a toast says whose answers are shown" "any(t.startswith(\"Viewing bob's answers\") for t in d['toasts'])" "d['toasts']"
# The Class window stepped aside for bob's answers (issue 22): the banner brings it back.
click "student view show the class"
# Away from bob's row first (its tooltip), then a click on amy's; once more if the first was lost.
xdotool mousemove 5 400; sleep 0.4
click "class student amy"
wait_for "any(t.startswith('Could not open: ') for t in d['toasts'])" || click "class student amy"
check "an unreadable hand-in: an error toast, bob's answers stay" \
  "d['class']['opened_student'] == 'bob' and any(t.startswith('Could not open: ') for t in d['toasts'])" "d['toasts']"
click "class export"
dialog_enter "$work/report.html"
sleep 0.5
if [ -s "$work/report.html" ] && grep -q "<svg" "$work/report.html" && ! grep -qi "<script" "$work/report.html"; then
  ok "Export report… writes the HTML report with its charts"
else
  not_ok "Export report… writes the HTML report with its charts"
fi
"$binary" check "$class_dir" --report "$work/cli-report.html" > /dev/null
if cmp -s "$work/report.html" "$work/cli-report.html"; then ok "the exported report is the one attnlab check --report writes"
else not_ok "the exported report is the one attnlab check --report writes"; fi
stop_app

# FILE is a hand-in when it is .py (or .ipynb, or a .json that is not a session).
start_app --no-autosave "$work/A2S1.py"
check "attnlab A2S1.py opens it as the answers, checks live" \
  "d['loaded_answers_from'] == '$work/A2S1.py' and $(same_checks a2s1.json)" "d['loaded_answers_from']"
stop_app

# The Class window in every case of the layout matrix (sizes, presentation, zoom, languages); the
# control cases are built to show a problem, so they are left out.
"$binary" --no-autosave --layout-report "$work/layout.json" --grade "$class_dir" > /dev/null 2>&1
if python3 -c "import json, sys; c = json.load(open(sys.argv[1]))['cases']; sys.exit(len(c) < 100 or any(x['problems'] for x in c if not x['case'].startswith('control')))" "$work/layout.json"; then
  ok "the Class window fits every case of the layout matrix"
else
  not_ok "the Class window fits every case of the layout matrix"
fi

summary
