#!/usr/bin/python3
"""Writes tests/fixtures/tensors/edges/: capture files past the common case, for
tests/formats/test_tensor_edges.cpp (issue 26). Each file is checked here by an independent reader
before it is written: Python's zipfile and numpy.load for the .npz files, torch for the float16 /
bfloat16 values. Run by hand (the tests never need torch):

    /usr/bin/python3 tests/tools/make_tensor_edge_fixtures.py

Outputs
  zip64_<fields>.npz      the central directory puts 0xFFFFFFFF in some of size / compressed size /
                          local offset and gives the real values in a zip64 extra field (id 1),
                          only those fields and in the order APPNOTE 4.5.3 requires
  zip64_end_record.npz    the end record says 0xFFFF / 0xFFFFFFFF: the zip64 end record and locator hold the truth
  zip64_after_other.npz   an extended-timestamp extra field (0x5455) before the zip64 one
  zip64_deflated_*.npz    deflated entries (size ≠ compressed size) with zip64 sizes
  npy_pad_NN.npz          q, k, v headers whose total length is 3NN, 3NN+1, 3NN+2 modulo 64
  npy_versions.npz        q as .npy 2.0, k as 3.0 (numpy's own writer), v as 1.0
  f16_edges.{safetensors,npz}, bf16_edges.{safetensors,npz}: subnormals, the largest values the
                          limit accepts, -0; torch's conversion to float32 in expected.json
  *_inf / *_nan / bf16_past_limit: refused (expected.json "refused": file → phrase)
  st_header_mod_R.safetensors  header length ≡ R (mod 8), padded with spaces as safetensors does
  st_empty_tensors.safetensors zero-byte tensors at offset 0 (named after q) and at the end
  expected.json           {"read": {file: {"shape_q", "shape_v", "q", "k", "v" (float32 bits)}}, "refused": {...}}
"""
import io
import json
import os
import shutil
import struct
import zipfile
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "tensors", "edges")
RNG = np.random.default_rng(26)


def bits(a):
    return [f"{x:08x}" for x in np.asarray(a, dtype=np.float32).reshape(-1).view(np.uint32).tolist()]


def small_qkv(tokens=2, d=3, dv=2):
    q = RNG.uniform(-4, 4, (tokens, d)).astype(np.float32)
    k = RNG.uniform(-4, 4, (tokens, d)).astype(np.float32)
    v = RNG.uniform(-4, 4, (tokens, dv)).astype(np.float32)
    return q, k, v


def npy(array, pad_to=None, version=(1, 0)):
    """.npy bytes; pad_to = the header's total length modulo 64 (version 1.0 only)."""
    if pad_to is None:
        f = io.BytesIO()
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)
        return f.getvalue()
    text = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        np.lib.format.dtype_to_descr(array.dtype), repr(tuple(array.shape)))
    spaces = (pad_to - (10 + len(text) + 1)) % 64
    text += " " * spaces + "\n"
    assert (10 + len(text)) % 64 == pad_to % 64
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode() + array.tobytes()


def zip_with(entries, zip64_fields=(), end_record64=False, other_extra=False, method=0):
    """A zip of (name, bytes), stored (method 0) or deflated (8). zip64_fields: which of "size",
    "csize", "offset" the central directory gives as 0xFFFFFFFF with the real value in a zip64
    extra field."""
    out, central = b"", b""
    for name, data in entries:
        nb = name.encode()
        crc = zlib.crc32(data)
        offset = len(out)
        packed = data
        if method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = c.compress(data) + c.flush()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(packed), len(data), len(nb), 0) + nb + packed
        values = {"size": len(data), "csize": len(packed), "offset": offset}
        extra = b""
        if other_extra:
            extra += struct.pack("<HHBI", 0x5455, 5, 1, 1700000000)
        wanted = [f for f in ("size", "csize", "offset") if f in zip64_fields]  # the spec's order
        if wanted:
            body = b"".join(struct.pack("<Q", values[f]) for f in wanted)
            extra += struct.pack("<HH", 1, len(body)) + body
            for f in wanted:
                values[f] = 0xFFFFFFFF
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0, crc, values["csize"],
                               values["size"], len(nb), len(extra), 0, 0, 0, 0, values["offset"]) + nb + extra
    cd_offset, cd_size, count = len(out), len(central), len(entries)
    tail = b""
    if end_record64:
        z = cd_offset + cd_size
        tail += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, cd_size, cd_offset)
        tail += struct.pack("<IIQI", 0x07064B50, 0, z, 1)
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)
    return out + central + tail


def check_npz(data, arrays):
    """numpy (through Python's zipfile) reads back exactly these arrays."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
    loaded = np.load(io.BytesIO(data), allow_pickle=False)
    for name, a in arrays.items():
        got = loaded[name]
        assert got.dtype == a.dtype and got.shape == a.shape and got.tobytes() == a.tobytes(), name


def npz(arrays, **zip_options):
    data = zip_with([(name + ".npy", npy(a)) for name, a in arrays.items()], **zip_options)
    check_npz(data, arrays)
    return data


def safetensors(tensors, pad_to=None, extra=None):
    """tensors: name → (dtype string, shape, bytes) laid out in order; pad_to: header length mod 8."""
    header, data = dict(extra or {}), b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad_to is not None:
        text += b" " * ((pad_to - len(text)) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def read_entry(arrays):
    return {"shape_q": list(arrays["q"].shape), "shape_v": list(arrays["v"].shape),
            **{n: bits(torch.from_numpy(np.ascontiguousarray(arrays[n])).float().numpy()) for n in ("q", "k", "v")}}


def zip64_fixtures(read):
    subsets = [("size",), ("csize",), ("offset",), ("size", "csize"), ("size", "offset"), ("csize", "offset"),
               ("size", "csize", "offset")]
    for fields in subsets:
        q, k, v = small_qkv()
        arrays = {"q": q, "k": k, "v": v}
        name = "zip64_" + "_".join(fields) + ".npz"
        write(name, npz(arrays, zip64_fields=fields))
        read[name] = read_entry(arrays)
    q, k, v = small_qkv(3, 2, 4)
    arrays = {"q": q, "k": k, "v": v}
    write("zip64_end_record.npz", npz(arrays, zip64_fields=("offset",), end_record64=True))
    read["zip64_end_record.npz"] = read_entry(arrays)
    write("zip64_after_other.npz", npz(arrays, zip64_fields=("size", "offset"), other_extra=True))
    read["zip64_after_other.npz"] = read_entry(arrays)
    # Deflated: the sizes differ, so reading them in the wrong order shows.
    q, k, v = (np.zeros((8, 4), np.float32) + np.float32(i) for i in (0.5, -1.5, 2.25))
    arrays = {"q": q, "k": k, "v": v}
    for fields in (("size", "csize"), ("size", "csize", "offset"), ("csize",)):
        name = "zip64_deflated_" + "_".join(fields) + ".npz"
        write(name, npz(arrays, zip64_fields=fields, method=8))
        read[name] = read_entry(arrays)


def padding_fixtures(read):
    for i in range(22):
        q, k, v = small_qkv()
        arrays = {"q": q, "k": k, "v": v}
        entries = [(n + ".npy", npy(a, pad_to=3 * i + j)) for j, (n, a) in enumerate(arrays.items())]
        data = zip_with(entries)
        check_npz(data, arrays)
        name = "npy_pad_%02d.npz" % i
        write(name, data)
        read[name] = read_entry(arrays)
    q, k, v = small_qkv(4, 3, 3)
    arrays = {"q": q, "k": k, "v": v}
    data = zip_with([("q.npy", npy(q, version=(2, 0))), ("k.npy", npy(k, version=(3, 0))), ("v.npy", npy(v))])
    check_npz(data, arrays)
    write("npy_versions.npz", data)
    read["npy_versions.npz"] = read_entry(arrays)


def half_fixtures(read, refused):
    # float16: smallest / largest subnormal, smallest normal, largest, -0, nearest to 1/3, and negatives.
    f16 = torch.tensor([2.0 ** -24, 1023 * 2.0 ** -24, 2.0 ** -14, 65504.0, -0.0, 1 / 3, -65504.0, -(2.0 ** -24)],
                       dtype=torch.float16).reshape(2, 4)
    # bfloat16: smallest / largest subnormal, smallest normal, the largest value ≤ 1e6 (999424), -0, ...
    bf16 = torch.tensor([2.0 ** -133, 127 * 2.0 ** -133, 2.0 ** -126, 999424.0, -0.0, 1 / 3, -999424.0, -(2.0 ** -133)],
                        dtype=torch.bfloat16).reshape(2, 4)
    assert bf16[0, 3].item() == 999424.0 and torch.tensor(1003520.0, dtype=torch.bfloat16).item() == 1003520.0  # next bfloat16
    for tag, t in (("f16", f16), ("bf16", bf16)):
        raw = t.view(torch.int16).numpy().tobytes()
        st_dtype = "F16" if tag == "f16" else "BF16"
        as_np = t.numpy() if tag == "f16" else t.view(torch.int16).numpy().view(np.uint16)
        write(f"{tag}_edges.safetensors", safetensors({"q": (st_dtype, (2, 4), raw), "k": (st_dtype, (2, 4), raw),
                                                        "v": (st_dtype, (2, 4), raw)}))
        write(f"{tag}_edges.npz", npz({"q": as_np, "k": as_np, "v": as_np}))
        expect = {"shape_q": [2, 4], "shape_v": [2, 4], **{n: bits(t.float().numpy()) for n in ("q", "k", "v")}}
        read[f"{tag}_edges.safetensors"] = expect
        read[f"{tag}_edges.npz"] = expect
        # One bad number in v at token 1, component 2: inf, NaN (and for bfloat16 the first value past 1e6).
        bad_values = [("inf", float("inf"), "token 1, component 2 is not finite"),
                      ("nan", float("nan"), "token 1, component 2 is not finite")]
        if tag == "bf16":
            bad_values.append(("past_limit", 1003520.0, "token 1, component 2 is outside ±1e6"))
        for label, value, phrase in bad_values:
            bad = t.clone()
            bad[1, 2] = value
            bad_raw = bad.view(torch.int16).numpy().tobytes()
            bad_np = bad.numpy() if tag == "f16" else bad.view(torch.int16).numpy().view(np.uint16)
            st_name, npz_name = f"{tag}_{label}.safetensors", f"{tag}_{label}.npz"
            write(st_name, safetensors({"q": (st_dtype, (2, 4), raw), "k": (st_dtype, (2, 4), raw),
                                        "v": (st_dtype, (2, 4), bad_raw)}))
            write(npz_name, npz({"q": as_np, "k": as_np, "v": bad_np}))
            refused[st_name] = "tensor 'v' at layer 0, head 0, " + phrase
            refused[npz_name] = "tensor 'v' at layer 0, head 0, " + phrase


def safetensors_fixtures(read):
    for r in range(8):
        q, k, v = small_qkv()
        arrays = {"q": q, "k": k, "v": v}
        name = "st_header_mod_%d.safetensors" % r
        data = safetensors({n: ("F32", a.shape, a.tobytes()) for n, a in arrays.items()}, pad_to=r,
                           extra={"__metadata__": {"scale": "1"}})
        assert struct.unpack("<Q", data[:8])[0] % 8 == r
        write(name, data)
        read[name] = read_entry(arrays)
    q, k, v = small_qkv()
    arrays = {"q": q, "k": k, "v": v}
    # "zz_first" sorts after q by name but its zero bytes lie at offset 0, before q's.
    tensors = {"zz_first": ("F32", (0,), b""), **{n: ("F32", a.shape, a.tobytes()) for n, a in arrays.items()},
               "a_last": ("F32", (0, 5), b"")}
    write("st_empty_tensors.safetensors", safetensors(tensors))
    read["st_empty_tensors.safetensors"] = read_entry(arrays)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    read, refused = {}, {}
    zip64_fixtures(read)
    padding_fixtures(read)
    half_fixtures(read, refused)
    safetensors_fixtures(read)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "tests/tools/make_tensor_edge_fixtures.py, numpy %s, torch %s" % (
            np.__version__, torch.__version__), "read": read, "refused": refused}, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", len(read) + len(refused), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
