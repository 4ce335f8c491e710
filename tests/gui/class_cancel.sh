#!/usr/bin/env bash
# Grade a folder… on a large class runs on a worker thread: the Class window shows the progress
# (hand-ins graded of how many) and a Cancel button in view at 1280x720 presentation; Cancel
# stops the grading long before it would have finished, with a toast and no half-graded class,
# and the window answers throughout. Real X input, results from the probe.
# Usage: class_cancel.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/../fixtures" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

# 28 hand-ins of about 0.7 MB each (A2S1.py after 3000 lines of other tensors): grading one
# takes about 0.1 to 0.2 s, the class seconds even on two cores, so Cancel lands while it runs.
# (The class's work budget, kMaxClassWork, allows 29 such hand-ins: 250 units per byte.)
python3 - "$fixtures/expr/forms.json" "$work/class" <<'PY'
import json, os, sys
forms = json.load(open(sys.argv[1]))['forms']
source = [f for f in forms if f['name'] == 'a2s1_form'][0]['source']
padding = ''.join('junk%d = torch.tensor([[%s]])\n' % (i, ', '.join(['0.5'] * 40)) for i in range(3000))
os.makedirs(sys.argv[2])
for i in range(28):
    open(os.path.join(sys.argv[2], 'student%03d.py' % i), 'w').write(padding + source)
# 250 hard links of one 1 MB hand-in: the files alone pass the class's work budget.
os.makedirs(sys.argv[2] + '-big')
big = (padding * 2)[:1000000]
open(os.path.join(sys.argv[2] + '-big', 's000.py'), 'w').write(big[:big.rindex('\n') + 1] + source)
for i in range(1, 250):
    os.link(os.path.join(sys.argv[2] + '-big', 's000.py'), os.path.join(sys.argv[2] + '-big', 's%03d.py' % i))
PY

menu() {
  click "menu file"
  click "$1"
}
# The class's work budget (kMaxClassWork) bounds any class to a few seconds of grading on two
# cores, so Cancel is clicked as soon as grading is seen to run, and what the window showed while
# it ran is checked on a copy of the probe taken at that moment. Grading starts from
# File → Grade a folder… once the window is up.
start_app --no-autosave --presentation
menu "menu grade folder"
dialog_enter "$work/class"
running="d['class']['grading'] and 'class progress' in d['items'] and 'class cancel' in d['items']"
wait_for "$running"
frame=$(probe "d['frame']")
wait_for "d['frame'] > $frame and $running"
cp "$ATTNLAB_PROBE" "$work/while-grading.json"
xdotool mousemove $(center "class cancel") click 1
# The live checks first: the toast lasts 4 s, and checks of the copy that fail take 5 s each.
check "Cancel stops the grading at once, with a toast" \
  "not d['class']['grading'] and 'Grading cancelled' in d['toasts']" "(d['class'], d['toasts'])"
check "no half-graded class is shown" "'students' not in d['class']" "d['class']"
live_probe=$ATTNLAB_PROBE
ATTNLAB_PROBE=$work/while-grading.json
check "grading runs in the background: the Class window shows a progress bar and Cancel" "$running" "(d['class'], sorted(d['items'])[:8])"
check "the progress counts the hand-ins from the start" "d['class'].get('grading_total') == 28" "d['class']"
check "Cancel is in view (nothing clipped or out of view)" "d['layout_problems'] == []" "d['layout_problems']"
check "the window keeps drawing while it grades" "d['frame'] > $frame and d['class']['grading']" "(d['frame'], d['class'])"
done_before=$(probe "d['class'].get('grading_done', 0)")
ATTNLAB_PROBE=$live_probe
check "it stopped early (graded $done_before of 28 when clicked)" "$done_before < 28" "d['class']"
check "the window still answers" "'solve' in d['items']" "sorted(d['items'])[:8]"
stop_app

# A class past the work budget: the same refusal as `attnlab check DIR`, in the error toast.
start_app --no-autosave --presentation --grade "$work/class-big"
check "a class past the work budget is refused with the limit named" \
  "any(t.startswith('Could not grade: ') and 'grade the class in parts' in t for t in d['toasts'])" "(d['class'], d['toasts'])"
check "nothing is graded or shown" "not d['class']['grading'] and 'students' not in d['class']" "d['class']"
stop_app
summary
