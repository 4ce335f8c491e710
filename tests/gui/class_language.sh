#!/usr/bin/env bash
# The Class window in Chinese (issue 21): its most common reasons and the "n/a" of a hand-in that
# cannot be graded come in the window's language, not English; in English they stay English.
# At 1280x720 presentation, graded with --grade from the start.
# Usage: class_language.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/../fixtures" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
class_dir=$fixtures/class/hand-ins

reasons="[k for k in d['items'] if k.startswith('class reason ')]"
# The table draws only the rows in view: wheel down over it until a cell that cannot be graded shows.
scroll_to_not_graded() {
  wait_for "any(k.startswith('class student ') for k in d['items'])" || return
  xdotool mousemove $(probe "'%d %d' % next((r[0] + r[2] / 2, r[1] + r[3] / 2) for k, r in sorted(d['items'].items()) if k.startswith('class student '))")
  for _ in $(seq 20); do
    [ "$(probe "any(k.startswith('class not graded: ') for k in d['items'])")" = True ] && return
    xdotool click 5
    sleep 0.2
  done
}
cjk="(lambda s: any('\u4e00' <= ch <= '\u9fff' for ch in s))"

start_app --no-autosave --presentation --lang zh --grade "$class_dir"
check "Chinese, and the class is graded" "d['language'] == 'zh' and d['class'].get('students', 0) > 5" "(d['language'], d['class'])"
click "class summary"  # the reasons are in the per-task summary, folded at this size
check "the most common reasons are in Chinese" "len($reasons) >= 3 and all($cjk(k.split(': ', 1)[1]) for k in $reasons)" "$reasons"
click "class summary"  # folded again: the table gets the height
scroll_to_not_graded
check "a hand-in that cannot be graded reads 无法评分, not n/a" \
  "'class not graded: 无法评分' in d['items'] and 'class not graded: n/a' not in d['items']" \
  "[k for k in d['items'] if k.startswith('class not graded')]"
stop_app

start_app --no-autosave --presentation --lang en --grade "$class_dir"
wait_for "d['class'].get('students', 0) > 5"
click "class summary"
check "in English the reasons stay English" "len($reasons) >= 3 and not any($cjk(k) for k in $reasons)" "$reasons"
click "class summary"  # folded again: the table gets the height
scroll_to_not_graded
check "and a hand-in that cannot be graded reads n/a" "'class not graded: n/a' in d['items']" \
  "[k for k in d['items'] if k.startswith('class not graded')]"
stop_app
summary
