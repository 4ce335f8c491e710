#!/usr/bin/env bash
# Black-box tests of grading variants from what students hand in (issue 22): `check hand.py
# --pack V.json`, `--pack P --student ID`, and a class of variants in one command, with the
# student IDs from the names or a roster. The hand-ins (tests/fixtures/variants/) hold each
# variant's data and answers computed by real torch (make_variant_fixtures.py).
# usage: tests/cli/variant_cli_tests.sh BINARY SOURCE_DIR
set -u
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
cli_test_begin "$1" "$2" variants
F="$SRC/tests/fixtures/variants"
expect() {  # expect NAME WANTED_RC NEEDLE_IN_OUTPUT ARGS...
    local name=$1 want=$2 needle=$3
    shift 3
    timeout 60 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then not_ok "$name" "exit $rc, expected $want: $(head -c 400 "$T/err" "$T/out")"
    elif ! grep -qF -- "$needle" "$T/out" "$T/err"; then not_ok "$name" "no '$needle' in: $(head -c 400 "$T/out" "$T/err")"
    else ok "$name"; fi
}
# row_passes NAME STUDENT: the class table's row for STUDENT shows every task passed (9 of 9).
row_passes() {
    if grep -qE "^$2 .* 9/9\$" "$T/out"; then ok "$1"; else not_ok "$1" "$(grep -E "^$2 " "$T/out")"; fi
}

# One hand-in against a variant file, a built-in pack + --student, and another student's variant.
expect "py passes its own variant file" 0 "0 failed" check "$F/class/s001.py" --pack "$F/temperature-masks-s001.json"
expect "py passes --pack P --student ID" 0 "0 failed" check "$F/class/s001.py" --pack temperature-masks --student s001
expect "py fails another student's variant file" 1 "FAIL" check "$F/class/s001.py" --pack "$F/temperature-masks-s002.json"
expect "py fails --student of another student" 1 "FAIL" check "$F/class/s001.py" --pack temperature-masks --student s003
expect "py fails the pack itself" 1 "FAIL" check "$F/class/s003.py" --pack temperature-masks
expect "ipynb passes its own variant" 0 "0 failed" check "$F/class/s002/hand_in.ipynb" --pack temperature-masks --student s002
expect "ipynb fails another's variant" 1 "FAIL" check "$F/class/s002/hand_in.ipynb" --pack "$F/temperature-masks-s001.json"
expect "a variant file and another --student" 2 'is the variant of "s001", not of "s002"' \
    check "$F/class/s002/hand_in.ipynb" --pack "$F/temperature-masks-s001.json" --student s002
printf 'import torch\nquery999 = torch.tensor([1.0, 2.0, 3.0])\n' >"$T/none.py"
expect "a py with none of the pack's names" 2 "none of the course's answer names (temperature211, query212" \
    check "$T/none.py" --pack temperature-masks

# A class of variants in one command: each student against their own variant, named by the file
# stem or folder name.
expect "class of variants: everyone passes" 0 ": 3 passed every task" check "$F/class" --pack temperature-masks
for s in s001 s002 s003; do row_passes "class of variants: $s passes with their own data" "$s"; done
mkdir -p "$T/swapped/s002"
cp "$F/class/s001.py" "$T/swapped/s003.py"
cp "$F/class/s003.py" "$T/swapped/s001.py"
cp "$F/class/s002/hand_in.ipynb" "$T/swapped/s002/"
expect "class of variants: swapped hand-ins fail" 1 ": 1 passed every task" check "$T/swapped" --pack temperature-masks
row_passes "class of variants: the unswapped one still passes" s002
# Feedback for a class of variants: each file is about the student's own variant, with the pack's
# tasks, what each check measured (a weight for 2.1.1, not a diff) and a hint from that variant.
expect "class of variants with --feedback" 1 ": 1 passed every task" \
    check "$T/swapped" --pack temperature-masks --feedback "$T/feedback"
fb=$T/feedback/s001.md
if grep -qF "Your variant: s001" "$fb" && grep -qF "Temperature, masks and more tokens" "$fb"; then
    ok "feedback names the student's variant and the pack"
else not_ok "feedback names the student's variant and the pack" "$(head -c 400 "$fb")"; fi
if grep -qE '^- weight of k0 = 0\.[0-9]+, needs ≥ 0\.9' "$fb" && grep -qF -- "- hint: " "$fb"; then
    ok "feedback says the weight 2.1.1 measured, and gives hints"
else not_ok "feedback says the weight 2.1.1 measured, and gives hints" "$(head -c 600 "$fb")"; fi
expect "class against one variant: only its student passes" 1 ": 1 passed every task" \
    check "$F/class" --pack "$F/temperature-masks-s003.json"
row_passes "class against one variant: s003 passes" s003
expect "class of variants as CSV" 0 "s002" check "$F/class" --pack temperature-masks --format csv
mkdir -p "$T/json"
timeout 60 "$BIN" solve --pack temperature-masks --student s002 --format json >"$T/json/s002.json"
cp "$T/json/s002.json" "$T/json/s001.json"
expect "class of JSON answers: a file naming another student is that student's error" 1 \
    'the answers name student "s002", not "s001"' check "$T/json" --pack temperature-masks
row_passes "class of JSON answers: the one naming its own student passes" s002
expect "--student with a class is refused" 2 "--roster" check "$F/class" --pack temperature-masks --student s001

# Rosters: the student ID of each file or folder name.
mkdir -p "$T/named/bob"
cp "$F/class/s001.py" "$T/named/alice.py"
cp "$F/class/s002/hand_in.ipynb" "$T/named/bob/"
cp "$F/class/s003.py" "$T/named/carol.py"
printf 'hand_in,student_id\r\nalice.py,s001\r\n"bob/",s002\r\ncarol.py,s003\r\n' >"$T/roster.csv"
expect "roster: everyone passes" 0 ": 3 passed every task" check "$T/named" --pack temperature-masks --roster "$T/roster.csv"
for s in alice bob carol; do row_passes "roster: $s passes with their own data" "$s"; done
expect "without the roster the names are the IDs: all fail" 1 ": 0 passed every task" check "$T/named" --pack temperature-masks
printf 'hand_in,student_id\nalice.py,s001\nbob,s002\n' >"$T/short.csv"
expect "roster: a missing entry is that student's error" 1 "carol.py: not in the roster" \
    check "$T/named" --pack temperature-masks --roster "$T/short.csv"
row_passes "roster: the others still pass" alice
printf 'hand_in,student_id\nalice.py,s001\nbob,s002,extra\ncarol.py,s003\n' >"$T/bad.csv"
expect "roster: a malformed line is refused with file:line" 2 "bad.csv:3: expected 2 fields (hand_in,student_id), found 3" \
    check "$T/named" --pack temperature-masks --roster "$T/bad.csv"
printf 'file,id\nalice.py,s001\n' >"$T/header.csv"
expect "roster: a wrong header is refused" 2 "header.csv:1: the header must be hand_in,student_id" \
    check "$T/named" --pack temperature-masks --roster "$T/header.csv"
printf 'hand_in,student_id\nalice.py,s001\nalice.py,s002\n' >"$T/twice.csv"
expect "roster: a name listed twice is refused" 2 'twice.csv:3: "alice.py" is listed twice (first at line 2)' \
    check "$T/named" --pack temperature-masks --roster "$T/twice.csv"
printf 'hand_in,student_id\n"alice.py,s001\n' >"$T/quote.csv"
expect "roster: an unclosed quote is refused" 2 "quote.csv:2: a quoted field is not closed" \
    check "$T/named" --pack temperature-masks --roster "$T/quote.csv"
expect "roster: needs --pack" 2 "needs --pack" check "$T/named" --roster "$T/roster.csv"
expect "roster: a missing roster file" 2 "nothing.csv" check "$T/named" --pack temperature-masks --roster "$T/nothing.csv"
cli_test_end
