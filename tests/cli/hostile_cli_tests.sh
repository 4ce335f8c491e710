#!/usr/bin/env bash
# The command-line defects of the third hostile-input campaign (issue 23), one block each: what a
# pack, a hand-in or an option can do to a terminal, an exit status or a message.
# usage: tests/cli/hostile_cli_tests.sh BINARY SOURCE_DIR
# Prints "ok - name" / "not ok - name: detail" per case, then "N passed, M failed".
set -u
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
cli_test_begin "$1" "$2" hostile
export HOME=$T/home

# run ARGS...: the binary with empty stdin and a 20 s bound; sets RC, OUT and ERR (files).
run() {
    timeout 20 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
}
# expect_exit NAME WANT NEEDLE ARGS...: the exit status, NEEDLE in stderr (unless empty), and for
# 2 exactly one stderr line of at most 300 bytes with no control character in it.
expect_exit() {
    local name=$1 want=$2 needle=$3
    shift 3
    run "$@"
    local lines bytes
    lines=$(wc -l <"$T/err")
    bytes=$(head -n 1 "$T/err" | tr -d '\n' | wc -c)
    if [ "$RC" -ne "$want" ]; then not_ok "$name" "exit $RC, expected $want: $(head -c 300 "$T/err")"
    elif [ "$want" -eq 2 ] && [ "$lines" -ne 1 ]; then not_ok "$name" "$lines stderr lines: $(head -c 300 "$T/err")"
    elif [ "$want" -eq 2 ] && [ "$bytes" -gt 300 ]; then not_ok "$name" "a $bytes-byte message"
    elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$T/err"; then not_ok "$name" "no '$needle' in: $(head -c 300 "$T/err")"
    elif LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err"; then not_ok "$name" "a control character on stderr"
    else ok "$name"; fi
}
# no_escapes NAME: stdout and stderr of the last run hold no ESC, no BEL and no CR other than in a
# CRLF line end (lines only: a lone CR would overwrite the line).
no_escapes() {
    if perl -0777 -ne 'exit((/[\x07\x1b]|\r(?!\n)/) ? 0 : 1)' "$T/out" "$T/err"; then
        not_ok "$1" "raw terminal controls reached the output"
    else ok "$1"; fi
}

# --- 6: pack titles, task titles and hints reach the terminal escaped ---------------------------
python3 - "$SRC/assets/packs/temperature-masks.json" "$T/escapes.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
evil = "\x1b[2J\x1b]0;owned\x07\rover\r\n"
d['title']['en'] = "Escapes " + evil
d['tasks'][0]['title']['en'] = "Task " + evil
json.dump(d, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=True)
PY
run pack hints "$T/escapes.json"
[ "$RC" -eq 0 ] && no_escapes "pack hints escapes a title's ESC, OSC, BEL and CR" || not_ok "pack hints on a pack with escapes" "exit $RC: $(head -c 300 "$T/err")"
run solve --pack "$T/escapes.json"
[ "$RC" -eq 0 ] && no_escapes "solve --pack escapes them" || not_ok "solve --pack on a pack with escapes" "exit $RC"
run solve --pack "$T/escapes.json" --format json
cp "$T/out" "$T/escapes-answers.json"
run check "$T/escapes-answers.json" --pack "$T/escapes.json"
[ "$RC" -eq 0 ] && no_escapes "check --pack escapes them" || not_ok "check --pack on a pack with escapes" "exit $RC: $(head -c 300 "$T/err")"
grep -qF '\x1b[2J' "$T/out" && ok "the escaped title is still shown (as \\x1b)" || not_ok "escaped title shown" "$(head -c 100 "$T/out" | cat -v | tr "\n" "|")"

# --- 7: a hand-in with no answers fails; a notebook repeating a key is refused ------------------
: >"$T/empty.py"
printf '# nothing here\n\n' >"$T/comments.py"
printf '{"cells": [{"cell_type": "markdown", "source": "hi", "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' >"$T/nocode.ipynb"
for f in empty.py comments.py nocode.ipynb; do
    run check "$T/$f"
    if [ "$RC" -eq 1 ] && grep -q "no answers found" "$T/err"; then ok "check $f: exit 1, no answers found"
    else not_ok "check $f" "exit $RC, expected 1 with 'no answers found': $(head -c 300 "$T/err")"; fi
done
printf '{"cells": [], "cells": [{"cell_type": "code", "source": "query121 = torch.tensor([1., 2, 3])", "metadata": {}}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' >"$T/dup.ipynb"
expect_exit "a notebook repeating a key is refused, naming the key" 2 '"cells" appears twice' check "$T/dup.ipynb"

# --- 9: an empty value is an error, never ignored -----------------------------------------------
for opt in --screenshot --pack --session --grade --exercise --sandbox --student --open --head --panel --size --zoom; do
    expect_exit "$opt \"\" is an error naming the option" 2 "$opt: is empty" "$opt" ""
done
expect_exit "an empty FILE is an error" 2 "FILE: is empty" ""

# --- 10: whole-number options take plain decimals only ------------------------------------------
expect_exit "--zoom 0x1 is refused" 2 "--zoom" --zoom 0x1
expect_exit "--bench-frames 0x10 is refused" 2 "--bench-frames" --bench-frames 0x10
expect_exit "--zoom 8 is past the range" 2 "--zoom" --zoom 8
expect_exit "--zoom -4 is at the limit: accepted, failing only for want of a display" 2 "no display" --zoom -4 --screenshot "$T/z.png"
expect_exit "--bench-frames 100000 is at the limit" 2 "no display" --bench-frames 100000

# --- 11: a message is at most 300 bytes, whatever the option ------------------------------------
long=$(printf -- '--%01000d' 0)
expect_exit "an unknown 1000-byte option gets one line of at most 300 bytes" 2 "attnlab: " "$long"

# --- 12: check --pack with a class's outputs, or on a folder: a class of variants (issue 22) ------
cp "$SRC/assets/packs/temperature-masks.json" "$T/p.json"
run solve --pack "$T/p.json" --student a --format json
cp "$T/out" "$T/a.json"
expect_exit "check --pack --report grades a class of one against its own variant" 0 "" check "$T/a.json" --pack "$T/p.json" --report "$T/r.html"
grep -qF "1 passed every task" "$T/out" && ok "... and it passes" || not_ok "a class of one" "$(head -c 300 "$T/out")"
[ -s "$T/r.html" ] && ok "... and writes the report" || not_ok "the report" "r.html was not written"
mkdir -p "$T/class"
expect_exit "check DIR --pack on an empty folder says there is nothing to grade" 2 "nothing to grade" check "$T/class" --pack "$T/p.json"

# --- 14: a zip comment that quotes the end-of-directory signature is a comment, not the record --
run tensors info "$SRC/tests/fixtures/tensors/encoder_comment_eocd.npz"
if [ "$RC" -eq 0 ] && grep -q "layers 2, heads 2, tokens 8" "$T/out"; then ok "an .npz whose comment holds PK\\x05\\x06 opens"
else not_ok "an .npz whose comment holds PK\\x05\\x06 opens" "exit $RC: $(head -c 300 "$T/err")"; fi

cli_test_end
