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

# 150 hand-ins of about 0.7 MB each (A2S1.py after 3000 lines of other tensors): grading one
# takes about 0.1 s, the class many seconds, so Cancel lands while it runs.
python3 - "$fixtures/expr/forms.json" "$work/class" <<'PY'
import json, os, sys
forms = json.load(open(sys.argv[1]))['forms']
source = [f for f in forms if f['name'] == 'a2s1_form'][0]['source']
padding = ''.join('junk%d = torch.tensor([[%s]])\n' % (i, ', '.join(['0.5'] * 40)) for i in range(3000))
os.makedirs(sys.argv[2])
for i in range(150):
    open(os.path.join(sys.argv[2], 'student%03d.py' % i), 'w').write(padding + source)
PY

start_app --no-autosave --presentation --grade "$work/class"
check "grading runs in the background: the Class window shows a progress bar and Cancel" \
  "d['class']['grading'] and 'class progress' in d['items'] and 'class cancel' in d['items']" "(d['class'], sorted(d['items'])[:8])"
check "the progress counts the hand-ins" "d['class'].get('grading_total') == 150" "d['class']"
check "Cancel is in view (nothing clipped or out of view)" "d['layout_problems'] == []" "d['layout_problems']"
frame=$(probe "d['frame']")
check "the window keeps drawing while it grades" "d['frame'] > $frame and d['class']['grading']" "(d['frame'], d['class'])"
done_before=$(probe "d['class'].get('grading_done', 0)")
click "class cancel"
check "Cancel stops the grading at once, with a toast" \
  "not d['class']['grading'] and 'Grading cancelled' in d['toasts']" "(d['class'], d['toasts'])"
check "no half-graded class is shown" "'students' not in d['class']" "d['class']"
check "it stopped early (graded $done_before of 150 when clicked)" "$done_before < 150" "d['class']"
check "the window still answers" "'solve' in d['items']" "sorted(d['items'])[:8]"
stop_app
summary
