#!/usr/bin/env python3
"""Train a tiny GPT-2-style language model on the licence texts every Debian system ships, measure
what its attention heads do, and capture one sentence for attnlab.

Usage (Debian 12: /usr/bin/python3 with python3-torch; a few minutes of one CPU core)
  /usr/bin/python3 train_tiny_lm.py -o tiny-lm.safetensors
  /usr/bin/python3 train_tiny_lm.py -o other.safetensors --text "..." --steps 2000 --save-weights lm.pt
  /usr/bin/python3 train_tiny_lm.py -o other.safetensors --text "..." --load-weights lm.pt   # no training

The model: word-level tokens (lower-cased words, numbers and single punctuation marks; words seen
fewer than twice become <unk>), learned token and position embeddings, the `gpt2-style` decoder
blocks of capture_attention.py (2 layers × 4 heads, d_model 64, head dimension 16, causal, scale
1/√d), a final LayerNorm and an output layer tied to the token embedding. It is trained on
next-word prediction over /usr/share/common-licenses/{GPL-3,GPL-2,LGPL-2.1,Apache-2.0,MPL-2.0,
GFDL-1.3} (the base-files package), deterministically: fixed seeds, one thread, AdamW.

Printed: the corpus size and its SHA-256, the training loss every few hundred steps, the held-out
loss, and for every layer and head four pattern scores (attention weight averaged over query rows
1..T-1), on held-out text, on random words repeated twice (A B C … A B C …) and on the captured
sentence:
  prev     weight on the previous token (i → i-1)
  diag     weight on the token itself (i → i)
  first    weight on the first token (i → 0)
  induct   for each token seen before, weight on the token just after its previous occurrence
           (where an induction head looks)
`attnlab tensors info --patterns FILE` computes the same scores from a capture. The capture is
written with capture_attention.py's hooks and writer (tokens, causal true, scale inv_sqrt_d).
"""
import argparse
import collections
import hashlib
import math
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in assets/ (it is installed as is)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capture_attention as cap  # noqa: E402

CORPUS = ["GPL-3", "GPL-2", "LGPL-2.1", "Apache-2.0", "MPL-2.0", "GFDL-1.3"]
CORPUS_DIR = "/usr/share/common-licenses"
DEFAULT_TEXT = "the licensee may copy the program , and the licensee may copy the program"
WORD = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")


def words_of(text):
    return WORD.findall(text.lower())


def read_corpus(directory):
    blob = b""
    for name in CORPUS:
        with open(os.path.join(directory, name), "rb") as f:
            blob += f.read() + b"\n"
    return blob.decode("utf-8", "replace"), hashlib.sha256(blob).hexdigest()


def make_vocab(words, min_count=2):
    counts = collections.Counter(words)
    kept = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    return ["<unk>"] + kept


def tiny_lm(torch, vocab_size, context, layers, heads, d_model):
    class TinyLM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = torch.nn.Embedding(vocab_size, d_model)
            self.wpe = torch.nn.Embedding(context, d_model)
            self.blocks = cap.gpt2_blocks(layers, heads, d_model)
            self.ln_f = torch.nn.LayerNorm(d_model)
            for table in (self.wte, self.wpe):  # GPT-2's init; N(0, 1) would start the tied logits huge
                torch.nn.init.normal_(table.weight, std=0.02)

        def forward(self, ids):  # ids: (B, T) → logits (B, T, vocab)
            x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
            return self.ln_f(self.blocks(x)) @ self.wte.weight.T

    return TinyLM()


def attention_maps(torch, model, ids):
    """Softmax weights of every layer and head for a batch of ids: (layers, B, heads, T, T),
    recomputed from the q, k the capture hooks record."""
    maps = []
    for row in ids:
        recorder = cap.Recorder(model)
        with torch.no_grad():
            model(row[None])
        recorder.remove()
        per_layer = []
        for q, k, _, _ in recorder.layers:  # q, k: (heads, T, d)
            logits = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
            T = logits.shape[-1]
            logits = logits.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            per_layer.append(logits.softmax(-1))
        maps.append(torch.stack(per_layer))  # (layers, heads, T, T)
    return torch.stack(maps, dim=1)


def induction_targets(ids):
    """For each position i whose token occurred before, the position just after its most recent
    earlier occurrence j (i.e. j + 1, when j + 1 < i): where an induction head looks."""
    targets, last = [], {}
    for i, t in enumerate(ids):
        j = last.get(t)
        if j is not None and j + 1 < i:
            targets.append((i, j + 1))
        last[t] = i
    return targets


def pattern_scores(torch, maps, ids):
    """maps: (layers, B, heads, T, T) for ids (B, T). Returns {name: (layers, heads) tensor}."""
    T = maps.shape[-1]
    rows = torch.arange(1, T)
    scores = {
        "prev": maps[..., rows, rows - 1].mean(dim=(1, 3)),
        "diag": maps[..., rows, rows].mean(dim=(1, 3)),
        "first": maps[..., rows, 0].mean(dim=(1, 3)),
    }
    picked = [maps[:, b, :, i, j] for b, row in enumerate(ids.tolist()) for i, j in induction_targets(row)]
    scores["induct"] = torch.stack(picked).mean(0) if picked else torch.full(scores["prev"].shape, float("nan"))
    return scores


def print_scores(title, scores):
    names = list(scores)
    print(title)
    print("  layer head  " + "  ".join(f"{n:>6}" for n in names))
    layers, heads = scores[names[0]].shape
    for layer in range(layers):
        for head in range(heads):
            print(f"  {layer:5d} {head:4d}  " + "  ".join(f"{scores[n][layer, head].item():6.3f}" for n in names))


def train(torch, model, data, args):
    gen = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    # 200 steps of warm-up, then a cosine decay to zero.
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 200) * 0.5 * (1 + math.cos(math.pi * s / args.steps)))
    loss_fn = torch.nn.functional.cross_entropy
    start, running = time.time(), 0.0
    for step in range(1, args.steps + 1):
        at = torch.randint(0, len(data) - args.context - 1, (args.batch,), generator=gen)
        x = torch.stack([data[i:i + args.context] for i in at])
        y = torch.stack([data[i + 1:i + args.context + 1] for i in at])
        loss = loss_fn(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running += loss.item()
        if step % args.report_every == 0 or step == args.steps:
            n = args.report_every if step % args.report_every == 0 else step % args.report_every
            print(f"step {step:5d}  train loss {running / n:.3f}  ({time.time() - start:.0f} s)", flush=True)
            running = 0.0


def held_out_loss(torch, model, data, context):
    with torch.no_grad():
        chunks = [data[i:i + context + 1] for i in range(0, len(data) - context - 1, context)]
        batch = torch.stack(chunks)
        logits = model(batch[:, :-1])
        return torch.nn.functional.cross_entropy(logits.flatten(0, 1), batch[:, 1:].flatten()).item()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--output", required=True, help="the capture: FILE.safetensors or FILE.npz")
    p.add_argument("--text", default=DEFAULT_TEXT, help="the sentence to capture (default: a repeated phrase)")
    p.add_argument("--steps", type=int, default=1500)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--context", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--corpus-dir", default=CORPUS_DIR)
    p.add_argument("--save-weights", help="also write the trained state_dict and vocabulary here (.pt)")
    p.add_argument("--load-weights", help="skip training: load a state_dict saved with --save-weights")
    args = p.parse_args(argv)
    args.report_every = 250

    import torch
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    text, digest = read_corpus(args.corpus_dir)
    words = words_of(text)
    vocab = make_vocab(words)
    index = {w: i for i, w in enumerate(vocab)}
    ids = torch.tensor([index.get(w, 0) for w in words])
    split = int(len(ids) * 0.9)
    train_ids, test_ids = ids[:split], ids[split:]
    print(f"corpus: {', '.join(CORPUS)} in {args.corpus_dir}: {len(words)} words, vocabulary {len(vocab)}, "
          f"sha256 {digest[:16]}…; train {len(train_ids)}, held out {len(test_ids)}")

    model = tiny_lm(torch, len(vocab), args.context, layers=2, heads=4, d_model=64)
    print(f"model: 2 layers × 4 heads, d_model 64, head dim 16, context {args.context}, "
          f"{sum(t.numel() for t in model.parameters())} parameters")
    if args.load_weights:
        saved = torch.load(args.load_weights)
        if saved["vocab"] != vocab:
            raise SystemExit("train_tiny_lm: the saved vocabulary differs from this corpus's")
        model.load_state_dict(saved["state_dict"])
    else:
        model.train()
        train(torch, model, train_ids, args)
    model.eval()
    print(f"held-out loss {held_out_loss(torch, model, test_ids, args.context):.3f} "
          f"(uniform guess: {torch.log(torch.tensor(float(len(vocab)))).item():.3f})")
    if args.save_weights:
        torch.save({"vocab": vocab, "state_dict": model.state_dict()}, args.save_weights)

    gen = torch.Generator().manual_seed(1234)
    starts = torch.randint(0, len(test_ids) - args.context, (16,), generator=gen)
    held = torch.stack([test_ids[i:i + args.context] for i in starts])
    half = args.context // 2
    common = torch.arange(1, min(len(vocab), 500))  # random words the model has seen often
    rand = common[torch.randint(0, len(common), (16, half), generator=gen)]
    repeated = torch.cat([rand, rand], dim=1)
    print_scores("pattern scores on held-out text:", pattern_scores(torch, attention_maps(torch, model, held), held))
    print_scores(f"pattern scores on 16 sequences of {half} random words, each repeated twice:",
                 pattern_scores(torch, attention_maps(torch, model, repeated), repeated))

    tokens = words_of(args.text)
    unknown = [w for w in tokens if w not in index]
    if unknown:
        print(f"warning: not in the vocabulary (read as <unk>): {' '.join(unknown)}", file=sys.stderr)
    if not tokens or len(tokens) > args.context:
        raise SystemExit(f"train_tiny_lm: --text has {len(tokens)} words; 1 to {args.context} fit")
    sentence = torch.tensor([[index.get(w, 0) for w in tokens]])
    q, k, v, causal = cap.capture({"model": model, "inputs": (sentence,), "tokens": tokens, "causal": True})
    cap.write_capture(args.output, q, k, v, tokens, causal)
    print_scores(f"pattern scores on the captured sentence ({len(tokens)} tokens):",
                 pattern_scores(torch, attention_maps(torch, model, sentence), sentence))
    L, H, T, d = q.shape
    print(f"{args.output}: {L} layers × {H} heads, {T} tokens, d = {d}, float32, causal {str(causal).lower()}")


if __name__ == "__main__":
    main()
