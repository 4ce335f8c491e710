#!/usr/bin/env python3
"""The capture script's safetensors writer, without torch: writes a capture from plain floats and
checks that `attnlab tensors info` reads it back. Usage: test_capture_writer.py ATTNLAB CAPTURE_DIR"""
import os
import struct
import subprocess
import sys
import tempfile

attnlab, capture_dir = sys.argv[1], sys.argv[2]
sys.dont_write_bytecode = True  # no __pycache__ in assets/ (it is installed as is)
sys.path.insert(0, capture_dir)
import capture_attention as cap  # noqa: E402

failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + name + ("" if ok else f": {detail}"))
    failed += 0 if ok else 1


check("importing the script does not import torch", "torch" not in sys.modules)
layers, heads, tokens, d, dv = 3, 2, 5, 4, 6
words = ["The", "猫", " sat", "on\n", "mat"]


def floats(count, seed):
    return struct.pack(f"<{count}f", *[((i * 37 + seed) % 19 - 9) / 4.0 for i in range(count)])


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "plain.safetensors")
    cap.write_safetensors(path, [
        ("q", "float32", (layers, heads, tokens, d), floats(layers * heads * tokens * d, 1)),
        ("k", "float32", (layers, heads, tokens, d), floats(layers * heads * tokens * d, 2)),
        ("v", "float32", (layers, heads, tokens, dv), floats(layers * heads * tokens * dv, 3)),
    ], cap.metadata_for(words, causal=True))
    check("header padded to 8 bytes", (struct.unpack("<Q", open(path, "rb").read(8))[0]) % 8 == 0)
    run = subprocess.run([attnlab, "tensors", "info", path], capture_output=True, text=True)
    check("attnlab reads it", run.returncode == 0, run.stderr)
    check("shape", "layers 3, heads 2, tokens 5, d 4, dv 6" in run.stdout, run.stdout)
    check("causal and scale", "causal true, scale inv_sqrt_d" in run.stdout, run.stdout)
    check("tokens with spaces, CJK and a newline", 'tokens: "The" "猫" " sat" "on\\n" "mat"' in run.stdout, run.stdout)
    try:
        cap.write_safetensors(path, [("q", "float32", (2, 2), b"\0" * 12)], {})
        check("a size mismatch is refused", False, "accepted")
    except ValueError:
        check("a size mismatch is refused", True)
    bad = os.path.join(tmp, "short.safetensors")
    open(bad, "wb").write(open(path, "rb").read()[:-3] if os.path.getsize(path) > 3 else b"")
    run = subprocess.run([attnlab, "tensors", "info", bad], capture_output=True, text=True)
    check("a truncated file exits 2 with one line", run.returncode == 2 and run.stderr.count("\n") == 1, run.stderr)

sys.exit(1 if failed else 0)
