#!/usr/bin/env bash
# Black-box tests of the course-pack commands (issue 13): pack check / variant / hints, and
# solve / check --pack [--student]: the teacher's whole loop on the built-in packs.
# usage: tests/cli/pack_cli_tests.sh BINARY SOURCE_DIR
set -u
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
cli_test_begin "$1" "$2" pack
expect() {  # expect NAME WANTED_RC NEEDLE_IN_OUTPUT ARGS...
    local name=$1 want=$2 needle=$3
    shift 3
    timeout 20 "$BIN" "$@" >"$T/out" 2>"$T/err" </dev/null
    local rc=$?
    if [ "$rc" -ne "$want" ]; then not_ok "$name" "exit $rc, expected $want: $(head -c 300 "$T/err")"
    elif ! grep -qF -- "$needle" "$T/out" "$T/err"; then not_ok "$name" "no '$needle' in: $(head -c 300 "$T/out" "$T/err")"
    else ok "$name"; fi
}

for pack in "$SRC/assets/exercises/notebook.json" "$SRC/assets/packs/temperature-masks.json"; do
    name=$(basename "$pack" .json)
    expect "$name: pack check" 0 "every task is solvable" pack check "$pack"
    expect "$name: solve --pack" 0 '"answers"' solve --pack "$pack" --format json
    cp "$T/out" "$T/$name-answers.json"
    expect "$name: check --pack passes the solved answers" 0 "0 failed" check "$T/$name-answers.json" --pack "$pack"
    expect "$name: variant to a file" 0 "attempt" pack variant "$pack" --student alice -o "$T/$name-alice.json"
    expect "$name: the variant is a valid pack" 0 'variant of "alice"' pack check "$T/$name-alice.json"
    expect "$name: variant on stdout" 0 '"student": "alice"' pack variant "$pack" --student alice
    cmp -s "$T/out" "$T/$name-alice.json" && ok "$name: variants are reproducible" || not_ok "$name: variants are reproducible" "stdout differs from -o"
    expect "$name: solve the variant" 0 '"student": "alice"' solve --pack "$pack" --student alice --format json
    cp "$T/out" "$T/$name-alice-answers.json"
    expect "$name: check grades against the variant the answers name" 0 "0 failed" check "$T/$name-alice-answers.json" --pack "$pack"
    expect "$name: the class answers fail alice's variant" 1 "FAIL" check "$T/$name-answers.json" --pack "$pack" --student alice
    expect "$name: hints" 0 "  2. " pack hints "$pack"
    expect "$name: hints in Chinese" 0 "必须" pack hints "$pack" --lang zh
done

# A broken pack: every problem with its JSON path, exit 2.
python3 - "$SRC/assets/packs/temperature-masks.json" "$T/broken.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
d['tasks'][0]['goal'] = 'weight:0>=1.5'
d['tasks'][3]['goal'] = 'select:9'
d['tasks'][8]['goal'] = 'average:0,2'
del d['title']['zh']
d['tolerance'] = -1
d['tasks'][1]['goal'] = 'pick:0'
json.dump(d, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)
PY
expect "broken: exit 2" 2 "problems" pack check "$T/broken.json"
for needle in '$.title.zh: missing translation' '$.tolerance: bad tolerance' '$.tasks[0].goal' '$.tasks[3].goal: goal "select:9": key 9 does not exist' '$.tasks[1].goal: unknown goal'; do
    grep -qF -- "$needle" "$T/err" && ok "broken: reports $needle" || not_ok "broken: reports $needle" "$(cat "$T/err")"
done
python3 - "$SRC/assets/packs/temperature-masks.json" "$T/impossible.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
d['tasks'][8]['goal'] = 'average:0,2'
json.dump(d, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)
PY
expect "impossible goal: the solver's reason" 2 '$.tasks[8].goal: impossible goal "average:0,2": keys {0,2} are not exactly' pack check "$T/impossible.json"
expect "solve --pack refuses a broken pack" 2 '$.tasks[8].goal' solve --pack "$T/impossible.json"
python3 - "$SRC/assets/exercises/notebook.json" "$T/inline.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
d['data'] = {'inline': {'keys': [[1, 0], [0, 1], [-1, 0], [0, -1]], 'values': [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]}}
json.dump(d, open(sys.argv[2], 'w', encoding='utf-8'), ensure_ascii=False)
PY
expect "inline data: a valid pack" 0 "every task is solvable" pack check "$T/inline.json"
expect "variant of inline data is refused" 2 "torch" pack variant "$T/inline.json" --student bob
# Issue 21: a built-in pack's id works wherever a pack file does, as --pack and the window take it.
expect "pack variant takes a built-in id" 0 '"student": "s017"' pack variant temperature-masks --student s017
expect "pack hints takes a built-in id" 0 "  2. " pack hints temperature-masks
expect "pack check takes a built-in id" 0 "every task is solvable" pack check temperature-masks
expect "solve --pack takes a built-in id" 0 '"answers"' solve --pack temperature-masks --format json
cp "$T/out" "$T/builtin-answers.json"
expect "check --pack takes a built-in id" 0 "0 failed" check "$T/builtin-answers.json" --pack temperature-masks
cli_test_end
