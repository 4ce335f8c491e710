#!/usr/bin/env python3
"""PyTorch's time for the attention bench_core times, on one thread, and the ratio (issue 12).

Usage: bench_torch.py BENCH_CORE   (runs `BENCH_CORE --attention` for the core's figures)
Run it with Debian's /usr/bin/python3 (python3-torch 1.13). Without torch it prints a note and
exits 0: the comparison is a benchmark, not a test.
"""
import statistics
import subprocess
import sys
import time


def torch_ms(torch, count, d, repeats):
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(count, d, generator=gen)
    k = torch.randn(count, d, generator=gen)
    v = torch.randn(count, d, generator=gen)
    scale = d ** -0.5
    times = []
    with torch.no_grad():
        for _ in range(5):
            torch.softmax(q @ k.T * scale, -1) @ v
        for _ in range(repeats):
            start = time.perf_counter()
            torch.softmax(q @ k.T * scale, -1) @ v
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    try:
        import torch
    except ImportError:
        print("  PyTorch comparison skipped: `import torch` failed in %s (install Debian's python3-torch)" % sys.executable)
        return 0
    torch.set_num_threads(1)
    core = {}
    for line in subprocess.run([sys.argv[1], "--attention"], check=True, capture_output=True, text=True).stdout.splitlines():
        count, d, ms = line.split()
        core[(int(count), int(d))] = float(ms)
    print("core float32 attention vs PyTorch %s float32, one thread each (median; target ratio <= 1.0)" % torch.__version__)
    for (count, d), ms in core.items():
        t = torch_ms(torch, count, d, 201 if count <= 256 else 31)
        print("  %4dx%-4d d=%-3d  core %8.3f ms   torch %8.3f ms   core/torch %5.2f" % (count, count, d, ms, t, ms / t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
