#!/usr/bin/python3
"""Writes tests/fixtures/expr/*.json: tensor expressions evaluated by PyTorch, for tests/course/test_pyexpr.cpp.

Run by hand, never by the tests (they must not need torch). With Debian's torch:

    apt-get install -y python3-torch
    /usr/bin/python3 tests/tools/make_expr_fixtures.py [--count 600] [--seed 14]

Outputs
  random.json  `count` random expressions over the subset core/course/pyexpr.h accepts (seeded), each
               {"expr", "shape", "bits"} with the float32 result as 8-hex-digit bit patterns, or
               {"expr", "error"} when torch raises. "linalg": true marks results that went through
               linalg.inv/lstsq (LAPACK in float32 versus our double: compared with a tolerance).
  forms.json   one hand-written case per form of the issue (the four examples, the multi-line
               A2S1.py form): {"name", "source", "answers": {name: {"shape", "bits"}}}.
  constructs.json  hand-written expressions of issue 22 (function forms of methods, dim=/keepdim=,
               shapes, sizes and len), each as in random.json: {"expr", "shape", "bits"} or
               {"expr", "error"}. A Python int result (key.shape[0]) is written as a 0-dim float32.
  scripts.json issue 22: `count // 20` random hand-ins (seeded) over the constructs added for it:
               function forms with keyword arguments (torch.mean(x, dim=0), torch.sum/matmul/
               transpose/norm/clone/squeeze/unsqueeze), shapes (key.shape[0], key.size(0), len(key),
               torch.zeros(key.shape)), an lstsq result kept in a name (q[0].T, q.solution) and a
               def helper; each run whole by Python, as forms.json. random.json is unchanged by it.
  defs.json    issue 22: hand-ins with helper functions (def ... return), run whole by Python, and
               the constructs of item 5 (names bound again, in-place edits of slices and elements,
               a @ b @ c): as forms.json.
The names are the notebook's data: torch.manual_seed(447), randn(4, 3) keys then values, each
row normalized and rounded to 2 decimals, exactly as core/math/dataset.cpp builds them.
"""
import argparse
import json
import os
import random
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "expr")


def notebook_data():
    torch.manual_seed(447)
    key = torch.randn(4, 3)
    key /= torch.norm(key, dim=1, keepdim=True)
    key.round_(decimals=2)
    value = torch.randn(4, 3)
    value /= torch.norm(value, dim=1, keepdim=True)
    value.round_(decimals=2)
    return key, value


def bits(t):
    t = t.detach().to(torch.float32).reshape(-1)
    return ["%08x" % struct.unpack("<I", struct.pack("<f", float(x)))[0] for x in t.tolist()]


class Gen:
    """Random expressions of a wanted shape (top-down), so most of them are valid."""

    SHAPES = [(), (3,), (4,), (1, 3), (4, 3), (3, 4), (3, 3), (2, 3), (4, 1)]

    def __init__(self, rng):
        self.r = rng
        self.linalg = False

    def number(self):
        r = self.r
        return r.choice(["2", "3", "0.5", "100", "1e-3", "5e5", "0.1", "1.5", "-2", "10", "0.25", "7"])

    def literal(self, shape):
        r = self.r
        def num():
            x = round(r.uniform(-3, 3), r.choice([0, 1, 2]))
            return repr(float(x))
        if shape == ():
            return "torch.tensor(%s)" % num()
        if len(shape) == 1:
            return "torch.tensor([%s])" % ", ".join(num() for _ in range(shape[0]))
        rows = ["[%s]" % ", ".join(num() for _ in range(shape[1])) for _ in range(shape[0])]
        return "torch.tensor([%s])" % ", ".join(rows)

    def leaf(self, shape):
        r = self.r
        options = [lambda: self.literal(shape)]
        if shape == (4, 3):
            options += [lambda: "key", lambda: "value", lambda: "key.clone()"]
        if shape == (3,):
            options += [lambda: "%s[%d]" % (r.choice(["key", "value"]), r.randrange(-4, 4))]
        if shape == (4,):
            options += [lambda: "%s[:, %d]" % (r.choice(["key", "value"]), r.randrange(3))]
        if shape == (3, 4):
            options += [lambda: "key.T", lambda: "value.t()", lambda: "key.transpose(-2, -1)"]
        if shape == (2, 3):
            options += [lambda: "key[:2]", lambda: "value[1:3]", lambda: "key[::2]"]
        if shape == ():
            options += [lambda: "key[%d, %d]" % (r.randrange(4), r.randrange(3)), lambda: "value[1][2]"]
        if shape == (3, 3):
            options += [lambda: "torch.eye(3)"]
        if len(shape) >= 1 and r.random() < 0.2:
            options += [lambda: "torch.%s(%s)" % (r.choice(["zeros", "ones"]), ", ".join(map(str, shape)))]
        return r.choice(options)()

    def gen(self, shape, depth):
        r = self.r
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(shape)
        d = depth - 1
        choices = ["binary", "binary", "binary", "neg", "pow"]
        if shape != ():
            choices += ["matmul", "softmax", "reshape", "clone"]
        else:
            choices += ["matmul", "reduce_all"]
        if len(shape) == 2:
            choices += ["transpose", "stack_or_cat", "unsqueeze"]
        if len(shape) == 1:
            choices += ["reduce_dim", "index_row", "squeeze"]
        if shape == (3, 3):
            choices += ["linalg"]
        kind = r.choice(choices)
        if kind == "binary":
            op = r.choice(["+", "-", "*", "/"])
            a = "(%s)" % self.gen(shape, d)
            other = r.choice(["same", "number", "suffix", "scalar"])
            if other == "number":
                b = self.number()
            elif other == "suffix" and len(shape) == 2:
                b = "(%s)" % self.gen(shape[1:], d)
            elif other == "scalar":
                b = "(%s)" % self.gen((), d)
            else:
                b = "(%s)" % self.gen(shape, d)
            return "%s %s %s" % ((a, op, b) if r.random() < 0.5 else (b, op, a))
        if kind == "neg":
            return "-(%s)" % self.gen(shape, d)
        if kind == "pow":
            return "(%s) ** %s" % (self.gen(shape, d), r.choice(["2", "3", "0.5", "-1", "2.5", "1", "0", "-2"]))
        if kind == "clone":
            return "(%s).clone()" % self.gen(shape, d)
        if kind == "matmul":
            k = r.choice([3, 4])
            if shape == ():
                return "(%s) @ (%s)" % (self.gen((k,), d), self.gen((k,), d))
            if len(shape) == 1:
                if r.random() < 0.5:
                    return "(%s) @ (%s)" % (self.gen((k,), d), self.gen((k, shape[0]), d))
                return "(%s) @ (%s)" % (self.gen((shape[0], k), d), self.gen((k,), d))
            return "(%s) @ (%s)" % (self.gen((shape[0], k), d), self.gen((k, shape[1]), d))
        if kind == "softmax":
            dim = r.randrange(-len(shape), len(shape))
            if r.random() < 0.5:
                return "torch.softmax(%s, dim=%d)" % (self.gen(shape, d), dim)
            return "(%s).softmax(%d)" % (self.gen(shape, d), dim)
        if kind == "reshape":
            n = 1
            for s in shape:
                n *= s
            src = r.choice([s for s in self.SHAPES if (s[0] if len(s) == 1 else (s[0] * s[1] if len(s) == 2 else 1)) == n] or [shape])
            target = ", ".join(map(str, shape)) if shape else ""
            if len(shape) == 2 and r.random() < 0.5:
                target = "-1, %d" % shape[1]
            method = r.choice(["reshape", "reshape", "view"]) if src == shape else "reshape"
            return "(%s).%s(%s)" % (self.gen(src, d), method, target or "()")
        if kind == "reduce_all":
            m = r.choice(["sum()", "mean()", "norm()", "max()"])
            return "(%s).%s" % (self.gen(r.choice([(3,), (4, 3), (2, 3)]), d), m)
        if kind == "reduce_dim":
            k = r.choice([2, 4])
            m = r.choice(["sum", "mean"])
            if r.random() < 0.5:
                return "(%s).%s(0)" % (self.gen((k, shape[0]), d), m)
            if r.random() < 0.5:
                return "torch.norm(%s, dim=1)" % self.gen((shape[0], k), d)
            return "(%s).%s(dim=1)" % (self.gen((shape[0], k), d), m)
        if kind == "index_row":
            return "(%s)[%d]" % (self.gen((4, shape[0]), d), r.randrange(4))
        if kind == "squeeze":
            return "(%s).squeeze(0)" % self.gen((1, shape[0]), d)
        if kind == "unsqueeze":
            if shape[0] == 1:
                return "(%s).unsqueeze(0)" % self.gen((shape[1],), d)
            if shape[1] == 1:
                return "(%s).unsqueeze(-1)" % self.gen((shape[0],), d)
            return "(%s).T.T" % self.gen(shape, d)
        if kind == "transpose":
            return "(%s).%s" % (self.gen((shape[1], shape[0]), d), r.choice(["T", "t()", "transpose(0, 1)"]))
        if kind == "stack_or_cat":
            if shape[0] == 2:
                return "torch.stack([%s, %s])" % (self.gen((shape[1],), d), self.gen((shape[1],), d))
            if shape[1] == 2:
                return "torch.stack([%s, %s], dim=1)" % (self.gen((shape[0],), d), self.gen((shape[0],), d))
            if shape[0] >= 2:
                k = r.randrange(1, shape[0])
                return "torch.cat([%s, %s])" % (self.gen((k, shape[1]), d), self.gen((shape[0] - k, shape[1]), d))
            return "torch.cat([%s], dim=1)" % self.gen(shape, d)
        if kind == "linalg":
            self.linalg = True
            if r.random() < 0.5:
                return "torch.linalg.inv(key.T @ key + %s * torch.eye(3))" % self.number().lstrip("-")
            return "torch.linalg.lstsq(key, %s).solution" % r.choice(["value", "value * 2", "key"])
        raise AssertionError(kind)


class ScriptGen:
    """Random hand-ins (issue 22): Gen's expressions inside the function forms, shapes, an lstsq
    result kept in a name and a def helper. Its own random stream, so random.json stays as it is."""

    SIZES = ["key.shape[0]", "key.size(0)", "len(key)", "value.size(-1)", "key.shape[1]", "len(value[0])", "key.size()[1]"]

    def __init__(self, rng):
        self.r = rng
        self.g = Gen(rng)

    def size(self):
        return self.r.choice(self.SIZES)

    def vector(self, n, d):
        """A function form of shape (n,)."""
        r, g = self.r, self.g
        k = r.choice([2, 3, 4])
        options = [
            lambda: "torch.mean(%s, dim=0)" % g.gen((k, n), d),
            lambda: "torch.sum(%s, dim=1)" % g.gen((n, k), d),
            lambda: "torch.mean(%s, 1, keepdim=True).squeeze(1)" % g.gen((n, k), d),
            lambda: "torch.squeeze(%s, %s)" % (g.gen((1, n), d), r.choice(["0", "dim=0"])),
            lambda: "torch.squeeze(%s)" % g.gen((1, n), d),
            lambda: "torch.norm(%s, dim=1)" % g.gen((n, k), d),
            lambda: "torch.matmul(%s, %s)" % (g.gen((n, k), d), g.gen((k,), d)),
            lambda: "torch.matmul(input=%s, other=%s)" % (g.gen((k,), d), g.gen((k, n), d)),
            lambda: "torch.clone(%s) * %s" % (g.gen((n,), d), self.size()),
            lambda: "(%s) / %s" % (g.gen((n,), d), self.size()),
            lambda: "torch.zeros(%s) + %s" % ("key.size(1)" if n == 3 else "key.shape[0]", g.gen((n,), d)),
        ]
        return r.choice(options)()

    def matrix(self, rows, cols, d):
        """A function form of shape (rows, cols)."""
        r, g = self.r, self.g
        k = r.choice([3, 4])
        options = [
            lambda: "torch.transpose(%s, %s)" % (g.gen((cols, rows), d), r.choice(["0, 1", "-1, 0", "dim0=0, dim1=1"])),
            lambda: "torch.t(%s)" % g.gen((cols, rows), d),
            lambda: "torch.matmul(%s, %s)" % (g.gen((rows, k), d), g.gen((k, cols), d)),
            lambda: "torch.clone(%s)" % g.gen((rows, cols), d),
            lambda: "torch.sum(%s, dim=0, keepdim=True) + torch.zeros(%d, %d)" % (g.gen((k, cols), d), rows, cols),
        ]
        if rows == 1:
            options.append(lambda: "torch.unsqueeze(%s, %s)" % (g.gen((cols,), d), r.choice(["0", "dim=0"])))
        if cols == 1:
            options.append(lambda: "torch.unsqueeze(%s, %s)" % (g.gen((rows,), d), r.choice(["1", "dim=-1"])))
        if (rows, cols) == (4, 3):
            options.append(lambda: "torch.zeros(key.shape) + %s" % g.gen((4, 3), d))
            options.append(lambda: "(%s).reshape(key.shape)" % g.gen((3, 4), d))
        return r.choice(options)()

    def script(self):
        r = self.r
        d = r.choice([1, 2])
        lines = ["import torch"]
        helper = r.random() < 0.6
        if helper:
            lines += ["def helper(a, s):",
                      "    t = torch.clone(a) * s",
                      "    t = t + (%s)" % self.vector(3, 1),
                      "    return t"]
        lines.append("q = torch.linalg.lstsq(key, %s)" % self.g.gen((4, 3), 1))
        lines.append("query121 = %s" % self.vector(3, d))
        lines.append("query122 = %s" % r.choice(["q[0].T", "q.solution.T", "torch.transpose(q.solution, 0, 1)"]))
        if helper:
            lines.append("query131 = helper(%s, %s)" % (self.vector(3, d), r.choice([self.size(), "0.5", "2"])))
        else:
            lines.append("query131 = %s" % self.vector(3, d))
        lines.append("query132 = %s" % r.choice(["q[0][%d]" % r.randrange(3), "torch.mean(q.solution, dim=%d)" % r.randrange(2)]))
        rows, cols = r.choice([(4, 3), (1, 3), (3, 1), (3, 4), (4, 4)])
        lines.append("m_key141 = %s" % self.matrix(rows, cols, d))
        return "\n".join(lines) + "\n"


def random_scripts(count, seed, key, value):
    rng = random.Random(seed * 1000 + 22)
    forms = []
    while len(forms) < count:
        source = ScriptGen(rng).script()
        try:
            answers = run_def_form(source, key, value)
        except Exception:  # torch refuses: a hand-in whose answers are graded is wanted here
            continue
        forms.append({"name": "script_%d" % len(forms), "source": source, "answers": answers})
    return forms


def evaluate(expr, key, value):
    return eval(expr, {"torch": torch, "key": key, "value": value, "len": len})  # generated or hand-written text only


def random_cases(count, seed, key, value):
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        g = Gen(rng)
        if rng.random() < 0.04:  # a wrong shape somewhere: torch refuses, so must we
            a, b = rng.sample([(3,), (4,), (4, 3), (3, 4), (2, 3)], 2)
            expr = "(%s) %s (%s)" % (g.gen(a, 2), rng.choice(["+", "@", "*"]), g.gen(b, 2))
            try:
                evaluate(expr, key, value)
            except Exception as e:
                cases.append({"expr": expr, "error": type(e).__name__})
            continue
        shape = rng.choice(Gen.SHAPES)
        expr = g.gen(shape, rng.choice([1, 2, 3, 4]))
        try:
            out = evaluate(expr, key, value)
        except Exception as e:  # torch refuses: the C++ evaluator must refuse too
            cases.append({"expr": expr, "error": type(e).__name__})
            continue
        out = torch.as_tensor(out, dtype=torch.float32)
        case = {"expr": expr, "shape": list(out.shape), "bits": bits(out)}
        if g.linalg:
            case["linalg"] = True
        if "softmax" in expr:  # torch's vectorised exp (Sleef, 1 ulp) is not the C library's
            case["exp"] = True
        cases.append(case)
    return cases


FORMS = [
    ("issue_key0_times_100", "query121 = key[0] * 100\n"),
    ("issue_lstsq_solution_T", "target = value * 3\nquery122 = torch.linalg.lstsq(key, target).solution.T\n"),
    ("issue_onehot_inv", "onehot = torch.eye(4)\nquery122 = 5e5 * (onehot @ key @ torch.linalg.inv(key.T @ key))\n"),
    ("issue_mkey_normalized",
     "query132 = 10 * (key[0] + key[1])\n"
     "m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()\n"),
    ("lstsq_index0", "query122 = torch.linalg.lstsq(key, value)[0]\n"),
    ("stack_and_cat", "a = torch.stack([key[0], key[1] * 2])\nquery122 = torch.cat([a, key[2:] / 3])\n"),
    ("zeros_like_assign", "m = torch.zeros_like(key)\nm[1] = 2.5\nm[:, 0] += key[:, 1]\nquery122 = m\n"),
    ("softmax_and_float", "s = float(key[0] @ key[1])\nquery121 = torch.softmax(key[0] * s, dim=0) * 7\n"),
    ("shapes_unsqueeze_view", "q = key.mean(0).unsqueeze(0)\nquery131 = q.view(-1) * 50\nquery132 = q.reshape(3) - key.sum(dim=0, keepdim=True).squeeze()\n"),
    ("pow_max_ones", "query121 = (key[0] ** 2 + torch.ones(3)) * key.max() - 1 / key[3]\n"),
    # Issue 22: hand-ins as students write them.
    ("function_forms",
     "import torch\n"
     "scores = torch.matmul(key, torch.transpose(key, 0, 1))\n"
     "query121 = 100 * torch.mean(key[:1], dim=0)\n"
     "query122 = torch.matmul(torch.eye(4), key) * 100\n"
     "query131 = torch.squeeze(torch.zeros(1, 3))\n"
     "both = torch.unsqueeze(key[0] + key[1], 0)\n"
     "query132 = 20 * torch.sum(both, dim=0) / torch.norm(both, dim=1, keepdim=True).squeeze()\n"
     "m_key141 = torch.clone(key)\n"
     "m_key141[2] = torch.mean(key[:2], dim=0, keepdim=True)\n"
     "m_key142 = key.clone()\n"
     "m_key142[2] = query132 / torch.norm(query132)\n"),
    ("shapes_sizes_len",
     "n = key.shape[0]\n"
     "d = key.size(1)\n"
     "query121 = torch.zeros(d)\n"
     "query121[0] = len(key) * 10.0\n"
     "query122 = torch.zeros(key.shape) + key * 100\n"
     "query131 = torch.ones(key.size(-1)) / n\n"
     "s = key.shape\n"
     "query132 = (torch.ones(1, s[0]) @ key / s[0]).reshape(d) * 20\n"
     "m_key141 = torch.zeros(key.size())\n"
     "m_key141[:, :] = key\n"),
    ("lstsq_in_a_name",
     "out = value.T * 3\n"
     "q = torch.linalg.lstsq(key, out.T)\n"
     "query122 = q[0].T\n"
     "query131 = q.solution[0]\n"
     "sol = q.solution\n"
     "query132 = sol.sum(dim=1)\n"),
    ("a2s1_form", """# A2S1.py as the course's notebook downloads it, answers filled in
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(447)
key = torch.randn(4, 3)
key /= torch.norm(key, dim=1, keepdim=True)
key.round_(decimals=2)
value = torch.randn(4, 3)
value /= torch.norm(value, dim=1, keepdim=True)
value.round_(decimals=2)
print(f'key:\\n{key}')
print(f'value:\\n{value}')

def attention(query, key, value):
    \"\"\"
    Note that we remove scaling for simplicity.
    \"\"\"
    return F.scaled_dot_product_attention(query, key, value, scale=1)

def check_query(query, target, key=key, value=value):
    \"\"\"
    Helper function for you to check if your query is close to the required target matrix.
    \"\"\"
    a_out = attention(query, key, value)
    print("maximum absolute element-wise difference:", (target - a_out).abs().max())

# Define a query vector to "select" the first value vector
# TODO:
query121 = key[0] * 100
# compare output of attention with desired output
print(query121)
check_query(query121, value[0])

# TODO:
query122 = key * 100
print(query122)
check_query(query122, value)

# TODO:
query131 = torch.zeros(3)
print(query131)
target = torch.reshape(value.mean(0, keepdims=True), (3,)) # reshape to a vector
check_query(query131, target)

# TODO:
query132 = 20 * (key[0] + key[1]) / (key[0] + key[1]).norm()
print(query132)
target = torch.reshape(value[(0, 1),].mean(0, keepdims=True), (3,)) # reshape to a vector
check_query(query132, target)

m_key = key.clone()
# TODO:
m_key[2] = (key[0] + key[1]) / 2
# compare output of attention with desired output
check_query(query132, value[(0, 1, 2),].mean(0, keepdims=True), key=m_key)

m_key = key.clone()
# TODO:
m_key[2] = query132
m_key[2] /= m_key[2].norm()
# compare output of attention with desired output
check_query(query132, value[2], key=m_key)
"""),
]


# Issue 22: the function forms of methods, with dim= and keepdim= (both forms), then shapes.
CONSTRUCTS = [
    # function forms
    "torch.mean(key, dim=0)", "torch.mean(key, 1)", "torch.mean(key)", "torch.mean(key, dim=0, keepdim=True)",
    "torch.mean(key.T, dim=1)", "torch.mean(value, -1, keepdim=True)",
    "torch.sum(key, dim=1, keepdim=True)", "torch.sum(key.T, 0)", "torch.sum(value)", "torch.sum(key, dim=-2)",
    "torch.matmul(key, key.T)", "torch.matmul(key[0], key.T)", "torch.matmul(key[0], value[1])",
    "torch.matmul(key.T, value) * 10",
    "torch.transpose(key, 0, 1)", "torch.transpose(key, -1, -2) @ value", "torch.transpose(key, 1, 0).sum(0)",
    "torch.norm(key, dim=1)", "torch.norm(key, dim=0, keepdim=True)", "torch.norm(key)",
    "key / torch.norm(key, dim=1, keepdim=True)",
    "torch.clone(key) * 2", "torch.clone(key.T) @ key",
    "torch.squeeze(key[:1])", "torch.squeeze(key[:1], 0)", "torch.squeeze(key[:, 1:2], dim=1)",
    "torch.unsqueeze(key[0], 0)", "torch.unsqueeze(key[0], dim=1)", "torch.unsqueeze(value[2], -1) * key[:3]",
    "torch.t(key)", "torch.reshape(value.mean(0, keepdims=True), (3,))", "torch.max(key)",
    # dim= and keepdim= in method form
    "key.mean(dim=1, keepdim=True)", "key.sum(0, keepdim=True)", "key.T.sum(dim=1)", "key.norm(dim=1, keepdim=True)",
    "key.matmul(value.T)", "key[1].matmul(value.T)", "key.transpose(dim0=0, dim1=1)", "key.transpose(0, dim1=1)",
    "key[:1].squeeze(dim=0)", "key[0].unsqueeze(dim=0)",
    # errors PyTorch raises too
    "torch.mean(key, dim=5)", "torch.sum(key, -3)", "torch.matmul(key, key)", "torch.transpose(key, 0, 2)",
    "torch.unsqueeze(key, 3)", "torch.mean(2.0)", "torch.squeeze(key, dim=2)", "key.mean(dim=2, keepdim=True)",
    "torch.norm(key, dim=2)", "torch.matmul(key, 2.0)",
    # shapes
    "torch.zeros(key.shape)", "torch.ones(key[0].shape)", "torch.zeros(1, key.shape[0])",
    "torch.zeros(key.shape[1], key.shape[0])", "value.reshape(key.T.shape)", "key.view(key.size(1), key.size(0))",
    "torch.zeros(key.size())", "key * key.shape[0]", "key / key.size(-1) ** 0.5", "key @ value.T / len(key)",
    "torch.eye(len(key))", "torch.ones(key.shape[-1]) / key.shape[-1]", "key.shape[0] * 1.0", "len(key.shape)",
    "key.ndim", "torch.zeros(key.shape[1:])", "torch.ones(key.size(dim=1))", "key.size(0) + key.size(1)",
    "torch.zeros(key.shape) + key", "key.reshape(-1, key.shape[1])", "torch.ones((key.shape[0], 1)) * key",
    "len(key[0]) * key[0]", "key.shape[-2]", "torch.zeros_like(key) + len(key)",
    # shape errors PyTorch raises too
    "key.shape[2]", "key.size(2)", "len(key[0, 0])", "key.shape[0, 1]", "key.size(-3)", "key[0, 0].size(0)",
]


def construct_cases(key, value):
    cases = []
    for expr in CONSTRUCTS:
        try:
            out = evaluate(expr, key, value)
        except Exception as e:
            cases.append({"expr": expr, "error": type(e).__name__})
            continue
        out = torch.as_tensor(out, dtype=torch.float32)
        cases.append({"expr": expr, "shape": list(out.shape), "bits": bits(out)})
    return cases


def run_form(source, key, value):
    """Runs the source the way the notebook would, with the data fixed; collects the answers."""
    env = {"torch": torch, "key": key.clone(), "value": value.clone(), "print": lambda *a, **k: None}
    checks = []
    env["F"] = torch.nn.functional
    lines = []
    in_def = False
    for line in source.splitlines():
        # The setup and the notebook's helpers are skipped by attnlab too (the data are fixed by
        # the course); check_query is replaced by one that records the key it is given.
        if line.startswith("def "):
            in_def = True
            continue
        if in_def and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        in_def = False
        if line.startswith(("torch.manual_seed", "key = torch.randn", "value = torch.randn", "key /=", "value /=",
                            "key.round_", "value.round_")):
            continue
        lines.append(line)
    code = "\n".join(lines)

    def check_query(query, target, key=None, value=None):
        if key is not None:
            checks.append(key.clone())
    env["check_query"] = check_query
    exec(compile(code, "<form>", "exec"), env)  # hand-written forms only, never student files
    answers = {}
    for name in ["query121", "query122", "query131", "query132", "m_key141", "m_key142"]:
        if name in env and isinstance(env[name], torch.Tensor):
            answers[name] = {"shape": list(env[name].shape), "bits": bits(env[name])}
    for name, t in zip(["m_key141", "m_key142"], checks[-2:] if len(checks) >= 2 else []):
        answers[name] = {"shape": list(t.shape), "bits": bits(t)}
    return answers


# Issue 22: helper functions as students write them, and item 5's constructs. Run whole (defs too).
DEF_FORMS = [
    ("helper_returns_answer_local_key",
     "import torch\n"
     "def get_query121():\n"
     "    key = torch.tensor([[1.0, 0.5, 0.0], [0.0, 1.0, 0.25]])  # a local, not the notebook's key\n"
     "    q = key[0] * 10\n"
     "    q += key[1]\n"
     "    return q\n"
     "query121 = get_query121()\n"
     "query122 = key * 100  # the notebook's key again\n"),
    ("two_parameter_helper",
     "def scaled(v, s):\n"
     "    return v * s\n"
     "\n"
     "query131 = scaled(key[1], 20)\n"
     "query132 = scaled(key[0] + key[2], 0.5) - scaled(value[3], 2)\n"),
    ("helper_calls_helper",
     "def normalize(v):\n"
     "    n = v.norm()\n"
     "    return v / n\n"
     "\n"
     "def row_target(i, scale):\n"
     "    r = normalize(key[i] + key[3])\n"
     "    r = r * scale\n"
     "    return r\n"
     "\n"
     "query121 = row_target(0, 100)\n"
     "m_key141 = key.clone()\n"
     "m_key141[2] = row_target(1, 1.0)\n"),
    ("in_place_edits_in_a_helper",
     "def build_key(a, b):\n"
     "    m = key.clone()\n"
     "    m[2] = m[a] + m[b]\n"
     "    m[2] /= m[2].norm()\n"
     "    m[:2, 0] = -3\n"
     "    m[3, 1] += 0.25\n"
     "    return m\n"
     "m_key142 = build_key(0, 1)\n"),
    ("globals_read_at_call_time",
     "scale = 10\n"
     "def times_scale(x):\n"
     "    return x * scale\n"
     "scale = 50\n"
     "query121 = times_scale(key[0])\n"
     "query122 = times_scale(key @ torch.eye(3))\n"),
    ("names_bound_again",
     "q = key[0] * 1\n"
     "q = q * 2\n"
     "q = q + key[1]\n"
     "q = q @ torch.eye(3)\n"
     "query121 = q\n"
     "a = key.clone()\n"
     "b = a\n"
     "a = a * 2\n"
     "b[0] = 1\n"
     "query122 = b + a\n"),
    ("in_place_slices_and_elements",
     "out = key.clone() * 10\n"
     "out[:2, 0] = -3\n"
     "out[1:, 1:] += 0.5\n"
     "out[3] = out[3] * 2\n"
     "out[0, 0] += 7\n"
     "out[-1, -1] -= out[0, 1]\n"
     "out[::2, 2] *= -1\n"
     "query122 = out\n"
     "q = key[1:3] * 1\n"
     "q[0, 0] += 5\n"
     "q[1] /= 4\n"
     "m_key141 = q\n"),
    ("matmul_chains",
     "query131 = key[0] @ key.T @ key\n"
     "query132 = key.T @ key @ key[1]\n"
     "query122 = key @ key.T @ key / 4\n"
     "m_key141 = key @ key.T @ value @ torch.eye(3) * 2\n"),
]


def run_def_form(source, key, value):
    """Runs the whole source as Python does (defs and all) over the notebook's data."""
    env = {"torch": torch, "key": key.clone(), "value": value.clone()}
    exec(compile(source, "<form>", "exec"), env)  # hand-written forms only, never student files
    answers = {}
    for name in ["query121", "query122", "query131", "query132", "m_key141", "m_key142"]:
        if name in env and isinstance(env[name], torch.Tensor):
            answers[name] = {"shape": list(env[name].shape), "bits": bits(env[name])}
    return answers


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    torch.set_num_threads(1)
    key, value = notebook_data()
    os.makedirs(OUT, exist_ok=True)
    header = {"torch": torch.__version__, "seed": args.seed, "key": bits(key), "value": bits(value)}
    with open(os.path.join(OUT, "random.json"), "w") as f:
        json.dump(dict(header, cases=random_cases(args.count, args.seed, key, value)), f, indent=0)
        f.write("\n")
    with open(os.path.join(OUT, "constructs.json"), "w") as f:
        json.dump(dict(header, cases=construct_cases(key, value)), f, indent=0)
        f.write("\n")
    forms = [{"name": n, "source": s, "answers": run_form(s, key, value)} for n, s in FORMS]
    with open(os.path.join(OUT, "forms.json"), "w") as f:
        json.dump(dict(header, forms=forms), f, indent=1)
        f.write("\n")
    defs = [{"name": n, "source": s, "answers": run_def_form(s, key, value)} for n, s in DEF_FORMS]
    with open(os.path.join(OUT, "defs.json"), "w") as f:
        json.dump(dict(header, forms=defs), f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "scripts.json"), "w") as f:
        json.dump(dict(header, forms=random_scripts(args.count // 20, args.seed, key, value)), f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
