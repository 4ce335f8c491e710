#!/usr/bin/env python3
"""The shipped capture of the trained tiny model (assets/capture/tiny-lm.safetensors, made by
train_tiny_lm.py) opens through the command line with its layers, heads and tokens, and the heads
the README names have their learned patterns, as attnlab itself measures it from the file
(`attnlab tensors info --patterns`); the random-weight example has no such head. No torch needed.
Usage: test_trained_capture.py ATTNLAB CAPTURE_DIR"""
import os
import re
import subprocess
import sys

attnlab, capture_dir = sys.argv[1], sys.argv[2]
TRAINED = os.path.join(capture_dir, "tiny-lm.safetensors")
RANDOM = os.path.join(capture_dir, "example.safetensors")
# Measured by `attnlab tensors info --patterns` on the shipped files (README "Real attention"):
# tiny-lm layer 0 head 2 puts 0.751 on the token itself (the README's screenshot) and layer 1
# head 0 puts 0.382 on the previous token; no head of the random-weight example passes 0.183.
EXPECTED = [((0, 2), "self", 0.6), ((1, 0), "previous", 0.3)]
failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else f": {detail}"))
    failed += 0 if ok else 1


def patterns(path):
    run = subprocess.run([attnlab, "tensors", "info", "--patterns", path], capture_output=True, text=True)
    check(f"attnlab tensors info --patterns {os.path.basename(path)}", run.returncode == 0, run.stderr)
    heads = {}
    for m in re.finditer(r"^layer (\d+) head (\d+): previous ([0-9.]+), self ([0-9.]+), first ([0-9.]+), "
                         r"induction ([0-9.]+|none)", run.stdout, re.M):
        heads[int(m[1]), int(m[2])] = {"previous": float(m[3]), "self": float(m[4]), "first": float(m[5])}
    return run.stdout, heads


out, trained = patterns(TRAINED)
check("shape", "layers 2, heads 4, tokens 14, d 16, dv 16" in out, out)
check("causal, 1/sqrt(d)", "causal true, scale inv_sqrt_d (0.25)" in out, out)
check("token labels", 'tokens: "the" "licensee" "may" "copy" "the" "program" "," "and" "the" "licensee" "may" "copy" '
                      '"the" "program"\n' in out, out)
check("a score line for each of the 8 heads", len(trained) == 8, out)
for (layer, head), score, at_least in EXPECTED:
    got = trained.get((layer, head), {}).get(score, 0)
    check(f"tiny-lm layer {layer} head {head}: {score} {got:.3f} >= {at_least}", got >= at_least, out)

out, random = patterns(RANDOM)
check("the random-weight example has 4 heads", len(random) == 4, out)
for _, score, at_least in EXPECTED:
    best = max((h[score] for h in random.values()), default=1)
    check(f"no head of the random-weight example reaches it: best {score} {best:.3f} < {at_least}", best < at_least, out)

sys.exit(1 if failed else 0)
