#!/usr/bin/env bash
# The Class window's drill-down for a class of variants (issue 22): with a pack open, File → Grade a
# folder… grades each student against their own variant, and clicking a student opens their
# answers in that pack and that variant (not the notebook, not the pack's own data), every task
# with the verdict the class table gave. Real window, xdotool clicks, read back through the probe.
# Usage: class_view_variant.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/../fixtures" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
class_dir=$fixtures/variants/class

start_app --no-autosave --presentation --pack temperature-masks --grade "$class_dir"
check "the class of variants is graded" "d['class'].get('students') == 3" "d['class']"
wait_for "d['visible'].get('class student s002')"
# The window may still settle in its first frames (a row read from the probe can move before the
# click lands): hover the row first, click, and click again if the view did not open.
for try in 1 2 3; do
  xdotool mousemove $(center "class student s002")
  sleep 0.4
  xdotool click 1
  wait_for "d['class'].get('viewing_student') is True" && break
  echo "# the click on s002 did not open the view (try $try)"
done
check "s002's answers are viewed" "d['class'].get('viewing_student') is True" "d['class']"
check "in the pack the class was graded against, in s002's variant" \
  "d['course']['id'] == 'temperature-masks' and d['course']['student'] == 's002'" "d['course']"
check "the answers are s002's notebook" "d['loaded_answers_from'].endswith('/s002/hand_in.ipynb')" "d['loaded_answers_from']"
check "every checked task passes, as in the class table" \
  "len([c for c in d['checks'] if c['answered']]) == 9 and all(c['pass'] for c in d['checks'] if c['answered'])" \
  "[(c['id'], c['answered'], c['pass']) for c in d['checks']]"
stop_app
summary
