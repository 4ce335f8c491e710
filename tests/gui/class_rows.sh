#!/usr/bin/env bash
# The Class window at 1280x720 presentation (issue 22, defect 4), in English and in Chinese: the
# student table gets the height (the per-task summary folds away and opens on a click), so at
# least $rows_wanted student rows are wholly in view, with the buttons and the legend, and the
# layout audit finds nothing cut in the window. Graded with --grade from the start.
# Usage: class_rows.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
fixtures=$(cd "$here/../fixtures" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
class_dir=$fixtures/class/hand-ins
rows_wanted=13

# Student rows wholly in view and wholly on the 1280x720 screen.
rows_in_view="[k for k, r in d['items'].items() if k.startswith('class student ') and d['visible'].get(k) and r[1] >= 0 and r[1] + r[3] <= 720]"
class_problems="[p for p in d['layout_problems'] if p['panel'] == 'class']"

for lang in en zh; do
  start_app --no-autosave --presentation --lang $lang --grade "$class_dir"
  check "$lang: the class is graded at presentation size" "d['presentation'] and d['language'] == '$lang' and d['class'].get('students', 0) >= 28" "d['class']"
  check "$lang: at least $rows_wanted student rows are wholly in view" "len($rows_in_view) >= $rows_wanted" "sorted($rows_in_view)"
  echo "# $lang: $(probe "len($rows_in_view)") student rows in view"
  check "$lang: the buttons and all five legend entries are in view" \
    "d['visible'].get('class export') and len([k for k in d['items'] if k.startswith('class legend ') and d['visible'][k]]) == 5" \
    "[(k, d['visible'].get(k)) for k in d['items'] if k.startswith('class legend') or k == 'class export']"
  check "$lang: nothing in the Class window is cut" "$class_problems == []" "$class_problems"
  click "class summary"
  check "$lang: the per-task summary opens on a click" "'class pass rate 1.2.1' in d['items'] and any(k.startswith('class reason ') for k in d['items'])" \
    "[k for k in d['items'] if k.startswith('class pass') or k.startswith('class reason')]"
  check "$lang: and nothing is cut then either" "$class_problems == []" "$class_problems"
  stop_app
done
summary
