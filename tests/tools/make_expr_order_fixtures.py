#!/usr/bin/python3
"""Writes tests/fixtures/expr/order.json and semantics.json for tests/course/test_pyexpr_order.cpp.

Run by hand, never by the tests (they must not need torch). With Debian's torch:

    /usr/bin/python3 tests/tools/make_expr_order_fixtures.py [--seed 26]

order.json  reductions whose float32 result depends on the order PyTorch adds in: sums and means
            with 1, 7, 8, 9, 15, 16, 17, 31, 32, 33 outputs (the vector widths and block sizes of
            torch's SumKernel, and one either side), lanes of random length, over contiguous,
            transposed (.T, .t(), .transpose) and sliced views, of results of elementwise
            operators on transposed views (torch keeps their memory transposed), and softmax over
            dim 0 and the last dim. The input `x` is not stored: it is made by a formula both
            sides compute exactly in float32 (see input_tensor; test_pyexpr_order.cpp has its twin):
              x.flatten()[i] = float32(((i * 2654435761 + seed * 40503) mod 4001) - 2000) / 997
            Each case: {"x": [shape...], "seed", "expr", "shape", "bits"}; bits are the float32 bit
            patterns, 8 hex digits each, in one string; "exp": true marks softmax (torch's
            vectorised exp). Every output count for the plainest sums, 4 random ones for the rest.
semantics.json  hand-in scripts over the notebook's key and value run whole by Python:
            {"name", "source", "answers": {name: {"shape", "bits"}}, "raises": {name: message}}:
            the last statement of a script that raises is the one assigning the name in "raises".
"""
import argparse
import json
import os
import random
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "expr")

# The output counts around the SumKernel's vector width (8) and its column blocks (4, 32).
OUTPUT_COUNTS = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33]


def bits(t):
    t = t.detach().to(torch.float32).reshape(-1)
    return ["%08x" % struct.unpack("<I", struct.pack("<f", float(x)))[0] for x in t.tolist()]


def input_tensor(shape, seed):
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.int64)
    k = ((i * 2654435761 + seed * 40503) % 4001) - 2000
    return (k.to(torch.float32) / 997.0).reshape(shape)


# (expr, how the input's shape follows from (outputs, lane)): "rows" = (outputs, lane), "cols" =
# (lane, outputs), "flat" = (outputs * lane,).
REDUCTIONS = [
    ("x.sum(1)", "rows"), ("x.sum(0)", "cols"), ("x.mean(1)", "rows"), ("x.mean(0)", "cols"),
    ("torch.sum(x, dim=0, keepdim=True)", "cols"), ("x.mean(dim=-1, keepdim=True)", "rows"),
    ("torch.mean(x, dim=0)", "cols"), ("x.sum(-2)", "cols"),
    # transposed views: memory order differs from logical order
    ("x.T.sum(0)", "rows"), ("x.T.sum(1)", "cols"), ("x.t().mean(0)", "rows"), ("x.transpose(0, 1).mean(1)", "cols"),
    ("torch.sum(x.T, dim=1)", "cols"), ("x.T.sum(0, keepdim=True)", "rows"),
    ("x.T.T.sum(0)", "cols"), ("x.T[1:].sum(0)", "rows"), ("x.T[:, 1:].sum(1)", "cols"),
    # slices
    ("x[:, 1:].sum(0)", "cols"), ("x[1:].sum(1)", "rows"), ("x[::2].sum(0)", "cols"),
    # not x[:, ::2].sum(1): torch sums a lane of stride 2 without vectors, and the evaluator does
    # not know a view's strides (a known divergence of up to a few ulps)
    # whole tensors
    ("x.sum()", "rows"), ("x.T.sum()", "cols"), ("x.mean()", "rows"), ("x.sum()", "flat"), ("x.mean(0)", "flat"),
    # elementwise results of transposed views stay transposed in memory, as do their clones
    ("(x.T * 2).sum(0)", "rows"), ("(x.T + 1).sum(1)", "cols"), ("(-x.T).mean(0)", "rows"),
    ("x.T.clone().sum(0)", "rows"), ("(x.T - x.T).sum(0)", "rows"), ("(x.T / 3).sum()", "cols"),
    ("(x.T * 2).T.sum(0)", "cols"),
    # softmax over the first dimension and the last
    ("x.softmax(0)", "cols"), ("torch.softmax(x, dim=0)", "cols"), ("x.softmax(-1)", "rows"),
    ("x.T.softmax(0)", "rows"),
]


EVERY_COUNT = {"x.sum(1)", "x.sum(0)", "x.T.sum(0)", "x.T.sum(1)", "(x.T * 2).sum(0)", "x.mean(0)"}


def shape_for(kind, outputs, lane):
    return {"rows": [outputs, lane], "cols": [lane, outputs], "flat": [outputs * lane]}[kind]


def order_cases(rng):
    cases = []
    for expr, kind in REDUCTIONS:
        softmax = "softmax" in expr  # whole tensors out: fewer and smaller, to keep the file small
        # Every count for the plain, transposed and elementwise-of-transposed sums; 4 of them for the rest.
        counts = OUTPUT_COUNTS if expr in EVERY_COUNT else sorted(rng.sample(OUTPUT_COUNTS, 4))
        for outputs in counts if not softmax else [1, 8, 9, 17, 33]:
            lane = rng.choice([2, 3, 5, 8, 9, 16, 17, 31, 33, 40, 64, 65] if not softmax else [2, 5, 9, 17])
            if kind == "flat":
                outputs = max(1, outputs // 2)
            shape = shape_for(kind, outputs, lane)
            if "x[1:]" in expr and shape[0] < 2 or "x[:, 1:]" in expr and shape[1] < 2:
                continue
            if "x.T[1:]" in expr and shape[1] < 2 or "x.T[:, 1:]" in expr and shape[0] < 2:
                continue
            seed = rng.randrange(1000)
            x = input_tensor(shape, seed)
            out = eval(expr, {"torch": torch, "x": x})  # the fixed expressions above only
            case = {"x": shape, "seed": seed, "expr": expr, "shape": list(out.shape), "bits": "".join(bits(out))}
            if softmax:
                case["exp"] = True
            cases.append(case)
    return cases


def notebook_data():
    torch.manual_seed(447)
    key = torch.randn(4, 3)
    key /= torch.norm(key, dim=1, keepdim=True)
    key.round_(decimals=2)
    value = torch.randn(4, 3)
    value /= torch.norm(value, dim=1, keepdim=True)
    value.round_(decimals=2)
    return key, value


# Python's semantics the evaluator follows: (name, source, the name whose statement raises or None).
SEMANTICS = [
    ("augmented_broadcast_into_the_larger_shape",
     "x = torch.zeros(4, 3)\nx += torch.ones(1, 3)\nx *= key\ny = key.clone()\ny -= key[1]\ny /= torch.ones(3) * 4\n"
     "z = key[0] * 1\nz += 2\n", None),
    ("augmented_cannot_grow_the_target",
     "x = torch.zeros(1, 3)\nx += torch.ones(4, 3)\n", "x"),
    ("augmented_cannot_grow_a_vector",
     "x = torch.zeros(3)\nx *= key\n", "x"),
    ("a_number_augmented_by_a_tensor_becomes_a_tensor",
     "s = 2\ns *= key[0]\nn = 3\nn += 4\nt = n * key[1]\n", None),
    # torch 1.13 has no in-place matmul: `m @= b` is `m = m @ b` (a new tensor, any shape)
    ("augmented_matmul_rebinds_to_a_new_tensor",
     "m = key.T @ key\nm @= key.T @ value\nr = key.clone()\nr @= key.T\nv = key[0] * 1\nv @= key.T\n"
     "k = key\nk @= value.T\nw = key * 1\n", None),
    ("names_rebound_not_aliased",
     "a = key.clone()\nb = a\na = a + 1\nc = a * b\n", None),
    ("a_view_rebound_no_longer_shares",
     "k = key.clone()\nv = k[0]\nv = v * 2\nk[0] = 1\nt = k.T\nt = t + 1\nk[1, 1] += 5\n", None),
    ("views_read_their_base",
     "k = key.clone()\nr = k[1] + k.T[:, 2] + k.reshape(12)[3:6] + k.view(3, 4)[0, :3] + k[1].unsqueeze(0)[0, 2]\n"
     "s = k.T.T[3] * k[:, 0].unsqueeze(1).T[0, 1]\n", None),
    ("in_place_on_an_unshared_clone",
     "k = key.clone()\nk[0] = 5\nk[1, 2] = -1\nk[2:, 0] += 3\nk.T\nw = k * 1\n", None),
    ("stored_lstsq_and_shapes",
     "q = torch.linalg.lstsq(key, value)\na = q.solution\nb = q[0].T @ key.T\ns = key.shape\n"
     "z = torch.zeros(s[1], s[0]) + b\nn = torch.zeros(key.size(1)) + len(key)\n", None),
    ("function_forms_with_keywords",
     "a = torch.mean(key, dim=0)\nb = torch.sum(key, dim=1, keepdim=True)\nc = torch.matmul(key, value.T)\n"
     "d = torch.transpose(key, 0, 1)\ne = torch.norm(key, dim=1)\nf = torch.softmax(key @ value.T, dim=0)\n", None),
    ("def_helpers_with_shapes",
     "def centre(x):\n    m = torch.mean(x, dim=0)\n    return x - m\n"
     "def scale(x, s):\n    n = x.shape[0]\n    return x * s / n\n"
     "a = centre(key)\nb = scale(centre(value), 8)\nc = scale(key[0], 3)\n", None),
    ("index_assignment_broadcast_and_mismatch",
     "m = key.clone()\nm[1:3] = torch.ones(3)\nm[:, 0] = value[:, 1]\nbad = key.clone()\nbad[0] = torch.ones(2)\n", "bad"),
    ("numbers_in_every_python_spelling",
     "a = key * 1.5E-3 + 3e+1 - .5 * 5. + 2E2\nb = key[0] / 1e-1 - 7.25e0\n", None),
    ("reductions_keep_and_drop_dims",
     "a = key.sum(0, keepdim=True) + key.mean(1, keepdim=True)\nb = key.T.mean(0) * key.norm(dim=0).sum()\n"
     "c = key.max() + value.sum()\n", None),
]


def run_semantics(source, raising, key, value):
    env = {"torch": torch, "key": key.clone(), "value": value.clone()}
    raised = {}
    try:
        exec(compile(source, "<semantics>", "exec"), env)  # the fixed scripts above only
        assert raising is None, "expected %s to raise" % raising
    except RuntimeError as e:
        assert raising is not None, e
        raised[raising] = str(e).splitlines()[0]
        env.pop(raising, None)
    answers = {}
    for name, v in env.items():
        if name in ("torch", "key", "value") or name.startswith("__") or name in raised:
            continue
        if isinstance(v, torch.Tensor):
            answers[name] = {"shape": list(v.shape), "bits": bits(v)}
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            answers[name] = {"shape": [], "bits": bits(torch.tensor(float(v)))}
    return answers, raised


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=26)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    header = {"torch": torch.__version__, "seed": args.seed}
    with open(os.path.join(OUT, "order.json"), "w") as f:
        json.dump(dict(header, cases=order_cases(rng)), f, indent=0, separators=(",", ":"))
        f.write("\n")
    key, value = notebook_data()
    scripts = []
    for name, source, raising in SEMANTICS:
        answers, raised = run_semantics(source, raising, key, value)
        scripts.append({"name": name, "source": source, "answers": answers, "raises": raised})
    with open(os.path.join(OUT, "semantics.json"), "w") as f:
        json.dump(dict(header, key=bits(key), value=bits(value), scripts=scripts), f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
