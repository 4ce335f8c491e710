#!/usr/bin/env python3
"""Writes tests/fixtures/class/: a synthetic class of 30 hand-ins and the table they must grade to.

usage: python3 tests/tools/make_class_fixture.py [OUT_DIR]   (default: tests/fixtures/class)

Standard library only; the output is committed. What it writes:
  OUT_DIR/hand-ins/   what `attnlab check OUT_DIR/hand-ins` grades: 25 files directly inside and
                      5 student folders, mixing constants (.py and .json), tensor expressions,
                      .ipynb notebooks, broken files, hostile code (import os, __import__, open,
                      exec; never executed), an empty folder, a folder with two files, a file
                      name and a JSON key carrying HTML.
  OUT_DIR/expected.json   for every student: the state of each task (pass, fail, n/a, missing)
                      or "error" (the hand-in cannot be read), with substrings the reason or
                      error must contain. The states come from how each hand-in was written
                      (the intent below), not from attnlab's output; tests/report/class_report_test.py
                      compares attnlab's JSON against them exactly.
"""
import json
import os
import shutil
import sys

TASKS = ["1.2.1", "1.2.2", "1.3.1", "1.3.2", "1.4.1", "1.4.2"]

# attnlab solve --format python (the analytic answers; each passes at 1e-7).
SOLVED = {
    "query121": [-1.3964043, 9.065437, 12.5146675],
    "query122": [[-1.3964043, 9.065437, 12.5146675], [12.384222, 12.171193, -13.476729],
                 [-9.824738, -6.8274474, -11.855], [3.6151414, -12.99019, 8.696853]],
    "query131": [0.0, 0.0, 0.0],
    "query132": [46.545303, 61.381813, -1.0878735],
    "m_key141": [[0.47, 0.65, 0.6], [0.64, 0.5, -0.59], [0.6838119, 0.46134242, -0.89668345], [0.43, -0.83, 0.35]],
    "m_key142": [[0.47, 0.65, 0.6], [0.64, 0.5, -0.59], [0.6041597, 0.79673815, -0.0141206365], [0.43, -0.83, 0.35]],
}
NAMES = list(SOLVED)


def tensor(value):
    return "torch.tensor(" + json.dumps(value) + ")"


def constants(names=NAMES, override=None):
    override = override or {}
    lines = ["import torch", ""]
    for name in names:
        lines.append(f"{name} = {override.get(name, tensor(SOLVED[name]))}")
    return "\n".join(lines) + "\n"


# The notebook's own cells (A2S1.py), answers written as expressions; check_query(..., key=m_key)
# gives m_key141 and m_key142.
A2S1_CELLS = [
    "import torch\nimport torch.nn.functional as F\n\ntorch.manual_seed(447)\nkey = torch.randn(4, 3)\n"
    "key /= torch.norm(key, dim=1, keepdim=True)\nkey.round_(decimals=2)\nvalue = torch.randn(4, 3)\n"
    "value /= torch.norm(value, dim=1, keepdim=True)\nvalue.round_(decimals=2)",
    "def attention(query, key, value):\n    return F.scaled_dot_product_attention(query, key, value, scale=1)\n\n"
    "def check_query(query, target, key=key, value=value):\n    a_out = attention(query, key, value)\n"
    "    print(\"maximum absolute element-wise difference:\", (target - a_out).abs().max())",
    "# TODO:\nquery121 = key[0] * 100\ncheck_query(query121, value[0])",
    "# TODO:\nquery122 = key * 100\ncheck_query(query122, value)",
    "# TODO:\nquery131 = torch.zeros(3)\ntarget = torch.reshape(value.mean(0, keepdims=True), (3,))\n"
    "check_query(query131, target)",
    "# TODO:\nquery132 = 20 * (key[0] + key[1]) / (key[0] + key[1]).norm()\n"
    "target = torch.reshape(value[(0, 1),].mean(0, keepdims=True), (3,))\ncheck_query(query132, target)",
    "m_key = key.clone()\n# TODO:\nm_key[2] = (key[0] + key[1]) / 2\n"
    "check_query(query132, value[(0, 1, 2),].mean(0, keepdims=True), key=m_key)",
    "m_key = key.clone()\n# TODO:\nm_key[2] = query132\nm_key[2] /= m_key[2].norm()\n"
    "check_query(query132, value[2], key=m_key)",
]


def notebook(cells, markdown_between=True):
    out = []
    for i, source in enumerate(cells):
        if markdown_between:
            out.append({"cell_type": "markdown", "metadata": {}, "source": [f"## Step {i + 1}\n"]})
        lines = source.split("\n")
        out.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                    "source": [line + "\n" for line in lines[:-1]] + [lines[-1]]})
    return json.dumps({"cells": out, "metadata": {"kernelspec": {"name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


EXPRESSIONS = """import torch
query121 = key[0] * 100
query122 = key * 100
query131 = torch.zeros(3)
query132 = 10 * (key[0] + key[1])
m_key141 = key.clone(); m_key141[2] = (key[0] + key[1]) / 2
m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()
"""

P, F, NA, M = "pass", "fail", "n/a", "missing"
ALL_PASS = {t: P for t in TASKS}


def states(**changes):
    out = dict(ALL_PASS)
    for key, value in changes.items():
        out[key.replace("t", "").replace("_", ".")] = value
    return out


def only(passing, rest=M):
    return {t: (P if t in passing else rest) for t in TASKS}


# name → (file in hand-ins/, bytes or str, expected). expected: {"tasks": {...}, "reasons": {...}}
# or {"error": substring}.
def hand_ins():
    short_132 = EXPRESSIONS.replace("10 * (key[0] + key[1])", "(key[0] + key[1])")
    short_132b = EXPRESSIONS.replace("10 * (key[0] + key[1])", "2 * (key[0] + key[1])")
    h = {}
    h["alice"] = ("alice.py", constants(), {"tasks": ALL_PASS})
    h["bob"] = ("bob.json", json.dumps(SOLVED, indent=1) + "\n", {"tasks": ALL_PASS})
    h["carol"] = ("carol.py", EXPRESSIONS, {"tasks": ALL_PASS})
    h["dan"] = ("dan.ipynb", notebook(A2S1_CELLS), {"tasks": ALL_PASS})
    # |q| of 1.3.2 too short: 1.3.2 fails and 1.4.2 (a unit key) cannot win with it
    too_short = {"1.4.2": "The 1.3.2 query is too short for any unit k2 to win"}
    h["erin"] = ("erin.py", short_132, {"tasks": states(t1_3_2=F, t1_4_1=F, t1_4_2=F),
                                              "reasons": dict(too_short, **{"1.3.2": "q is too short"})})
    # 2× is long enough for 1.3.2 and 1.4.1 but not for 1.4.2: the same grouped reason as erin's
    h["eli"] = ("eli.py", short_132b, {"tasks": states(t1_4_2=F), "reasons": too_short})
    h["frank"] = ("frank.py", EXPRESSIONS.replace("query122 = key * 100", "import os\nquery122 = os.system(\"touch attnlab-class-executed\")"),
                  {"tasks": states(t1_2_2=NA), "reasons": {"1.2.2": "uses `os` at line 4"}})
    h["grace"] = ("grace.py", EXPRESSIONS.replace("query131 = torch.zeros(3)",
                                                  "query131 = __import__('os').system('touch attnlab-class-executed')"),
                  {"tasks": states(t1_3_1=NA), "reasons": {"1.3.1": "uses `__import__`"}})
    h["fay"] = ("fay.py", EXPRESSIONS.replace("query121 = key[0] * 100", "query121 = open('/etc/passwd').read()"),
                {"tasks": states(t1_2_1=NA), "reasons": {"1.2.1": "uses `open`"}})
    h["gus"] = ("gus.py", EXPRESSIONS.replace("query121 = key[0] * 100", "exec('query121 = key[0] * 100')"),
                {"tasks": states(t1_2_1=M)})
    h["heidi"] = ("heidi.py", "", {"tasks": only([])})  # an empty file answers nothing
    h["ivan"] = ("ivan.py", constants(["query131", "query121"]).replace("query121 = torch.tensor([", "query121 = torch.tensor(["
                                                                                                        "[", 1),
                 {"tasks": only(["1.3.1"]) | {"1.2.1": NA}, "reasons": {"1.2.1": "cannot be graded"}})
    h["judy"] = ("judy.json", '{"query121": [1.0, 2.0,\n', {"error": "judy.json"})
    h["mallory"] = ("mallory.py", b"query121 = torch.tensor([1.0, 0.0, 0.0])\n\x00\x01\x02\xff\xfe", {"error": "mallory.py"})
    h["<img src=x onerror=alert(1)>"] = ("<img src=x onerror=alert(1)>.py", constants(["query121"]), {"tasks": only(["1.2.1"])})
    h["olivia"] = ("olivia.py", constants(override={"query122": tensor(SOLVED["query122"][:3])}),
                   {"tasks": states(t1_2_2=F), "reasons": {"1.2.2": "query122 has shape 3×3, expected (4, 3)"}})
    h["peggy"] = ("peggy.ipynb", notebook(A2S1_CELLS[:3] + ["import subprocess\nquery122 = subprocess.run(['ls'])"] + A2S1_CELLS[4:]),
                  {"tasks": states(t1_2_2=NA), "reasons": {"1.2.2": "uses `subprocess` at cell 8"}})
    h["rupert"] = ("rupert.py", constants(["query121", "query131"]), {"tasks": only(["1.2.1", "1.3.1"])})
    sybil_key = [row[:] for row in SOLVED["m_key141"]]
    sybil_key[0][0] = 0.5
    h["sybil"] = ("sybil.py", constants(override={"m_key141": tensor(sybil_key)}),
                  {"tasks": states(t1_4_1=F), "reasons": {"1.4.1": "key row 0 was changed; only row 2 may change"}})
    h["trent"] = ("trent.py", EXPRESSIONS.replace("query131 = torch.zeros(3)", "query131 = key[0] * 10"), {"tasks": states(t1_3_1=F)})
    h["victor"] = ("victor.py", EXPRESSIONS.replace("query121 = key[0] * 100", "query121 = key[1] * 100"),
                   {"tasks": states(t1_2_1=F), "reasons": {"1.2.1": "k1 scores at least as high as k0"}})
    h["walter"] = ("walter.py", EXPRESSIONS.replace("query121 = key[0] * 100", "query121 = key[0]"),
                   {"tasks": states(t1_2_1=F), "reasons": {"1.2.1": "q is too short"}})
    # UTF-8 BOM, CRLF line ends, Chinese comments
    chen = "\ufeff# 张晨的作业\n" + constants().replace("\n", "  # 常量\n", 3)
    h["chen"] = ("chen.py", chen.replace("\n", "\r\n"), {"tasks": ALL_PASS})
    h["dora"] = ("dora.py", EXPRESSIONS.replace("query121 = key[0] * 100", "query121 = torch.tensor([float('inf'), 0.0, 0.0])"),
                 {"tasks": states(t1_2_1=NA), "reasons": {"1.2.1": "cannot be graded"}})
    h["frank-json"] = ("frank-json.json", json.dumps({"<script>alert(1)</script>": [1, 2, 3]}) + "\n",
                       {"error": "unknown name"})
    # folders: one hand-in each, an empty one, one with two files
    h["xavier"] = ("xavier/hand-in.py", constants(), {"tasks": ALL_PASS})
    h["yolanda"] = ("yolanda/A2S1.ipynb", notebook(A2S1_CELLS, markdown_between=False), {"tasks": ALL_PASS})
    h["zoe"] = ("zoe/", None, {"error": "no .py, .ipynb or .json file in the folder"})
    h["amy"] = ("amy/", None, {"error": "2 hand-in files in the folder (answers.py, answers_v2.py): keep one"})
    h["ben"] = ("ben/answers.json", json.dumps({k: SOLVED[k] for k in NAMES[:4]}) + "\n", {"tasks": only(TASKS[:4])})
    return h


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "fixtures", "class")
    root = os.path.join(out, "hand-ins")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    expected = {}
    for student, (path, content, expect) in sorted(hand_ins().items()):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full) if not path.endswith("/") else full, exist_ok=True)
        if content is not None:
            with open(full, "wb") as f:
                f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        expected[student] = expect
    # folder extras: what the grader must skip or refuse
    for name in ("answers.py", "answers_v2.py"):
        with open(os.path.join(root, "amy", name), "w") as f:
            f.write(constants(["query121"]))
    with open(os.path.join(root, "ben", "README.txt"), "w") as f:
        f.write("not a hand-in: skipped\n")
    os.makedirs(os.path.join(root, "yolanda", ".ipynb_checkpoints"), exist_ok=True)
    with open(os.path.join(root, "yolanda", ".ipynb_checkpoints", "A2S1-checkpoint.ipynb"), "w") as f:
        f.write(notebook(A2S1_CELLS[:3]))
    with open(os.path.join(root, "zoe", ".keep"), "w") as f:  # git keeps no empty folder; dot files are skipped
        f.write("")
    with open(os.path.join(root, "notes.txt"), "w") as f:
        f.write("the TA's notes: not a hand-in, skipped\n")
    assert len(expected) == 30, len(expected)
    doc = {"about": "expected grades of hand-ins/ at tolerance 0.05; written by tests/tools/make_class_fixture.py",
           "tasks": TASKS, "students": expected}
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(expected)} hand-ins to {root} and {os.path.join(out, 'expected.json')}")


if __name__ == "__main__":
    main()
