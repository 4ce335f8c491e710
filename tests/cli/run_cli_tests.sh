#!/usr/bin/env bash
# Black-box tests of attnlab's command line (solve, check, dataset, tensors info, --help, --version).
#
# usage: tests/cli/run_cli_tests.sh BINARY
# Prints "ok - name" / "not ok - name: detail" per case, then one line "N passed, M failed".
# Exit 0 only when nothing failed. Needs bash, coreutils and python3 (no torch).
# Exit-code and stderr checks run here; checks on stdout content are collected and run at the
# end in one python3 process (tests/cli/cli_checks.py), because starting python is slow.
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 BINARY" >&2
    exit 2
fi
BIN=$1
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)

T=$(mktemp -d "${TMPDIR:-/tmp}/attnlab-cli.XXXXXX") || { echo "mktemp failed" >&2; exit 2; }
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

PASSED=0
FAILED=0
ok() { echo "ok - $1"; PASSED=$((PASSED + 1)); }
not_ok() { echo "not ok - $1: $2"; FAILED=$((FAILED + 1)); }

if [ ! -x "$BIN" ]; then
    not_ok "binary" "$BIN is not an executable file"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi

# No display for any case: --help and the command line must not need one.
unset DISPLAY WAYLAND_DISPLAY

# run ID ARGS...: runs the binary (timeout 20, stdin empty), saves ID.out, ID.err,
# ID.rc in the temp dir and sets RC.
RUNS=0
run() {
    local id=$1
    shift
    RUNS=$((RUNS + 1))
    # The subshell keeps bash's own "Aborted"/"Segmentation fault" notice out of the report.
    (
        timeout 20 "$BIN" "$@" >"$T/$id.out" 2>"$T/$id.err" </dev/null
        rc=$?
        exit $rc
    ) 2>/dev/null
    RC=$?
    echo "$RC" >"$T/$id.rc"
}

# expect_bad NAME NEEDLE ARGS...: bad input → exit 2, stdout empty, exactly one stderr line that
# contains NEEDLE (the file name, or the option) and no crash text. Bash builtins only (no
# grep/awk forks): the machine may be busy and the whole script should stay well under 20 s.
expect_bad() {
    local name=$1 needle=$2 id="bad$RUNS"
    shift 2
    run "$id" "$@"
    local err lines
    mapfile -t lines <"$T/$id.err"
    err=$(<"$T/$id.err")
    local shown=${err:0:300}
    shown=${shown//$'\n'/|}
    if [ "$RC" -eq 124 ]; then
        not_ok "$name" "timed out after 20 s"
    elif [ "$RC" -ne 2 ]; then
        not_ok "$name" "exit $RC, expected 2; stderr: $shown"
    elif [ -s "$T/$id.out" ]; then
        not_ok "$name" "stdout not empty: $(head -c 120 "$T/$id.out" | tr '\n' '|')"
    elif [ "${#lines[@]}" -ne 1 ]; then
        not_ok "$name" "stderr has ${#lines[@]} lines, expected 1: $shown"
    elif [[ "$err" != *"$needle"* ]]; then
        not_ok "$name" "stderr does not mention '$needle': $shown"
    elif [[ "$err" =~ terminate\ called|what\(\)|[Ee]xception|Aborted|Segmentation|core\ dumped ]]; then
        not_ok "$name" "stderr looks like a crash: $shown"
    else
        ok "$name"
    fi
}

# python3 here may be a pyenv shim (slow to start): resolve the real interpreter once.
PYBIN=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -n "$PYBIN" ] || PYBIN=python3

# pycase NAME ID <<'PY' ... PY: a python body (indented 4 spaces) checking run ID through `c`.
# The bodies run at the end, all in one python process (cli_checks.py).
CHECKS="$T/checks.py"
printf 'HERE_SQ = %s\n\n' "'$HERE/data_square.json'" >"$CHECKS"
pycase() {
    local name=${1//\\/\\\\}
    name=${name//\'/\\\'}
    {
        printf '@case(%s, %s)\ndef _(c):\n' "'$name'" "'$2'"
        cat
        printf '\n\n'
    } >>"$CHECKS"
}

# --- help and version -------------------------------------------------------------------------

run version --version
pycase "--version prints the version" version <<'PY'
    c.expect_rc(0)
    import re
    assert re.search(r"\d+\.\d+\.\d+", c.out), "no version number in %r" % c.out
PY

run help --help
pycase "--help works without a display" help <<'PY'
    c.expect_rc(0)
    for word in ("solve", "check", "dataset"):
        assert word in c.out, "--help does not list %s" % word
PY
for sub in solve check dataset; do
    run "help_$sub" "$sub" --help
    pycase "$sub --help works without a display" "help_$sub" <<'PY'
    c.expect_rc(0)
    assert "Usage" in c.out or "usage" in c.out, "no usage text: %r" % c.out[:200]
PY
done

# --- solve: the six notebook answers ----------------------------------------------------------

run solve_text solve
pycase "solve (text) prints all six answers" solve_text <<'PY'
    c.expect_rc(0)
    for n in NAMES:
        assert n in c.out, "%s missing from the text output" % n
PY

run solve_json solve --format json
pycase "solve --format json parses and has the six tasks" solve_json <<'PY'
    c.expect_rc(0)
    d = c.json()
    tasks = tasks_by_id(d)
    assert list(tasks) == IDS, "task ids %s" % list(tasks)
    assert abs(d.get("tolerance", -1) - 0.05) < 1e-12, "tolerance %r" % d.get("tolerance")
    for t in d["tasks"]:
        assert t.get("feasible") is True and t.get("pass") is True, "%s: %r" % (t["id"], t)
        assert t.get("max_abs_diff") is not None and t["max_abs_diff"] <= 1e-5, "%s: max_abs_diff %r" % (t["id"], t.get("max_abs_diff"))
PY

# The answers do what the notebook asks, recomputed here without torch on the notebook data.
pycase "solve --format json answers verified independently" solve_json <<'PY'
    v = {t["name"]: t["value"] for t in c.json()["tasks"]}
    K, V = NB_KEYS, NB_VALUES
    assert shape(v["query121"]) == (3,) and shape(v["query131"]) == (3,) and shape(v["query132"]) == (3,)
    assert shape(v["query122"]) == (4, 3) and shape(v["m_key141"]) == (4, 3) and shape(v["m_key142"]) == (4, 3)
    tol = 1e-4
    assert max_diff(attend(v["query121"], K, V), V[0]) < tol, "1.2.1 does not select value[0]"
    for i in range(4):
        assert max_diff(attend(v["query122"][i], K, V), V[i]) < tol, "1.2.2 row %d does not select value[%d]" % (i, i)
    assert max_diff(attend(v["query131"], K, V), mean_rows(V)) < tol, "1.3.1 is not the mean"
    assert max_diff(attend(v["query132"], K, V), mean_rows(V[:2])) < tol, "1.3.2 is not the mean of values 0,1"
    q = v["query132"]
    for name in ("m_key141", "m_key142"):
        for r in (0, 1, 3):
            assert max_diff(v[name][r], K[r]) < 1e-6, "%s changes key row %d" % (name, r)
    assert max_diff(attend(q, v["m_key141"], V), mean_rows(V[:3])) < tol, "1.4.1 is not the mean of values 0..2"
    assert abs(math.sqrt(sum(x * x for x in v["m_key142"][2])) - 1) < 1e-5, "1.4.2 key row 2 is not unit length"
    assert max_diff(attend(q, v["m_key142"], V), V[2]) < tol, "1.4.2 does not return value[2]"
PY

run solve_json_tol solve --format json --tol 0.01
pycase "solve --tol 0.01 is reported" solve_json_tol <<'PY'
    c.expect_rc(0)
    assert abs(c.json().get("tolerance", -1) - 0.01) < 1e-12, "tolerance %r" % c.json().get("tolerance")
PY

run solve_py solve --format python
cp "$T/solve_py.out" "$T/answers.py"
pycase "solve --format python defines the six tensors with formula comments" solve_py <<'PY'
    c.expect_rc(0)
    import ast, re
    ast.parse(c.out)  # valid Python
    lines = c.out.splitlines()
    for n in NAMES:
        idx = [i for i, l in enumerate(lines) if re.match(r"\s*%s\s*=\s*torch\.tensor\(" % n, l)]
        assert len(idx) == 1, "%s is defined %d times" % (n, len(idx))
        i = idx[0]
        comment = "#" in lines[i] or (i > 0 and lines[i - 1].lstrip().startswith("#") and len(lines[i - 1].strip()) > 8)
        assert comment, "%s has no formula comment" % n
PY
pycase "solve --format python values equal the json ones" solve_py <<'PY'
    class FakeTorch:
        float32 = float = float64 = double = "dtype"
        @staticmethod
        def tensor(x, **kw):
            return x
    env = {"torch": FakeTorch}
    exec(c.out, env)
    ref = {t["name"]: t["value"] for t in Run("solve_json").json()["tasks"]}
    for n in NAMES:
        a, b = env[n], ref[n]
        assert shape(a) == shape(b), "%s shape %s vs %s" % (n, shape(a), shape(b))
        flat_a = [x for r in a for x in (r if isinstance(r, list) else [r])]
        flat_b = [x for r in b for x in (r if isinstance(r, list) else [r])]
        for x, y in zip(flat_a, flat_b):
            assert abs(x - y) <= 1e-6 * max(1.0, abs(y)), "%s: %r vs %r" % (n, x, y)
PY

# --- check ------------------------------------------------------------------------------------

run roundtrip check "$T/answers.py" --format json
pycase "round trip: solve --format python | check → all six pass" roundtrip <<'PY'
    c.expect_rc(0)
    d = c.json()
    tasks = tasks_by_id(d)
    assert list(tasks) == IDS, "task ids %s" % list(tasks)
    assert abs(d.get("tolerance", -1) - 0.05) < 1e-12, "tolerance %r" % d.get("tolerance")
    for t in d["tasks"]:
        assert t.get("pass") is True, "%s does not pass: %r" % (t["id"], t)
        assert t.get("answered", True) is True, "%s not answered" % t["id"]
        assert isinstance(t.get("max_abs_diff"), (int, float)) and t["max_abs_diff"] <= 1e-5, "%s max_abs_diff %r" % (t["id"], t.get("max_abs_diff"))
PY

run roundtrip_text check "$T/answers.py"
pycase "round trip in text format exits 0" roundtrip_text <<'PY'
    c.expect_rc(0)
    assert c.out.strip(), "no output"
PY

run roundtrip_tight check "$T/answers.py" --tol 1e-9 --format json
pycase "check --tol 1e-9 fails answers that are only 1e-7 close" roundtrip_tight <<'PY'
    c.expect_rc(1)
    d = c.json()
    assert abs(d["tolerance"] - 1e-9) < 1e-18, "tolerance %r" % d["tolerance"]
    t = tasks_by_id(d)
    assert t["1.3.1"]["pass"] is True, "1.3.1 (exact) should still pass"
    assert any(x["pass"] is False for x in d["tasks"]), "nothing failed at 1e-9"
PY

# Variants of the solver's answers, made from the JSON output.
python_variants_ok=1
"$PYBIN" - "$T" 2>/dev/null <<'PY' || python_variants_ok=0
import json, os, sys
t = sys.argv[1]
ans = {x["name"]: x["value"] for x in json.load(open(os.path.join(t, "solve_json.out")))["tasks"]}
def write(name, d):
    json.dump(d, open(os.path.join(t, name), "w"))
write("all.json", ans)
a = dict(ans); a["query132"] = [x / 10 for x in ans["query132"]]; write("scaled132.json", a)
a = dict(ans); k = [r[:] for r in ans["m_key141"]]; k[0][0] += 0.1; a["m_key141"] = k; write("row0.json", a)
a = dict(ans); k = [r[:] for r in ans["m_key142"]]; k[2] = [2 * x for x in k[2]]; a["m_key142"] = k; write("nonunit.json", a)
a = dict(ans); k = [r[:] for r in ans["m_key142"]]; k[2] = [0.0, 0.0, 0.0]; a["m_key142"] = k; write("zerorow.json", a)
a = dict(ans); a["query122"] = [r[:] for r in ans["query122"]]; a["query122"][1] = [0.0, 0.0, 0.0]; write("wrong122.json", a)
# Python-format file with "NUMBER * torch.tensor(...)" on every line: the solver's answers / 2, times 2.
with open(os.path.join(t, "times2.py"), "w") as f:
    f.write("import torch\n")
    for n, v in ans.items():
        half = [[x / 2 for x in r] for r in v] if isinstance(v[0], list) else [x / 2 for x in v]
        f.write("%s = 2 * torch.tensor(%s)\n" % (n, json.dumps(half)))
PY
if [ "$python_variants_ok" -eq 0 ]; then
    not_ok "make answer variants" "python3 could not read solve --format json output"
fi

run check_all_json check "$T/all.json" --format json
pycase "check JSON answers (all six) → exit 0" check_all_json <<'PY'
    c.expect_rc(0)
    assert all(t["pass"] for t in c.json()["tasks"]), "a task fails"
PY

run check_times2 check "$T/times2.py" --format json
pycase "check python 'NUMBER * torch.tensor(...)' answers" check_times2 <<'PY'
    c.expect_rc(0)
    for t in c.json()["tasks"]:
        assert t["pass"] is True and t["max_abs_diff"] <= 1e-5, "%s: %r" % (t["id"], t)
PY

run check_wrong check "$HERE/answers_wrong.py" --format json
pycase "student file with a wrong answer → exit 1" check_wrong <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())
    assert t["1.2.1"]["pass"] is False, "1.2.1 (q = 0) passes"
    assert t["1.2.1"]["max_abs_diff"] > 0.05, "max_abs_diff %r" % t["1.2.1"]["max_abs_diff"]
    assert t["1.3.1"]["pass"] is True, "1.3.1 (q = 0) fails"
PY

run check_wrong_text check "$HERE/answers_wrong.py"
pycase "wrong answer in text format → exit 1" check_wrong_text <<'PY'
    c.expect_rc(1)
PY

run check_wrong122 check "$T/wrong122.json" --format json
pycase "one wrong identity row → 1.2.2 fails, exit 1" check_wrong122 <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())
    assert t["1.2.2"]["pass"] is False, "1.2.2 passes"
    assert [x["id"] for x in c.json()["tasks"] if not x["pass"]] == ["1.2.2"], "other tasks fail too"
PY

run check_partial check "$HERE/answers_partial.py" --format json
pycase "partial python file: answered ones pass, others not answered, exit 0" check_partial <<'PY'
    c.expect_rc(0)
    t = tasks_by_id(c.json())
    for i in ("1.2.1", "1.3.1"):
        assert t[i].get("answered") is True and t[i]["pass"] is True, "%s: %r" % (i, t[i])
    for i in ("1.2.2", "1.3.2", "1.4.1", "1.4.2"):
        assert t[i].get("answered") is False, "%s: %r" % (i, t[i])
PY

run check_only121 check "$HERE/answers_only121.json" --format json
pycase "file with only query121 → the other five \"answered\": false" check_only121 <<'PY'
    c.expect_rc(0)
    t = tasks_by_id(c.json())
    assert list(t) == IDS, "task ids %s" % list(t)
    assert t["1.2.1"].get("answered") is True and t["1.2.1"]["pass"] is True, "1.2.1: %r" % t["1.2.1"]
    for i in IDS[1:]:
        assert t[i].get("answered") is False, "%s: %r" % (i, t[i])
PY

run check_scaled check "$T/scaled132.json" --format json
pycase "1.4 tasks use the file's query132 (scaled down by 10)" check_scaled <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())
    full = tasks_by_id(Run("check_all_json").json())
    assert t["1.4.2"]["pass"] is False, "1.4.2 still passes with query132 / 10: %r" % t["1.4.2"]
    d1, d0 = t["1.4.1"]["max_abs_diff"], full["1.4.1"]["max_abs_diff"]
    assert d1 is not None and d1 > 10 * max(d0, 1e-7), "1.4.1 max_abs_diff %r unchanged from %r: the file's query132 is not used" % (d1, d0)
PY

run check_row0 check "$T/row0.json" --format json
pycase "m_key141 with row 0 changed fails with a reason" check_row0 <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())["1.4.1"]
    assert t["pass"] is False, "1.4.1 passes: %r" % t
    assert "row 0" in task_text(t), "reason does not name row 0: %r" % t
PY

run check_nonunit check "$T/nonunit.json" --format json
pycase "m_key142 row 2 of length 2 passes (graded divided by its norm, as the notebook's cell does)" check_nonunit <<'PY'
    c.expect_rc(0)
    t = tasks_by_id(c.json())["1.4.2"]
    assert t["pass"] is True, "1.4.2 fails: %r" % t
PY

run check_zerorow check "$T/zerorow.json" --format json
pycase "m_key142 row 2 of zeros fails with a reason about its length" check_zerorow <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())["1.4.2"]
    assert t["pass"] is False, "1.4.2 passes: %r" % t
    text = task_text(t).lower()
    assert "length" in text or "unit" in text or "normaliz" in text, "reason does not mention the length: %r" % t
PY

printf 'query121 = torch.tensor([1.0, 2.0])\nquery122 = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])\n' >"$T/shapes.py"
run check_shapes check "$T/shapes.py" --format json
pycase "answers of the wrong shape fail with a shape reason (exit 1)" check_shapes <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())
    for i in ("1.2.1", "1.2.2"):
        assert t[i]["pass"] is False, "%s passes: %r" % (i, t[i])
        assert "shape" in task_text(t[i]), "%s reason does not mention the shape: %r" % (i, t[i])
PY

# --- solve --data --goal ----------------------------------------------------------------------

SQ="$HERE/data_square.json"
HULL="$HERE/data_hull.json"

run goal_select solve --data "$SQ" --goal select:1 --format json
pycase "goal select:1 on custom data" goal_select <<'PY'
    c.expect_rc(0)
    d = c.json()
    data = json.load(open(HERE_SQ))
    assert d.get("goal") == "select:1" and d.get("feasible") is True, "%r" % d
    assert shape(d["query"]) == (2,), "query shape %s" % (shape(d["query"]),)
    assert isinstance(d.get("explanation"), str) and d["explanation"], "no explanation"
    assert d["max_abs_diff"] <= 0.05, "max_abs_diff %r" % d["max_abs_diff"]
    assert max_diff(attend(d["query"], data["keys"], data["values"]), data["values"][1]) < 1e-4, "query does not select value[1]"
PY

run goal_average solve --data "$SQ" --goal average:0,1 --format json
pycase "goal average:0,1 on custom data" goal_average <<'PY'
    c.expect_rc(0)
    d = c.json()
    data = json.load(open(HERE_SQ))
    assert d.get("goal") == "average:0,1" and d.get("feasible") is True, "%r" % d
    assert shape(d["query"]) == (2,), "query shape %s" % (shape(d["query"]),)
    assert d["max_abs_diff"] <= 0.05, "max_abs_diff %r" % d["max_abs_diff"]
    target = mean_rows(data["values"][:2])
    assert max_diff(attend(d["query"], data["keys"], data["values"]), target) < 1e-4, "query does not average values 0,1"
PY

run goal_identity solve --data "$SQ" --goal identity --format json
pycase "goal identity on custom data: query is 2-D" goal_identity <<'PY'
    c.expect_rc(0)
    d = c.json()
    data = json.load(open(HERE_SQ))
    assert d.get("goal") == "identity" and d.get("feasible") is True, "%r" % d
    assert shape(d["query"]) == (4, 2), "query shape %s, expected (4, 2)" % (shape(d["query"]),)
    for i, q in enumerate(d["query"]):
        assert max_diff(attend(q, data["keys"], data["values"]), data["values"][i]) < 1e-4, "row %d does not select value[%d]" % (i, i)
PY

run goal_hull solve --data "$HULL" --goal select:3 --format json
pycase "goal select of a key inside the hull → infeasible, reason mentions the hull" goal_hull <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert d.get("goal") == "select:3", "goal %r" % d.get("goal")
    assert d.get("feasible") is False, "feasible: %r" % d
    assert "hull" in d.get("reason", ""), "reason: %r" % d.get("reason")
    assert "query" not in d, "an infeasible goal still has a query"
PY

run goal_hull_ok solve --data "$HULL" --goal select:0 --format json
pycase "goal select of a hull vertex on the same data is feasible" goal_hull_ok <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert d.get("feasible") is True and shape(d["query"]) == (2,), "%r" % d
PY

run goal_text solve --data "$SQ" --goal select:0
pycase "goal in text format" goal_text <<'PY'
    c.expect_rc(0)
    assert c.out.strip(), "no output"
PY

# --- dataset ----------------------------------------------------------------------------------

run ds_default dataset
run ds_nb dataset --torch-seed 447 --shape 4,3
pycase "dataset seed 447 shape 4,3 = the notebook's data" ds_nb <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert set(d) == {"keys", "values"}, "fields %s" % sorted(d)
    assert shape(d["keys"]) == (4, 3) and shape(d["values"]) == (4, 3), "shapes %s %s" % (shape(d["keys"]), shape(d["values"]))
    for r in range(4):
        assert max_diff(d["keys"][r], NB_KEYS[r]) < 1e-6, "key row %d = %r" % (r, d["keys"][r])
        assert max_diff(d["values"][r], NB_VALUES[r]) < 1e-6, "value row %d = %r" % (r, d["values"][r])
    assert Run("ds_default").json() == d, "plain 'dataset' differs from --torch-seed 447 --shape 4,3"
PY

run ds_raw dataset --torch-seed 447 --shape 4,3 --decimals -1 --no-normalize
pycase "dataset --decimals -1 --no-normalize gives raw randn (normalized+rounded = notebook)" ds_raw <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert shape(d["keys"]) == (4, 3), "shape %s" % (shape(d["keys"]),)
    assert any(abs(x) > 1 for r in d["keys"] + d["values"] for x in r), "no |x| > 1: not raw randn"
    assert any(abs(x * 100 - round(x * 100)) > 1e-3 for r in d["keys"] for x in r), "looks rounded"
    for name, ref in (("keys", NB_KEYS), ("values", NB_VALUES)):
        for r, row in enumerate(d[name]):
            n = math.sqrt(sum(x * x for x in row))
            assert max_diff([round(x / n, 2) for x in row], ref[r]) < 1e-6, "%s row %d normalized+rounded %r" % (name, r, [x / n for x in row])
PY

run ds_seed0 dataset --torch-seed 0 --shape 4,4 --decimals -1 --no-normalize
pycase "dataset seed 0 shape 4,4 raw = torch.randn(4, 4) (AVX2 path)" ds_seed0 <<'PY'
    c.expect_rc(0)
    k = c.json()["keys"]
    ref = [[-1.1258, -1.1524, -0.2506, -0.4339], [0.8487, 0.6920, -0.3160, -2.1152],
           [0.3223, -1.2633, 0.3500, 0.3081], [0.1198, 1.2377, 1.1168, -0.2473]]
    for r in range(4):
        assert max_diff(k[r], ref[r]) < 6e-5, "row %d = %r" % (r, k[r])
PY

run ds_seed0_small dataset --torch-seed 0 --shape 2,2 --decimals -1 --no-normalize
pycase "dataset seed 0 shape 2,2 raw = torch.randn(2, 2) (scalar path)" ds_seed0_small <<'PY'
    c.expect_rc(0)
    k = c.json()["keys"]
    ref = [[1.5410, -0.2934], [-2.1788, 0.5684]]
    for r in range(2):
        assert max_diff(k[r], ref[r]) < 6e-5, "row %d = %r" % (r, k[r])
PY

run ds_635 dataset --torch-seed 7 --shape 6,3,5
pycase "dataset --shape 6,3,5 gives 6x3 keys and 6x5 values" ds_635 <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert shape(d["keys"]) == (6, 3), "keys %s" % (shape(d["keys"]),)
    assert shape(d["values"]) == (6, 5), "values %s" % (shape(d["values"]),)
    for r in d["keys"] + d["values"]:
        assert abs(math.sqrt(sum(x * x for x in r)) - 1) < 0.02, "row %r is not (rounded) unit length" % r
        assert all(abs(x * 100 - round(x * 100)) < 1e-4 for x in r), "row %r is not rounded to 2 decimals" % r
PY

run ds_seed1 dataset --torch-seed 1 --shape 4,3
run ds_seed1_again dataset --torch-seed 1 --shape 4,3
pycase "dataset: seeds differ, same seed repeats" ds_seed1 <<'PY'
    c.expect_rc(0)
    assert c.json() == Run("ds_seed1_again").json(), "seed 1 twice gives different data"
    assert c.json() != Run("ds_nb").json(), "seed 1 gives the seed-447 data"
PY

run ds_dec3 dataset --torch-seed 3 --shape 5,2 --decimals 3
pycase "dataset --decimals 3 rounds to 3 decimals" ds_dec3 <<'PY'
    c.expect_rc(0)
    d = c.json()
    assert shape(d["keys"]) == (5, 2) and shape(d["values"]) == (5, 2), "shapes"
    xs = [x for r in d["keys"] + d["values"] for x in r]
    assert all(abs(x * 1000 - round(x * 1000)) < 1e-3 for x in xs), "not rounded to 3 decimals"
    assert any(abs(x * 100 - round(x * 100)) > 1e-3 for x in xs), "rounded to 2 decimals, not 3"
PY

# --- bad input: exit 2, one stderr line naming the file, empty stdout -------------------------

printf '{"query121": [1, 2' >trunc.json
printf '{"query121": [NaN, 1, 2]}' >nan.json
printf '{"query121": [1e999, 1, 2]}' >inf.json
printf '{"query999": [1, 2, 3]}' >unknown.json
printf 'query999 = torch.tensor([1.0, 2.0, 3.0])\n' >unknown.py
printf 'query121 = torch.tensor([float("nan"), 2.0, 3.0])\n' >nan.py
printf 'query121 = torch.tensor([1.0, 2.0, 3.0]\n' >unclosed.py
printf 'query121 = torch.tensor([1.0, 2.0, 3.0]) + 1\n' >plus.py
printf '{"query122": [[1, 2, 3], [1, 2]]}' >ragged.json
printf '{"query121": [1, 2, 3], "query121": [1, 2, 3]}' >dup.json
printf '{"query121": [[[1, 2, 3]]]}' >deep.json
printf '{"query121": "abc"}' >string.json
printf '\xff\xfe\x00\x01' >binary.json
mkdir adir.json
{ head -c 2000000 /dev/zero | tr '\0' ' '; printf '{"query121": [1, 2, 3]}'; } >big.json

expect_bad "solve: a language without a catalog names the available ones" 'unknown language "qq": expected one of en, ' solve --lang qq
expect_bad "check: a language without a catalog" 'expected one of en' check "$T/trunc.json" --lang qq
expect_bad "window: a language without a catalog" 'unknown language "qq"' --lang qq --no-autosave
# The frame benchmark's options (issue 12): checked before any window is opened.
expect_bad "bench: --sandbox without --bench-frames" '--sandbox and --open go with --bench-frames' --sandbox 256,16
expect_bad "bench: --sandbox needs N,d" '--sandbox "256": expected N,d' --bench-frames 5 --sandbox 256
expect_bad "bench: --sandbox N beyond 1024" '--sandbox "2000,16": N' --bench-frames 5 --sandbox 2000,16
expect_bad "bench: --sandbox d beyond 128" '--sandbox "256,200": d' --bench-frames 5 --sandbox 256,200
expect_bad "bench: --bench-frames 0" '--bench-frames' --bench-frames 0
expect_bad "check: malformed JSON" trunc.json check "$T/trunc.json"
expect_bad "check: NaN in JSON" nan.json check "$T/nan.json"
expect_bad "check: Inf (1e999) in JSON" inf.json check "$T/inf.json"
expect_bad "check: unknown name (JSON)" unknown.json check "$T/unknown.json"
expect_bad "check: unknown name (python)" unknown.py check "$T/unknown.py"
# Issue 14: expressions are graded task by task; what is outside the subset is "cannot be graded".
run nan_py check "$T/nan.py" --format json
pycase "check: float(\"nan\") in python → 1.2.1 cannot be graded (a string), exit 1" nan_py <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())["1.2.1"]
    assert t.get("graded") is False and "uses `a string` at line 1" in t["problem"], t
PY
run unclosed_py check "$T/unclosed.py" --format json
pycase "check: unclosed bracket → 1.2.1 cannot be graded, exit 1" unclosed_py <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())["1.2.1"]
    assert t.get("graded") is False and "line 1" in t["problem"], t
PY
# Issue 22: a bracket left open blames its own answer with Python's reason; later answers are graded.
printf 'import torch\nquery121 = torch.tensor([4.7, 6.5, 6.0]\nquery122 = key\nquery131 = key[1] * 10\nquery132 = key[2]\n' >open_paren.py
run open_paren check "$T/open_paren.py" --format json
pycase "check: '(' never closed → 1.2.1 gets Python's reason, 1.2.2-1.3.2 graded" open_paren <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())
    assert t["1.2.1"].get("graded") is False and "'(' opened at line 2 is never closed" in t["1.2.1"]["problem"], t["1.2.1"]
    for i in ("1.2.2", "1.3.1", "1.3.2"):
        assert t[i]["answered"] is True and t[i].get("graded", True) is True, t[i]
PY
printf 'x = """abc\nnotes\n' >open_string.py
expect_bad "check: a string that never closes, nothing else → Python's reason" 'unterminated string starting at line 1' check "$T/open_string.py"
run plus_py check "$T/plus.py" --format json
pycase "check: torch.tensor(...) + 1 is computed and graded" plus_py <<'PY'
    t = tasks_by_id(c.json())["1.2.1"]
    assert t["answered"] is True and t.get("graded", True) is True and t["max_abs_diff"] is not None, t
PY
cat >exprs.py <<'EOF2'
import os
query121 = key[0] * 100
query122 = os.system("echo hacked")
query131 = open("x").read()
query132 = 10 * (key[0] + key[1])
m_key141 = key.clone(); m_key141[2] = (key[0] + key[1]) / 0
m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()
EOF2
run exprs check "$T/exprs.py" --format json
pycase "expression hand-in: graded per task, hostile lines not graded and never run" exprs <<'PY'
    c.expect_rc(1)
    assert "hacked" not in c.out + c.err, "os.system ran"
    t = tasks_by_id(c.json())
    assert t["1.2.1"]["pass"] is True, t["1.2.1"]
    assert t["1.2.2"].get("graded") is False and "uses `os` at line 3" in t["1.2.2"]["problem"], t["1.2.2"]
    assert t["1.3.1"].get("graded") is False and "uses `open` at line 4" in t["1.3.1"]["problem"], t["1.3.1"]
    assert t["1.3.2"]["pass"] is True and t["1.4.2"]["pass"] is True, (t["1.3.2"], t["1.4.2"])
    assert t["1.4.1"]["pass"] is False and t["1.4.1"].get("graded", True) is True, t["1.4.1"]
PY
run exprs_text check "$T/exprs.py"
pycase "expression hand-in in text: n/a lines and the count of tasks that cannot be graded" exprs_text <<'PY'
    c.expect_rc(1)
    assert "cannot be graded: uses `os` at line 3" in c.out, c.out
    assert "2 cannot be graded" in c.out, c.out
PY
expect_bad "check: ragged matrix" ragged.json check "$T/ragged.json"
expect_bad "check: duplicate name" dup.json check "$T/dup.json"
expect_bad "check: 3-D list" deep.json check "$T/deep.json"
expect_bad "check: string instead of numbers" string.json check "$T/string.json"
expect_bad "check: binary file" binary.json check "$T/binary.json"
expect_bad "check: a directory" adir.json check "$T/adir.json"
expect_bad "check: missing file" no_such_file.json check "$T/no_such_file.json"
expect_bad "check: file over the size limit" big.json check "$T/big.json"
expect_bad "check: bad format in json" trunc.json check "$T/trunc.json" --format json

printf '{"keys": [[1, 0], [0, 1]' >d_trunc.json
printf '{"keys": [[1, 0], [0, NaN]], "values": [[1, 0], [0, 1]]}' >d_nan.json
printf '{"keys": [[1, 0], [0, 1e999]], "values": [[1, 0], [0, 1]]}' >d_inf.json
printf '{"keys": [[1, 0], [0, 1, 2]], "values": [[1, 0], [0, 1]]}' >d_ragged.json
printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0]]}' >d_rows.json
printf '{"keys": [[1, 0], [0, 1]]}' >d_novalues.json
printf '{"keys": [], "values": []}' >d_empty.json
printf '{"keys": [["a", 0], [0, 1]], "values": [[1, 0], [0, 1]]}' >d_string.json
printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1]], "extra": 1}' >d_extra.json
printf '[[1, 0], [0, 1]]' >d_array.json
mkdir d_dir.json
{ head -c 17000000 /dev/zero | tr '\0' ' '; printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1]]}'; } >d_big.json

expect_bad "solve --data: malformed JSON" d_trunc.json solve --data "$T/d_trunc.json" --goal select:0
expect_bad "solve --data: NaN" d_nan.json solve --data "$T/d_nan.json" --goal select:0
expect_bad "solve --data: Inf (1e999)" d_inf.json solve --data "$T/d_inf.json" --goal select:0
expect_bad "solve --data: ragged keys" d_ragged.json solve --data "$T/d_ragged.json" --goal select:0
expect_bad "solve --data: keys and values row counts differ" d_rows.json solve --data "$T/d_rows.json" --goal select:0
expect_bad "solve --data: no values" d_novalues.json solve --data "$T/d_novalues.json" --goal select:0
expect_bad "solve --data: empty keys" d_empty.json solve --data "$T/d_empty.json" --goal select:0
expect_bad "solve --data: string entry" d_string.json solve --data "$T/d_string.json" --goal select:0
expect_bad "solve --data: unknown field" d_extra.json solve --data "$T/d_extra.json" --goal select:0
expect_bad "solve --data: top level is an array" d_array.json solve --data "$T/d_array.json" --goal select:0
expect_bad "solve --data: a directory" d_dir.json solve --data "$T/d_dir.json" --goal select:0
expect_bad "solve --data: missing file" no_such_data.json solve --data "$T/no_such_data.json" --goal select:0
expect_bad "solve --data: file over the size limit" d_big.json solve --data "$T/d_big.json" --goal select:0
expect_bad "solve --data: malformed JSON (--format json)" d_trunc.json solve --data "$T/d_trunc.json" --goal identity --format json

cp "$SQ" square.json
expect_bad "solve: unknown goal" bogus solve --data "$T/square.json" --goal bogus
expect_bad "solve: goal select:9 with 4 keys names the data file" square.json solve --data "$T/square.json" --goal select:9
expect_bad "solve: goal select:-1" select:-1 solve --data "$T/square.json" --goal select:-1
expect_bad "solve: goal average: with no indices" average: solve --data "$T/square.json" --goal average:
expect_bad "solve: --data without --goal" goal solve --data "$T/square.json"

expect_bad "dataset: --shape 0,3" 0 dataset --shape 0,3
expect_bad "dataset: --shape 4" "--shape" dataset --shape 4
expect_bad "dataset: --shape 4,3,2,1" "--shape" dataset --shape 4,3,2,1
expect_bad "dataset: --shape a,b" "--shape" dataset --shape a,b
expect_bad "dataset: --shape 4,,3" "--shape" dataset --shape 4,,3
expect_bad "dataset: --shape -4,3" "--shape" dataset --shape=-4,3
expect_bad "dataset: --shape empty" "--shape" dataset --shape ""
expect_bad "dataset: --shape 5000,3 (too large)" 5000 dataset --shape 5000,3
expect_bad "dataset: --decimals 9" "--decimals" dataset --decimals 9
expect_bad "dataset: --torch-seed abc" "--torch-seed" dataset --torch-seed abc

expect_bad "check: --tol 0" "--tol" check "$HERE/answers_partial.py" --tol 0
expect_bad "check: --tol -1" "--tol" check "$HERE/answers_partial.py" --tol=-1
expect_bad "check: --tol abc" "--tol" check "$HERE/answers_partial.py" --tol abc
expect_bad "check: --tol nan" "--tol" check "$HERE/answers_partial.py" --tol nan
expect_bad "check: --tol inf" "--tol" check "$HERE/answers_partial.py" --tol inf
expect_bad "solve: --tol abc" "--tol" solve --tol abc
expect_bad "solve: --format xml" "--format" solve --format xml
expect_bad "check: no FILE" "FILE" check
expect_bad "solve: unexpected argument" "extra_arg" solve extra_arg

# --- issue 11: hostile input (tests/regress/ holds the files that once crashed or misbehaved) ---
# expect_bad already requires exit 2, one stderr line, the needle and no crash text; these also
# need no ESC byte on stderr and the file named.
REG=$(cd "$HERE/../regress" && pwd)
expect_clean() {
    expect_bad "$@"
    local id="bad$((RUNS - 1))"
    if [[ "$(<"$T/$id.err")" == *$'\e'* ]]; then not_ok "$1 (no ESC)" "stderr carries an escape sequence"; fi
}
for f in "$REG"/session_*.json "$REG"/fuzz_session_*.json; do
    name=$(basename "$f")
    case "$name" in *value_1e6*) continue ;; esac  # within the limits: loads (see resource tests)
    expect_clean "hostile session $name names the file" "$name" --session "$f" --screenshot "$T/never.png"
done
expect_clean "data set field with newline and ESC" 'unknown field "a\nb\x1b[31mRED"' \
    solve --data "$REG/dataset_field_newline_esc.json" --goal select:0
expect_clean "solve on keys of 1e308 names the file" solve_1e308_message_without_file.json \
    solve --data "$REG/solve_1e308_message_without_file.json" --goal select:0
expect_clean "solve on d = 100000 is refused by the d limit" "limit of 128" \
    solve --data "$REG/solve_d100000_abort.json" --goal select:0
expect_clean "solve on d = 10000 is refused by the d limit" "limit of 128" \
    solve --data "$REG/solve_d10000_768MB.json" --goal average:0,1

printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1]], "keys": [[5, 5], [5, 5]]}' >d_dupkeys.json
printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1]]}\0{"x": 1}' >d_nul.json
printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, 1]], "a\\u0000b": 1}' >d_nulname.json
printf '{"keys": [[1, 0], [0, 1]], "values": [[1, 0], [0, "%s' "$(head -c 100000 /dev/zero | tr '\0' 'A')" >d_longstr.json
printf 'import os; os.system("echo hacked")\nquery121 = torch.tensor([1., 2, 3])\n' >import_semicolon.py
printf 'query121 = torch.tensor([1e200, -1e200, 1e200])\n' >ans_1e200.py
printf '{"query121": [1e200, -1e200, 1e200]}' >ans_1e200.json
expect_clean "data set with a duplicate key" 'appears twice' solve --data "$T/d_dupkeys.json" --goal select:0
expect_clean "data set with text after a NUL" 'NUL byte' solve --data "$T/d_nul.json" --goal select:0
expect_clean "data set field name with an escaped NUL" 'unknown field "a\x00b"' solve --data "$T/d_nulname.json" --goal select:0
expect_clean "unterminated long string: short message" 'd_longstr.json: invalid JSON at line 1' \
    solve --data "$T/d_longstr.json" --goal select:0
# Issue 14: a statement that is not an answer is never executed; the answers are graded.
run import_semicolon check "$T/import_semicolon.py" --format json
pycase "import os; os.system(...) on one line: never run, query121 graded" import_semicolon <<'PY'
    c.expect_rc(0)
    assert "hacked" not in c.out + c.err, "os.system ran"
    t = tasks_by_id(c.json())
    assert t["1.2.1"]["answered"] is True and t["1.2.1"].get("graded", True) is True, t["1.2.1"]
PY
# 1e200 is inf in float32, as torch.tensor makes it: graded, and it fails with a reason.
run ans_1e200 check "$T/ans_1e200.py" --format json
pycase "answers of 1e200 (python) fail as not finite" ans_1e200 <<'PY'
    c.expect_rc(1)
    t = tasks_by_id(c.json())["1.2.1"]
    assert t["pass"] is False and "not finite" in t.get("problem", ""), t
PY
expect_clean "answers of 1e200 (JSON) are refused" 'outside ±1e6' check "$T/ans_1e200.json" --format json

expect_clean "--torch-seed 2^64 is out of range" '--torch-seed' dataset --torch-seed 18446744073709551616
expect_clean "--torch-seed empty" '--torch-seed' dataset --torch-seed ''
expect_clean "--torch-seed -1" '--torch-seed' dataset --torch-seed=-1
expect_clean "--tol 0x10 (hex)" '--tol' check "$HERE/answers_partial.py" --tol 0x10
expect_clean "--tol empty" '--tol' solve --tol ''
expect_clean "--decimals 0x3 (hex)" '--decimals' dataset --decimals 0x3
expect_clean "dataset --shape beyond the N limit" 'limit of 1024' dataset --shape 1025,3
expect_clean "dataset --shape beyond the d limit" 'limit of 128' dataset --shape 4,129
expect_clean "dataset --shape 4096,4096" 'limit of' dataset --shape 4096,4096
expect_clean "--size 99999999999x1 overflows" '--size' --screenshot "$T/never.png" --size 99999999999x1
expect_clean "--size 8192x8192 is too many pixels" 'limit of 16777216' --screenshot "$T/never.png" --size 8192x8192
expect_clean "--size 4096x4096 at --scale 2 is too many pixels" 'limit of 16777216' \
    --screenshot "$T/never.png" --size 4096x4096 --scale 2
expect_clean "--size 1280x720x" '--size' --screenshot "$T/never.png" --size 1280x720x
expect_clean "--scale 1.5" '--scale' --screenshot "$T/never.png" --scale 1.5
expect_clean "--scale 0x2" '--scale' --screenshot "$T/never.png" --scale 0x2
mkfifo fifo.png
expect_clean "--screenshot to a FIFO (no display: refused early or by the FIFO check)" 'attnlab' --screenshot "$T/fifo.png"
[ -p fifo.png ] && ok "the FIFO is still a FIFO" || not_ok "the FIFO is still a FIFO" "replaced"

# --- tensors info (issue 12): captured attention files --------------------------------------------

TENSORS="$HERE/../fixtures/tensors"
run tensors_info tensors info "$TENSORS/encoder.safetensors"
pycase "tensors info prints layers, heads, tokens, d and the first tokens" tensors_info <<'PY'
    c.expect_rc(0)
    assert "layers 2, heads 2, tokens 8, d 8, dv 8" in c.out, c.out
    assert 'tokens: "the" "quick" "brown"' in c.out, c.out
PY
run tensors_npz tensors info "$TENSORS/encoder_deflated.npz"
pycase "tensors info reads a deflated .npz" tensors_npz <<'PY'
    c.expect_rc(0)
    assert "npz, float32" in c.out and "causal false" in c.out, c.out
PY
expect_bad "tensors info: lying offsets" "run past the end of the data" tensors info "$TENSORS/bad/offsets_past_end.safetensors"
expect_bad "tensors info: zip bomb" "zip bomb" tensors info "$TENSORS/bad/zip_bomb.npz"
expect_bad "tensors info: a lone .npy" "numpy.savez" tensors info "$TENSORS/bad/lone.npy"
expect_bad "tensors info: a directory" "not a regular file" tensors info "$TENSORS"
expect_bad "tensors info: a FIFO" "not a regular file" tensors info "$T/fifo.png"
run tensors_patterns tensors info --patterns "$TENSORS/encoder.safetensors"
pycase "tensors info --patterns prints four scores for every head" tensors_patterns <<'PY'
    c.expect_rc(0)
    import re
    lines = re.findall(r"^layer (\d) head (\d): previous [01]\.\d{3}, self [01]\.\d{3}, first [01]\.\d{3}, induction ", c.out, re.M)
    assert lines == [("0", "0"), ("0", "1"), ("1", "0"), ("1", "1")], c.out
PY
expect_bad "--head past the capture's heads" "has 2 layers × 2 heads" --head 0,2 "$TENSORS/encoder.safetensors"
expect_bad "--head that is not a number" "--head" --head 1,x "$TENSORS/encoder.safetensors"
expect_bad "--head without a capture" "goes with a captured-attention FILE" --head 0,0

# --- content checks, in one python process ----------------------------------------------------

if "$PYBIN" "$HERE/cli_checks.py" "$CHECKS" "$T/py_result"; then
    read -r p f <"$T/py_result"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
else
    not_ok "content checks" "cli_checks.py did not run"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
