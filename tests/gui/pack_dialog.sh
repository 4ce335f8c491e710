#!/usr/bin/env bash
# File → Open course pack… as a teacher uses it on a 1280×720 projector (issue 21): a click on a
# built-in pack's name selects it and keeps the dialog open (a Student ID may follow), Open or a
# double click opens it, Enter in the Student ID field opens that student's variant, and the
# variant's panel title keeps the student's ID in view at presentation size with Ctrl+= twice,
# in English and in Chinese.
# Usage: pack_dialog.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

# File → Open course pack…, tried again (after Escape) when a click under load missed the menu.
open_pack_dialog() {
  local y attempt
  for attempt in 1 2 3; do
    y=$(probe "int(d['menu_bar_height'] / 2) or 10")
    xdotool mousemove 20 "$y" click 1
    sleep 0.3
    click "menu open pack"
    wait_for "(d['modal'] or '').endswith('openpack')" && return 0
    echo "# the pack dialog did not open (attempt $attempt)"
    xdotool key Escape
    sleep 0.3
  done
  return 1
}
dialog_open="(d['modal'] or '').endswith('openpack')"
# A check of an absence (nothing clipped) on a window that has settled: once the text size or
# the language changed, a frame or two may draw before the fonts are rebuilt.
settled() {
  sleep 1.5
  if [ "$(probe "$2")" = True ]; then ok "$1"; else not_ok "$1 (probe: $(probe "$3"))"; fi
}
# The exercises panel's title (the course's, with the student's ID) fits its title bar.
title_fits="not any(p['panel'] == 'exercises' and p['kind'] == 'clipped' for p in d['layout_problems'])"

start_app --no-autosave --presentation
check "starts on the notebook" "d['course']['id'] == 'notebook'" "d['course']"

# --- 1. A built-in pack's name: a click selects it, Open opens it; a double click opens it. ---
open_pack_dialog
click "pack builtin temperature-masks"
check "a click on a built-in pack's name keeps the dialog open" "$dialog_open" "(d['modal'], d['course']['id'])"
check "and opens nothing yet (a Student ID may follow)" "d['course']['id'] == 'notebook'" "d['course']['id']"
click "pack open"
check "Open then opens the pack that was clicked" \
  "d['course']['id'] == 'temperature-masks' and d['course']['student'] == '' and not d['modal']" "(d['modal'], d['course'])"

open_pack_dialog
wait_for "'pack builtin notebook' in d['items']"
xdotool mousemove $(center "pack builtin notebook") click --repeat 2 --delay 120 1
sleep 0.3
check "a double click on a built-in pack's name opens it" "d['course']['id'] == 'notebook' and not d['modal']" \
  "(d['modal'], d['course'])"

# --- 2. Enter in the Student ID field opens the student's variant, as Open does. ---
open_pack_dialog
wait_for "'dialog path' in d['items'] and d['text_input']" || echo "# the path field never got the keyboard"
sleep 0.2
xdotool key ctrl+a
sleep 0.2
xdotool type --delay 20 "temperature-masks"
sleep 0.2
type_into "pack student" "s017"
check "Enter in the Student ID field opens that student's variant" \
  "d['course']['id'] == 'temperature-masks' and d['course']['student'] == 's017' and not d['modal']" \
  "(d['modal'], d['course'], d['toasts'])"

stop_app

# --- 3. The variant's title keeps the student's ID in view (a fresh window: this part stands
# on its own). ---
start_app --no-autosave --presentation --pack temperature-masks --student s017
check "the variant is open" "d['course']['student'] == 's017'" "d['course']"
settled "presentation at 1280x720: the variant's title fits its panel" "$title_fits" "d['layout_problems']"
xdotool key ctrl+equal; sleep 0.4; xdotool key ctrl+equal
# Tabs replace the Task panel's title bar here: the student's ID stands beside them, whole.
shown="'variant student' in d['items'] and d['items']['variant student'][0] + d['items']['variant student'][2] <= d['window'][0]"
check "Ctrl+= twice: tabs, and the student's ID beside them" "'panel tab exercises' in d['items'] and $shown" \
  "(sorted(k for k in d['items'] if 'tab' in k or 'variant' in k), d['layout_problems'])"
settled "Ctrl+= twice: nothing about the title is clipped" "$title_fits and $shown" "d['layout_problems']"
xdotool key ctrl+l
check "Chinese is on" "d['language'] == 'zh'" "d['language']"
settled "in Chinese too, the student's ID is in view and nothing is clipped" "$title_fits and $shown" \
  "(d['layout_problems'], d['items'].get('variant student'))"

stop_app
summary
