# Content checks for run_cli_tests.sh, run in ONE python3 process (starting python is slow here).
#
# usage: python3 cli_checks.py CHECKS_FILE RESULT_FILE
# CHECKS_FILE is python written by the bash script: a sequence of
#   @case("name", "ID")
#   def _(c):
#       assert ..., "detail"
# where c.rc, c.out, c.err are the exit code, stdout and stderr of the run saved as ID.{rc,out,err}
# next to CHECKS_FILE, c.json() parses stdout, and c.file("name") reads another file there.
# Prints "ok - name" / "not ok - name: detail" per case and writes "PASSED FAILED" to RESULT_FILE.
# No torch: attention is recomputed here in plain Python.
import json
import math
import os
import sys

DIR = os.path.dirname(os.path.abspath(sys.argv[1]))
CASES = []


class Run:
    def __init__(self, run_id):
        self.id = run_id

        def read(ext, default=""):
            try:
                with open(os.path.join(DIR, run_id + "." + ext), encoding="utf-8", errors="replace") as f:
                    return f.read()
            except OSError:
                return default

        rc = read("rc", "").strip()
        self.rc = int(rc) if rc.lstrip("-").isdigit() else None
        self.out = read("out")
        self.err = read("err")

    def json(self):
        try:
            return json.loads(self.out)
        except ValueError as e:
            raise AssertionError("stdout of %s is not JSON (%s): %r" % (self.id, e, self.out[:200]))

    def file(self, name):
        with open(os.path.join(DIR, name), encoding="utf-8") as f:
            return f.read()

    def expect_rc(self, want):
        assert self.rc == want, "exit %s, expected %s; stderr: %s" % (self.rc, want, self.err.strip()[:300])


def case(name, run_id):
    def register(fn):
        CASES.append((name, run_id, fn))
        return fn

    return register


# --- plain-Python attention: softmax(q . k_j) weights over the values (scale 1, as the course) ---

def softmax(xs):
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    s = sum(e)
    return [x / s for x in e]


def attend(q, keys, values):
    w = softmax([sum(a * b for a, b in zip(q, k)) for k in keys])
    return [sum(w[j] * values[j][c] for j in range(len(keys))) for c in range(len(values[0]))]


def mean_rows(rows):
    return [sum(r[c] for r in rows) / len(rows) for c in range(len(rows[0]))]


def max_diff(a, b):
    assert len(a) == len(b), "length %d vs %d" % (len(a), len(b))
    return max(abs(x - y) for x, y in zip(a, b))


def shape(m):
    if isinstance(m, list) and m and isinstance(m[0], list):
        return (len(m), len(m[0]))
    if isinstance(m, list):
        return (len(m),)
    return ()


def tasks_by_id(doc):
    assert isinstance(doc, dict) and isinstance(doc.get("tasks"), list), "no \"tasks\" list in %r" % (str(doc)[:200],)
    return {t.get("id"): t for t in doc["tasks"]}


def task_text(task):
    """Every string in a task entry except its id: where a reason can be."""
    return " ".join(str(v) for k, v in task.items() if k != "id" and isinstance(v, str))


NAMES = ["query121", "query122", "query131", "query132", "m_key141", "m_key142"]
IDS = ["1.2.1", "1.2.2", "1.3.1", "1.3.2", "1.4.1", "1.4.2"]

# The notebook's data (torch.manual_seed(447), randn(4, 3) twice, rows normalized, round_(2)).
NB_KEYS = [[0.47, 0.65, 0.60], [0.64, 0.50, -0.59], [-0.03, -0.48, -0.88], [0.43, -0.83, 0.35]]
NB_VALUES = [[-0.07, -0.88, 0.47], [0.37, -0.93, -0.07], [-0.25, -0.75, 0.61], [0.94, 0.20, 0.28]]


def main():
    checks_file, result_file = sys.argv[1], sys.argv[2]
    with open(checks_file, encoding="utf-8") as f:
        code = f.read()
    exec(compile(code, checks_file, "exec"), globals())
    passed = failed = 0
    for name, run_id, fn in CASES:
        try:
            fn(Run(run_id))
        except Exception as e:  # AssertionError and anything a broken output provokes
            detail = str(e) or type(e).__name__
            print("not ok - %s: %s" % (name, detail.replace("\n", " ")[:400]))
            failed += 1
        else:
            print("ok - %s" % name)
            passed += 1
    with open(result_file, "w") as f:
        f.write("%d %d\n" % (passed, failed))


if __name__ == "__main__":
    main()
