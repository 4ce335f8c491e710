#!/usr/bin/env python3
"""Record Q, K and V of every attention layer and head of a PyTorch model on one sentence, and
write them for attnlab (File → Open tensors…, or `attnlab FILE`).

Usage
  python3 capture_attention.py --model encoder-demo --text "the cat sat on the mat" -o cat.safetensors
  python3 capture_attention.py --model gpt2-style   --text "the cat sat on the mat" -o cat.npz
  python3 capture_attention.py --model mymodels:load --text "..." -o mine.safetensors [--dtype float16]

Models
  encoder-demo   torch.nn.TransformerEncoder, 2 layers × 2 heads, d_model 16, random weights fixed
                 by --seed; a whitespace tokenizer (each word's embedding is fixed by its spelling).
  gpt2-style     the same size as a GPT-2-style decoder (c_attn projects to q|k|v, causal mask),
                 written in plain torch, so no download and no `transformers` are needed.
  MODULE:CALLABLE  your own: CALLABLE(text) returns a dict with
                   "model"  a torch.nn.Module,
                   "inputs" a tuple (model(*inputs)) or a dict (model(**inputs)),
                   "tokens" the token strings, one per position,
                   "causal" optional bool (default: True for GPT-2-style modules, else False).
                 For example, with Hugging Face transformers installed:
                     def load(text):
                         from transformers import AutoModel, AutoTokenizer
                         tok = AutoTokenizer.from_pretrained("gpt2"); model = AutoModel.from_pretrained("gpt2")
                         ids = tok(text, return_tensors="pt")
                         return {"model": model, "inputs": dict(ids), "tokens": tok.convert_ids_to_tokens(ids["input_ids"][0])}

What is recorded (forward hooks; the model itself is not changed)
  - torch.nn.MultiheadAttention: q, k, v recomputed from its inputs with in_proj_weight/in_proj_bias
    (or q/k/v_proj_weight), exactly as the module does before its softmax; scale 1/√d.
  - GPT-2-style modules (an attribute c_attn and num_heads or n_head): the output of c_attn split
    into q|k|v; causal.
  - BERT-style modules (Linear attributes query, key, value and num_attention_heads): the three
    projections of the module's first input (self-attention).
  Each call of such a module is one layer, in call order; batch element 0 only.

Output: the interchange layout of attnlab's core/formats/tensor_file.h: tensors q, k, v of shape
[layers, heads, tokens, d] (float32, float16 or bfloat16), and the metadata tokens, causal and
scale, as safetensors (written here, no safetensors package needed) or .npz (numpy; bfloat16 is
stored as uint16 bit patterns). torch is needed only to capture; the writers below are plain
Python and can be imported without it.
"""
import argparse
import importlib
import json
import struct
import sys
import zlib

DTYPES = ("float32", "float16", "bfloat16")
SAFETENSORS_DTYPE = {"float32": "F32", "float16": "F16", "bfloat16": "BF16"}


# ---- writers (plain Python) -------------------------------------------------------------------

def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, dtype in DTYPES, shape, little-endian bytes); metadata: dict of str."""
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    offset = 0
    for name, dtype, shape, data in tensors:
        count = 1
        for n in shape:
            count *= n
        if len(data) != count * (4 if dtype == "float32" else 2):
            raise ValueError(f"tensor {name}: {len(data)} bytes do not fit shape {shape} of {dtype}")
        header[name] = {"dtype": SAFETENSORS_DTYPE[dtype], "shape": list(shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)  # safetensors pads the header to 8 bytes with spaces
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, data in tensors:
            f.write(data)


def metadata_for(tokens, causal, scale="inv_sqrt_d"):
    return {"tokens": json.dumps(list(tokens), ensure_ascii=False), "causal": "true" if causal else "false",
            "scale": str(scale)}


def whitespace_tokens(text):
    tokens = text.split()
    if not tokens:
        raise SystemExit("capture_attention: --text has no words")
    return tokens


# ---- models -----------------------------------------------------------------------------------

def _word_embedding(torch, tokens, d_model, seed):
    """Each word's vector is fixed by its spelling (and the seed); sinusoidal positions added."""
    rows = []
    for t in tokens:
        g = torch.Generator().manual_seed(seed * 1000003 + zlib.crc32(t.encode("utf-8")))
        rows.append(torch.randn(d_model, generator=g))
    x = torch.stack(rows)
    pos = torch.arange(len(tokens), dtype=torch.float32)[:, None]
    freq = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-4.0 / d_model))
    pe = torch.zeros(len(tokens), d_model)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return x + pe


def encoder_demo(text, seed=0, layers=2, heads=2, d_model=16):
    import torch
    torch.manual_seed(seed)
    layer = torch.nn.TransformerEncoderLayer(d_model=d_model, nhead=heads, dim_feedforward=2 * d_model, dropout=0.0)
    kwargs = {"enable_nested_tensor": False}
    try:
        model = torch.nn.TransformerEncoder(layer, num_layers=layers, **kwargs)
    except TypeError:
        model = torch.nn.TransformerEncoder(layer, num_layers=layers)
    model.eval()
    tokens = whitespace_tokens(text)
    x = _word_embedding(torch, tokens, d_model, seed)[:, None, :]  # (T, batch 1, E): batch_first=False
    return {"model": model, "inputs": (x,), "tokens": tokens, "causal": False}


def gpt2_blocks(layers, heads, d_model):
    """A stack of GPT-2-style pre-norm decoder blocks (c_attn projects to q|k|v, causal mask,
    scale 1/√d), as torch.nn.Sequential mapping (B, T, d_model) to (B, T, d_model). The capture
    hooks record it; train_tiny_lm.py trains one."""
    import torch

    class Attention(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.n_head = heads
            self.c_attn = torch.nn.Linear(d_model, 3 * d_model)
            self.c_proj = torch.nn.Linear(d_model, d_model)

        def forward(self, x):  # x: (B, T, E)
            B, T, E = x.shape
            q, k, v = self.c_attn(x).split(E, dim=2)
            q, k, v = (t.view(B, T, heads, E // heads).transpose(1, 2) for t in (q, k, v))
            logits = q @ k.transpose(-1, -2) / (E // heads) ** 0.5
            logits = logits.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), float("-inf"))
            y = (logits.softmax(-1) @ v).transpose(1, 2).reshape(B, T, E)
            return self.c_proj(y)

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = torch.nn.LayerNorm(d_model)
            self.attn = Attention()
            self.ln_2 = torch.nn.LayerNorm(d_model)
            self.mlp = torch.nn.Sequential(torch.nn.Linear(d_model, 4 * d_model), torch.nn.GELU(),
                                           torch.nn.Linear(4 * d_model, d_model))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    return torch.nn.Sequential(*[Block() for _ in range(layers)])


def gpt2_style(text, seed=0, layers=2, heads=2, d_model=16):
    import torch
    torch.manual_seed(seed)
    model = gpt2_blocks(layers, heads, d_model).eval()
    tokens = whitespace_tokens(text)
    x = _word_embedding(torch, tokens, d_model, seed)[None]  # (1, T, E)
    return {"model": model, "inputs": (x,), "tokens": tokens, "causal": True}


BUILTIN = {"encoder-demo": encoder_demo, "gpt2-style": gpt2_style}


# ---- hooks ------------------------------------------------------------------------------------

def _heads_of(module):
    for name in ("num_heads", "n_head", "num_attention_heads"):
        value = getattr(module, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def _split_heads(x, heads):
    """(T, E) → (heads, T, E/heads)."""
    T, E = x.shape
    if E % heads:
        raise SystemExit(f"capture_attention: width {E} is not a multiple of {heads} heads")
    return x.reshape(T, heads, E // heads).transpose(0, 1).contiguous()


def _first_in_batch(x, batch_first):
    if x.dim() == 2:
        return x
    return x[0] if batch_first else x[:, 0]


class Recorder:
    """Registers the hooks; `layers` collects (q, k, v, causal_hint) per attention call."""

    def __init__(self, model):
        import torch
        self.torch = torch
        self.layers = []
        self.handles = []
        for module in model.modules():
            if isinstance(module, torch.nn.MultiheadAttention):
                self._hook(module, self._mha)
            elif hasattr(module, "c_attn") and _heads_of(module):
                self.handles.append(module.c_attn.register_forward_hook(self._gpt2(module)))
            elif all(isinstance(getattr(module, n, None), torch.nn.Linear) for n in ("query", "key", "value")) \
                    and _heads_of(module):
                self._hook(module, self._bert)

    def _hook(self, module, fn):
        try:  # torch >= 2.0 passes keyword arguments (attn_mask, is_causal) to the hook
            self.handles.append(module.register_forward_hook(
                lambda m, args, kwargs, out: fn(m, args, kwargs), with_kwargs=True))
        except TypeError:
            self.handles.append(module.register_forward_hook(lambda m, args, out: fn(m, args, {})))

    def _mha(self, m, args, kwargs):
        F = self.torch.nn.functional
        names = ("query", "key", "value")
        x = [args[i] if i < len(args) else kwargs[names[i]] for i in range(3)]
        if getattr(m, "bias_k", None) is not None:
            raise SystemExit("capture_attention: MultiheadAttention with add_bias_kv is not supported")
        with self.torch.no_grad():
            x = [_first_in_batch(t, m.batch_first) for t in x]
            E = m.embed_dim
            if m._qkv_same_embed_dim:
                w = m.in_proj_weight.split(E)
            else:
                w = (m.q_proj_weight, m.k_proj_weight, m.v_proj_weight)
            b = m.in_proj_bias.split(E) if m.in_proj_bias is not None else (None, None, None)
            q, k, v = (_split_heads(F.linear(x[i], w[i], b[i]), m.num_heads) for i in range(3))
        causal = bool(kwargs.get("is_causal", False))
        self.layers.append((q, k, v, causal))

    def _gpt2(self, module):
        def hook(c_attn, args, out):
            with self.torch.no_grad():
                y = _first_in_batch(out, True)
                E = y.shape[-1] // 3
                q, k, v = (_split_heads(t, _heads_of(module)) for t in y.split(E, dim=-1))
            self.layers.append((q, k, v, True))
        return hook

    def _bert(self, m, args, kwargs):
        h = args[0] if args else kwargs["hidden_states"]
        with self.torch.no_grad():
            h = _first_in_batch(h, True)
            heads = _heads_of(m)
            q, k, v = (_split_heads(getattr(m, n)(h), heads) for n in ("query", "key", "value"))
        self.layers.append((q, k, v, False))

    def remove(self):
        for handle in self.handles:
            handle.remove()


def capture(spec):
    """Runs spec["model"] on spec["inputs"] with the hooks; returns (q, k, v, causal) as
    float32 tensors [layers, heads, tokens, d]."""
    torch = __import__("torch")
    model = spec["model"]
    recorder = Recorder(model)
    try:
        inputs = spec["inputs"]
        # Grad stays enabled: PyTorch's fused inference path would skip the modules' forward calls.
        if isinstance(inputs, dict):
            model(**inputs)
        else:
            model(*inputs)
    finally:
        recorder.remove()
    if not recorder.layers:
        raise SystemExit("capture_attention: no attention module ran (looked for MultiheadAttention, "
                         "GPT-2-style c_attn and BERT-style query/key/value modules)")
    shapes = {tuple(t.shape) for layer in recorder.layers for t in layer[:2]}
    if len(shapes) != 1:
        raise SystemExit(f"capture_attention: the layers differ in shape {sorted(shapes)}")
    q, k, v = (torch.stack([layer[i].float() for layer in recorder.layers]) for i in range(3))
    hinted = spec.get("causal")
    causal = bool(hinted) if hinted is not None else any(layer[3] for layer in recorder.layers)
    return q, k, v, causal


def tensor_bytes(t, dtype):
    """Little-endian bytes of t in dtype (bfloat16 through its int16 bit patterns)."""
    torch = __import__("torch")
    if sys.byteorder != "little":
        raise SystemExit("capture_attention: writing needs a little-endian machine")
    if dtype == "bfloat16":
        return t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().tobytes()
    return t.to(getattr(torch, dtype)).contiguous().numpy().tobytes()


def write_capture(path, q, k, v, tokens, causal, dtype="float32", fmt=None, compress=False):
    if len(tokens) != q.shape[2]:
        raise SystemExit(f"capture_attention: {len(tokens)} tokens for {q.shape[2]} positions")
    fmt = fmt or ("npz" if path.endswith(".npz") else "safetensors")
    if fmt == "safetensors":
        tensors = [(n, dtype, tuple(t.shape), tensor_bytes(t, dtype)) for n, t in (("q", q), ("k", k), ("v", v))]
        write_safetensors(path, tensors, metadata_for(tokens, causal))
        return
    import numpy as np
    torch = __import__("torch")

    def array(t):
        if dtype == "bfloat16":
            return t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().view(np.uint16)
        return t.to(getattr(torch, dtype)).contiguous().numpy()

    save = np.savez_compressed if compress else np.savez
    with open(path, "wb") as f:  # a file object: numpy would otherwise append .npz to the name
        save(f, q=array(q), k=array(k), v=array(v), tokens=np.array(list(tokens), dtype=str),
             causal=np.array(bool(causal)), scale=np.array("inv_sqrt_d"))


def load_spec(model, text, seed):
    if model in BUILTIN:
        return BUILTIN[model](text, seed=seed)
    if ":" not in model:
        raise SystemExit(f"capture_attention: --model {model!r}: expected encoder-demo, gpt2-style or MODULE:CALLABLE")
    module_name, _, attr = model.partition(":")
    spec = getattr(importlib.import_module(module_name), attr)(text)
    for key in ("model", "inputs", "tokens"):
        if key not in spec:
            raise SystemExit(f"capture_attention: {model} returned no {key!r}")
    return spec


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="encoder-demo, gpt2-style or MODULE:CALLABLE")
    parser.add_argument("--text", required=True, help="the sentence")
    parser.add_argument("-o", "--output", required=True, help="FILE.safetensors or FILE.npz")
    parser.add_argument("--format", choices=("safetensors", "npz"), help="default: from the file name")
    parser.add_argument("--dtype", choices=DTYPES, default="float32")
    parser.add_argument("--compress", action="store_true", help=".npz: deflate the entries")
    parser.add_argument("--causal", choices=("auto", "true", "false"), default="auto")
    parser.add_argument("--seed", type=int, default=0, help="weights of the demo models")
    args = parser.parse_args(argv)
    spec = load_spec(args.model, args.text, args.seed)
    if args.causal != "auto":
        spec["causal"] = args.causal == "true"
    q, k, v, causal = capture(spec)
    write_capture(args.output, q, k, v, spec["tokens"], causal, args.dtype, args.format, args.compress)
    L, H, T, d = q.shape
    # attnlab's limits (core/base/limits.h): warn here rather than let the app refuse the file later.
    if T > 1024 or max(d, v.shape[3]) > 128 or L * H > 1024:
        print(f"warning: attnlab opens at most 1024 tokens, d and dv up to 128 and 1024 heads in all; "
              f"this file has {T} tokens, d = {d}, dv = {v.shape[3]}, {L * H} heads", file=sys.stderr)
    long = [t for t in spec["tokens"] if len(t.encode("utf-8")) > 128]
    if long:
        print(f"warning: attnlab refuses tokens longer than 128 bytes ({len(long)} here)", file=sys.stderr)
    print(f"{args.output}: {L} layers × {H} heads, {T} tokens, d = {d}, dv = {v.shape[3]}, "
          f"{args.dtype}, causal {str(causal).lower()}")


if __name__ == "__main__":
    main()
