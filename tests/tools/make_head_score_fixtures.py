#!/usr/bin/python3
"""Writes tests/fixtures/head_scores.json: head pattern scores (core/formats/captured.h) computed
independently with PyTorch, for tests/formats/test_head_scores.cpp.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tests/tools/make_head_score_fixtures.py
The test reads the JSON only; it never needs torch.

Each case is one head of a capture: token labels, q and k (values rounded to float32, as a capture
stores them; v plays no part in the weights), causal or not, a scale mode. The scores follow the
definitions in captured.h, written here from that text and not from the C++:
  previous_token, same_token, first_token: the weight on key i-1, i, 0, averaged over rows 1..T-1;
  induction: over each row i whose label occurred at some j < i - 1, take the most recent such j,
  and average the weight on key j + 1; induction_rows counts those rows (NaN/absent when none).
The token sequences are the tricky ones: an immediate repeat, no repeat, length 1, all equal, the
textbook "a b c a b c", and random labels from a small alphabet.
"""
import json
import math
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "head_scores.json")


def scores(labels, q, k, causal, scale):
    t = len(labels)
    logits = scale * (q @ k.T)
    if causal:
        hidden = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        logits = logits.masked_fill(hidden, float("-inf"))
    w = torch.softmax(logits, dim=-1)
    out = {"previous_token": 0.0, "same_token": 0.0, "first_token": 0.0, "induction": None, "induction_rows": 0}
    rows = t - 1
    if rows < 1:
        return out
    out["previous_token"] = sum(w[i, i - 1].item() for i in range(1, t)) / rows
    out["same_token"] = sum(w[i, i].item() for i in range(1, t)) / rows
    out["first_token"] = sum(w[i, 0].item() for i in range(1, t)) / rows
    targets = []
    for i in range(1, t):
        earlier = [j for j in range(0, i - 1) if labels[j] == labels[i]]
        if earlier:
            targets.append(w[i, max(earlier) + 1].item())
    out["induction_rows"] = len(targets)
    if targets:
        out["induction"] = sum(targets) / len(targets)
    return out


def case(gen, name, labels, causal, mode, d=4, spread=1.5):
    t = len(labels)
    q = (torch.randn(t, d, generator=gen, dtype=torch.float64) * spread).float().double()
    k = (torch.randn(t, d, generator=gen, dtype=torch.float64) * spread).float().double()
    if mode == "one":
        scale = 1.0
    elif mode == "inv_sqrt_d":
        scale = 1.0 / math.sqrt(d)
    else:  # temperature: a capture stores 1/T as its scale
        scale = float(torch.tensor(0.6, dtype=torch.float32).item())
    return {"name": name, "labels": labels, "causal": causal, "scale_mode": mode, "scale": scale, "d": d,
            "q": q.tolist(), "k": k.tolist(), "want": scores(labels, q, k, causal, scale)}


def main():
    gen = torch.Generator().manual_seed(26)
    sequences = [
        ("immediate repeat", list("aab")),
        ("immediate repeat after an earlier one", list("abaa")),
        ("repeat twice in a row", list("xaxxyx")),
        ("never repeats", list("abcdef")),
        ("length 1", ["a"]),
        ("length 2 repeated", ["a", "a"]),
        ("all equal", ["t"] * 6),
        ("a b c a b c", list("abcabc")),
        ("most recent occurrence", list("abacad")),
    ]
    cases = []
    for index, (name, labels) in enumerate(sequences):
        for causal in (True, False):
            mode = ("one", "inv_sqrt_d", "temperature")[(index + causal) % 3]
            cases.append(case(gen, name, labels, causal, mode))
    for r in range(8):  # random labels from a 3-letter alphabet: many repeats, some immediate
        t = int(torch.randint(2, 11, (1,), generator=gen))
        labels = ["abc"[int(x)] for x in torch.randint(0, 3, (t,), generator=gen)]
        cases.append(case(gen, "random %d" % r, labels, r % 2 == 0, ("one", "inv_sqrt_d", "temperature")[r % 3]))
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/tools/make_head_score_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
