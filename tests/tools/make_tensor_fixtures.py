#!/usr/bin/python3
"""Writes tests/fixtures/tensors/: attention captured by assets/capture/capture_attention.py from a
small torch.nn.TransformerEncoder, torch's own attention weights for it, and the malformed corpus
bad/ with the message each file must get. For tests/formats/test_tensor_file.cpp.

Run by hand, never by the tests (they must not need torch). With Debian's torch:

    apt-get install -y python3-torch
    /usr/bin/python3 tests/tools/make_tensor_fixtures.py

Outputs (the model: encoder-demo, 2 layers × 2 heads, d_model 16, seed 0; the sentence below)
  encoder.safetensors          float32, [2, 2, 8, 8]
  encoder_f16.safetensors      float16      encoder_bf16.safetensors   bfloat16
  encoder.npz                  stored       encoder_deflated.npz       savez_compressed
  encoder_bf16.npz             bfloat16 as '<u2' bit patterns
  single_head.safetensors      layer 1 head 0 alone, shape [8, 8], scale 1, causal true
  gpt2_style.npz               the causal demo decoder
  expected.json  {"tokens", "layers", "heads", "d", "weights": [layer][head] = 8×8 float32 bit
                  patterns from MultiheadAttention(need_weights=True, average_attn_weights=False),
                  "q_bits": {"float32"|"float16"|"bfloat16": layer 0 head 0 q as float32 bits after
                  torch's own conversion}}
  bad/*         one malformed file each; bad/expected.json maps file → a phrase its error must hold
"""
import json
import os
import shutil
import struct
import sys
import zipfile
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "tensors")
BAD = os.path.join(OUT, "bad")
sys.dont_write_bytecode = True  # no __pycache__ in assets/ (it is installed as is)
sys.path.insert(0, os.path.join(ROOT, "assets", "capture"))
import capture_attention as cap  # noqa: E402

SENTENCE = "the quick brown fox jumps over the dog"


def bits(t):
    return [f"{x:08x}" for x in t.contiguous().view(torch.int32).flatten().tolist()]


def torch_weights(spec):
    """Every layer's per-head weights as MultiheadAttention itself computes them."""
    inputs = []
    handles = [m.register_forward_hook(lambda m, a, o: inputs.append((m, a[0])))
               for m in spec["model"].modules() if isinstance(m, torch.nn.MultiheadAttention)]
    spec["model"](*spec["inputs"])
    for h in handles:
        h.remove()
    out = []
    with torch.no_grad():
        for m, x in inputs:
            _, w = m(x, x, x, need_weights=True, average_attn_weights=False)
            out.append([bits(w[0, h]) for h in range(m.num_heads)])
    return out


def good_fixtures():
    spec = cap.encoder_demo(SENTENCE, seed=0)
    q, k, v, causal = cap.capture(spec)
    tokens = spec["tokens"]
    p = lambda name: os.path.join(OUT, name)  # noqa: E731
    cap.write_capture(p("encoder.safetensors"), q, k, v, tokens, causal)
    cap.write_capture(p("encoder_f16.safetensors"), q, k, v, tokens, causal, "float16")
    cap.write_capture(p("encoder_bf16.safetensors"), q, k, v, tokens, causal, "bfloat16")
    cap.write_capture(p("encoder.npz"), q, k, v, tokens, causal)
    cap.write_capture(p("encoder_deflated.npz"), q, k, v, tokens, causal, compress=True)
    cap.write_capture(p("encoder_bf16.npz"), q, k, v, tokens, causal, "bfloat16")
    one = lambda t: t[1, 0]  # noqa: E731
    cap.write_safetensors(p("single_head.safetensors"),
                          [(n, "float32", tuple(one(t).shape), cap.tensor_bytes(one(t), "float32"))
                           for n, t in (("q", q), ("k", k), ("v", v))],
                          cap.metadata_for(tokens, True, "1"))
    g = cap.gpt2_style(SENTENCE, seed=0)
    gq, gk, gv, gcausal = cap.capture(g)
    cap.write_capture(p("gpt2_style.npz"), gq, gk, gv, g["tokens"], gcausal)
    expected = {
        "sentence": SENTENCE, "tokens": tokens, "layers": q.shape[0], "heads": q.shape[1], "d": q.shape[3],
        "weights": torch_weights(spec),
        "q_bits": {dt: bits(q[0, 0].to(getattr(torch, dt)).float()) for dt in ("float32", "float16", "bfloat16")},
    }
    with open(p("expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    return q, k, v, tokens


# ---- the malformed corpus -------------------------------------------------------------------------

def safetensors_bytes(header, data, length=None):
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def good_header(tokens, dtype="F32", shape=(2, 2, 8, 8)):
    n = 4 * int(np.prod(shape))
    return {"__metadata__": cap.metadata_for(tokens, False),
            "q": {"dtype": dtype, "shape": list(shape), "data_offsets": [0, n]},
            "k": {"dtype": dtype, "shape": list(shape), "data_offsets": [n, 2 * n]},
            "v": {"dtype": dtype, "shape": list(shape), "data_offsets": [2 * n, 3 * n]}}


def zip_bytes(entries, lie=None):
    """A zip of (name, data, method) with optional lies: lie(name, fields) may change the central
    directory fields {"crc", "csize", "size", "offset"} of an entry."""
    out, central = b"", b""
    for name, data, method in entries:
        comp = data
        if method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp = c.compress(data) + c.flush()
        fields = {"crc": zlib.crc32(data), "csize": len(comp), "size": len(data), "offset": len(out)}
        nb = name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, fields["crc"], fields["csize"],
                           fields["size"], len(nb), 0) + nb + comp
        if lie:
            lie(name, fields)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, fields["crc"],
                               fields["csize"], fields["size"], len(nb), 0, 0, 0, 0, 0, fields["offset"]) + nb
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return out + central + end


def npy_bytes(array, descr=None):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr or np.lib.format.dtype_to_descr(array.dtype), repr(tuple(array.shape)))
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + array.tobytes()


def bad_fixtures(q, k, v, tokens):
    if os.path.isdir(BAD):
        shutil.rmtree(BAD)
    os.makedirs(BAD)
    expected = {}
    data = b"".join(cap.tensor_bytes(t, "float32") for t in (q, k, v))
    good = open(os.path.join(OUT, "encoder.safetensors"), "rb").read()

    def put(name, content, phrase):
        with open(os.path.join(BAD, name), "wb") as f:
            f.write(content)
        expected[name] = phrase

    def st(name, phrase, mutate=None, payload=data, length=None):
        h = good_header(tokens)
        if mutate:
            mutate(h)
        put(name, safetensors_bytes(h, payload, length), phrase)

    put("truncated.safetensors", good[: len(good) // 2], "run past the end of the data")
    put("tiny.safetensors", good[:5], "too short")
    st("header_past_eof.safetensors", "header length 1000000 runs past the end of the file", length=1000000)
    st("offsets_past_end.safetensors", "'v' data_offsets [3072, 4096] run past the end of the data (3072 bytes)",
       lambda h: h["v"].update(data_offsets=[3072, 4096]))
    st("offsets_wrong_size.safetensors", "'k' data_offsets [0, 999999] hold 999999 bytes but dtype F32",
       lambda h: h["k"].update(data_offsets=[0, 999999]))
    st("overlapping.safetensors", "overlap", lambda h: h["k"].update(data_offsets=[0, 1024]), data + b"\0" * 1024)
    st("hole.safetensors", "unused bytes before tensor 'v'", lambda h: h["v"].update(data_offsets=[3072, 4096]),
       data + b"\0" * 1024)
    st("trailing.safetensors", "bytes after the last tensor", payload=data + b"\0" * 16)
    st("unknown_dtype.safetensors", "unknown dtype \"F31\"", lambda h: h["q"].update(dtype="F31"))
    st("int_dtype.safetensors", "'q' has dtype I32, expected F32", lambda h: h["q"].update(dtype="I32"))
    st("shape_overflow.safetensors", "the size overflows",
       lambda h: h["q"].update(shape=[2 ** 32, 2 ** 32, 2 ** 32, 8]))
    big = (1, 1, 2048, 1)
    put("too_many_tokens.safetensors",
        safetensors_bytes(good_header(tokens, shape=big), b"\0" * (3 * 4 * 2048)),
        "has 2048 tokens, more than the limit of 1024")
    st("rank3.safetensors", "expected [layers, heads, tokens, d] or [tokens, d]",
       lambda h: h["q"].update(shape=[4, 8, 8]))
    st("k_shape_differs.safetensors", "tensor 'k' has shape [2, 4, 8, 4] but 'q' has [2, 2, 8, 8]",
       lambda h: h["k"].update(shape=[2, 4, 8, 4]))
    st("missing_v.safetensors", "no tensor 'v'",
       lambda h: (h.pop("v"), h.__setitem__("w", {"dtype": "F32", "shape": [2, 2, 8, 8], "data_offsets": [2048, 3072]})))
    st("tokens_mismatch.safetensors", "lists 7 tokens but the tensors have 8",
       lambda h: h["__metadata__"].update(tokens=json.dumps(tokens[:7])))
    st("metadata_not_string.safetensors", "metadata 'causal' is not a string",
       lambda h: h["__metadata__"].update(causal=False))
    st("tokens_not_list.safetensors", "metadata 'tokens' is not a JSON list of strings",
       lambda h: h["__metadata__"].update(tokens="{}"))
    st("token_too_long.safetensors", "token 3 is 200 bytes, more than the limit of 128",
       lambda h: h["__metadata__"].update(tokens=json.dumps(tokens[:3] + ["x" * 200] + tokens[4:])))
    st("bad_scale.safetensors", "metadata 'scale' is \"sqrt\"", lambda h: h["__metadata__"].update(scale="sqrt"))
    st("deep_json.safetensors", "levels deep", lambda h: h["__metadata__"].update(x=[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]))
    st("nan.safetensors", "tensor 'q' at layer 0, head 0, token 0, component 2 is not finite",
       payload=data[:8] + struct.pack("<f", float("nan")) + data[12:])
    put("not_json.safetensors", struct.pack("<Q", 4) + b"{abc", "invalid JSON")
    put("random.bin", bytes(range(7, 200)), "not a safetensors or .npz file")
    put("lone.npy", npy_bytes(q.numpy()), "a .npy file holds one array")

    # .npz
    arrays = {"q": q.numpy(), "k": k.numpy(), "v": v.numpy()}
    tok = np.array(tokens, dtype=str)
    entries = [(n + ".npy", npy_bytes(a), 0) for n, a in arrays.items()] + [("tokens.npy", npy_bytes(tok), 0)]
    good_npz = zip_bytes(entries)
    put("truncated.npz", good_npz[: len(good_npz) // 2], "zip end record not found")

    def lie_offset(name, f):
        if name == "k.npy":
            f["offset"] += 7
    put("lying_local_offset.npz", zip_bytes(entries, lie_offset), "'k.npy' has no local header at offset")

    def lie_size(name, f):
        if name == "q.npy":
            f["csize"] = f["size"] = f["size"] * 100
    put("lying_size.npz", zip_bytes(entries, lie_size), "runs into the central directory")
    cut = bytearray(good_npz)
    struct.pack_into("<I", cut, len(cut) - 6, len(good_npz) * 3)  # central directory offset
    put("lying_directory_offset.npz", bytes(cut), "central directory")
    crc = bytearray(good_npz)
    crc[len(npy_bytes(arrays["q"])) - 100] ^= 1  # a low mantissa bit inside q's data
    put("crc.npz", bytes(crc), "fails its CRC-32 check")
    bomb = npy_bytes(tok) + b"\0" * (16 << 20)

    def lie_bomb(name, f):
        if name == "tokens.npy":
            f["size"] = len(npy_bytes(tok))
            f["crc"] = zlib.crc32(npy_bytes(tok))
    put("zip_bomb.npz", zip_bytes(entries[:3] + [("tokens.npy", bomb, 8)], lie_bomb),
        "inflates to more than its declared")

    def lie_ratio(name, f):
        if name == "q.npy":
            f["size"] = 2000 * f["csize"]
    put("zip_bomb_ratio.npz", zip_bytes([(n, d, 8) for n, d, _ in entries], lie_ratio), "more than deflate can produce")
    put("big_endian.npz", zip_bytes([("q.npy", npy_bytes(arrays["q"].astype(">f4")), 0)] + entries[1:]), "big-endian")
    put("pickled_tokens.npz", zip_bytes(entries[:3] + [("tokens.npy", npy_bytes(np.zeros(8, dtype=np.int64), "|O"), 0)]),
        "expected strings")
    put("int_q.npz", zip_bytes([("q.npy", npy_bytes(arrays["q"].astype("<i4")), 0)] + entries[1:]),
        "'q' has dtype \"<i4\"")
    put("method.npz", zip_bytes(entries).replace(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00", b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x0c\x00", 1),
        "compression method 12")
    put("missing_k.npz", zip_bytes([e for e in entries if e[0] != "k.npy"]), "no entry 'k.npy'")
    put("npz_tokens_mismatch.npz", zip_bytes(entries[:3] + [("tokens.npy", npy_bytes(tok[:5]), 0)]),
        "lists 5 tokens but the tensors have 8")
    with open(os.path.join(BAD, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    q, k, v, tokens = good_fixtures()
    bad_fixtures(q, k, v, tokens)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
