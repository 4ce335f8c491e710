#!/usr/bin/env python3
"""Property test: every session the loader accepts can be drawn; every other one is refused cleanly.

Generates random sessions in the format of core/formats/session.cpp (N 1..256 keys, d 1..16, dv 1..16,
both modes, every task and scale mode, answers of right and wrong shapes, presentation, Chinese,
text zoom, camera extremes, entries up to the ±1e6 limit of core/base/limits.h and a few beyond it or
beyond the temperature and tolerance limits), adds the regression sessions in tests/regress/
(*session*.json, and sessions/*.json),
and renders each one with the app itself, one process per session:

    attnlab --session F --screenshot out.png --size WxH [--lang zh] [--presentation] [--panel P]

(stopped after 20 s, like `timeout 20`, and after 3 GB of memory). For each it asserts:
  - a session inside every limit: exit 0 and a PNG of the requested size that is not blank;
  - a session past a limit: exit 2 and exactly one line on stderr that names the file;
  - never a signal, a sanitizer report, a timeout or a runaway allocation.

On failure it prints the seed, the case and why, keeps the temporary directory with the session
files and exits 1. Usage:

    render_sessions.py BINARY [--seed N] [--count 24] [--regress DIR] [--keep]

Needs an X display (ctest runs under xvfb-run). Python 3 standard library only.
"""

import argparse
import glob
import json
import math
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

from gui_util import rss_mb  # noqa: E402 (the tests folder is on sys.path when run as a script)

MAX_MAGNITUDE = 1e6  # core/base/limits.h kMaxMagnitude
MIN_TEMPERATURE, MAX_TEMPERATURE = 1e-3, 1e3
MAX_TOLERANCE = 1e6
TIMEOUT = 20.0  # a run is stopped after this (like `timeout 20`)
SLOW = 10.0  # at least; a render needs ~1 s (a few under the sanitizers); far longer is a runaway loop
MAX_RSS_MB = 1500  # the app needs ~150 MB (a few hundred under the sanitizers)
TASKS = ["1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "1.4.3"]
ANSWERS = {"query121": (1, 3, True), "query122": (4, 3, False), "query131": (1, 3, True),
           "query132": (1, 3, True), "m_key141": (4, 3, False), "m_key142": (4, 3, False)}
SIZES = ["640x480", "800x600", "1024x768", "1280x720", "1366x768"]
OVER_LIMIT = [1000000.5, 1.5e6, -2e6, 1e30, 3e38, -1e160, 1e200, 1e308, -1.7976931348623157e308]


# ---- the loader's rules, for the regression files (generated cases know their verdict) -------------

def numbers(value):
    if isinstance(value, list):
        for v in value:
            yield from numbers(v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield value


def expected_verdict(doc):
    """'refuse' when a limit of core/base/limits.h or a format rule is broken, else 'accept'."""
    if not isinstance(doc, dict) or doc.get("format") != "attnlab-session" or doc.get("version") != 1:
        return "refuse"
    known = {"format", "version", "mode", "answers", "selected_task", "tolerance", "sandbox", "view", "notes"}
    if set(doc) - known:
        return "refuse"
    tensors = [entry.get("value") for entry in (doc.get("answers") or {}).values() if isinstance(entry, dict)]
    sandbox = doc.get("sandbox") or {}
    view = doc.get("view") or {}
    if set(sandbox) - {"source", "torch_seed", "key_count", "key_dim", "value_dim", "keys", "values", "queries",
                       "scale", "temperature", "causal", "goal"}:
        return "refuse"
    if set(view) - {"language", "presentation", "text_zoom", "camera_yaw", "camera_pitch", "camera_distance"}:
        return "refuse"
    tensors += [sandbox.get(k) for k in ("keys", "values", "queries") if k in sandbox]
    if any(abs(x) > MAX_MAGNITUDE for t in tensors for x in numbers(t)):
        return "refuse"
    if not MIN_TEMPERATURE <= sandbox.get("temperature", 1.0) <= MAX_TEMPERATURE:
        return "refuse"
    if not 0 < doc.get("tolerance", 0.05) <= MAX_TOLERANCE:
        return "refuse"
    if not 0.5 <= view.get("text_zoom", 1.0) <= 3:
        return "refuse"
    return "accept"


# ---- random sessions --------------------------------------------------------------------------------

class Generator:
    def __init__(self, rng, with_notes):
        self.rng = rng
        self.with_notes = with_notes

    def dim(self, high, edges):
        r = self.rng.random()
        if r < 0.35:
            return self.rng.choice(edges)
        return self.rng.randint(1, high)

    def number(self, profile):
        r = self.rng
        if profile == "unit":
            return r.gauss(0, 1)
        if profile == "big":
            return r.uniform(-MAX_MAGNITUDE, MAX_MAGNITUDE)
        if profile == "edge":
            return r.choice([MAX_MAGNITUDE, -MAX_MAGNITUDE, 999999.9999, -999999.9999, 0.0, 1.0, 1e-300])
        if profile == "tiny":
            return r.choice([5e-324, -5e-324, 1e-300, 1e-30, 0.0, 2.2250738585072014e-308])
        if profile == "zero":
            return 0.0
        if profile == "mixed":
            return r.choice([MAX_MAGNITUDE, -MAX_MAGNITUDE]) if r.random() < 0.15 else r.gauss(0, 1)
        if profile == "huge-scale":  # every entry large: logits near d·1e12
            return r.choice([1, -1]) * r.uniform(0.5e6, MAX_MAGNITUDE)
        raise ValueError(profile)

    def matrix(self, rows, cols, profile):
        m = [[self.number(profile) for _ in range(cols)] for _ in range(rows)]
        if profile != "zero" and rows > 1 and self.rng.random() < 0.2:
            m[-1] = list(m[0])  # a duplicate row: tied logits
        return m

    def session(self, index):
        r = self.rng
        profile = r.choice(["unit", "unit", "big", "edge", "tiny", "zero", "mixed", "huge-scale"])
        n_keys = self.dim(256, [1, 2, 4, 256])
        d = self.dim(16, [1, 2, 3, 16])
        dv = self.dim(16, [1, 3, 16])
        n_queries = r.choice([1, 1, 2, r.randint(1, 8), min(n_keys, 256), r.randint(1, 256)])
        keys = self.matrix(n_keys, d, profile)
        values = self.matrix(n_keys, dv, r.choice([profile, "unit"]))
        queries = self.matrix(n_queries, d, r.choice([profile, "unit", "zero"]))
        answers = {}
        for name, (rows, cols, vector) in ANSWERS.items():
            if r.random() < 0.5:
                continue
            if r.random() < 0.2:  # a wrong shape: the checker reports it
                rows, cols, vector = r.randint(1, 8), r.randint(1, 16), r.random() < 0.5
                rows = 1 if vector else rows
            m = self.matrix(rows, cols, r.choice([profile, "unit", "edge"]))
            answers[name] = {"value": m[0] if vector else m}
            if r.random() < 0.5:
                answers[name]["vector"] = vector
        scale = r.choice(["one", "inv_sqrt_d", "temperature"])
        temperature = r.choice([MIN_TEMPERATURE, MAX_TEMPERATURE, 1.0,
                                10 ** r.uniform(math.log10(MIN_TEMPERATURE), math.log10(MAX_TEMPERATURE))])
        goal = r.choice(["", "select:0", "average:0,1", "select:%d" % (n_keys - 1), "identity",
                         "average:" + ",".join(str(i) for i in range(n_keys)), "select:999", "nonsense"])
        sandbox = {"source": r.choice(["typed", "typed", "notebook", "torch_seed", "random"]),
                   "torch_seed": r.choice([0, 447, 2 ** 64 - 1, r.randint(0, 2 ** 63)]),
                   "keys": keys, "values": values, "queries": queries, "scale": scale,
                   "temperature": temperature, "causal": r.random() < 0.3, "goal": goal}
        if r.random() < 0.6:
            sandbox.update(key_count=n_keys, key_dim=d, value_dim=dv)
        view = {"language": r.choice(["en", "zh"]), "presentation": r.random() < 0.4,
                "text_zoom": r.choice([0.5, 1.0, 1.5, 3.0, round(r.uniform(0.5, 3), 3)]),
                "camera_yaw": r.choice([0.6, r.uniform(-10, 10), 1e6, -3e38]),
                "camera_pitch": r.choice([0.35, r.uniform(-3, 3), -1e6, 3e38]),
                "camera_distance": r.choice([3.2, 0.1, 1e-6, 1e6, 3e38, r.uniform(0.5, 20)])}
        doc = {"format": "attnlab-session", "version": 1, "mode": r.choice(["exercises", "sandbox"]),
               "answers": answers, "selected_task": r.choice(TASKS),
               "tolerance": r.choice([0.05, 0.05, 1e-9, MAX_TOLERANCE, r.uniform(0.001, 1)]),
               "sandbox": sandbox, "view": view}
        if self.with_notes and r.random() < 0.3:
            doc["notes"] = {r.choice(["1.2.3", "1.3.3", "1.4.3"]): r.choice(["keys inside the hull", "中文笔记", ""])}
        for field in ("mode", "answers", "selected_task", "tolerance", "view"):
            if r.random() < 0.1:
                del doc[field]  # optional fields default
        desc = "N=%d d=%d dv=%d n=%d %s mode=%s task=%s scale=%s T=%g" % (
            n_keys, d, dv, n_queries, profile, doc.get("mode", "-"), doc.get("selected_task", "-"), scale, temperature)
        return doc, desc

    def refused(self, index):
        """A valid session with one limit broken."""
        doc, desc = self.session(index)
        r = self.rng
        kind = r.choice(["keys", "values", "queries", "answer", "answer", "temperature", "tolerance"])
        sandbox = doc["sandbox"]
        if kind in ("keys", "values", "queries"):
            m = sandbox[kind]
            i, j = r.randrange(len(m)), r.randrange(len(m[0]))
            m[i][j] = r.choice(OVER_LIMIT)
            what = "%s[%d][%d] = %r" % (kind, i, j, m[i][j])
        elif kind == "answer":
            name = r.choice(sorted(ANSWERS))
            value = r.choice(OVER_LIMIT)
            doc.setdefault("answers", {})[name] = {"value": [0.5, value, -0.25]}
            what = "answers.%s = [0.5, %r, -0.25]" % (name, value)
        elif kind == "temperature":
            sandbox["temperature"] = r.choice([1e-4, 0.00099, 1000.5, 1e4, 1e30])
            what = "temperature = %r" % sandbox["temperature"]
        else:
            doc["tolerance"] = r.choice([1000000.5, 1e7, 1e300])
            what = "tolerance = %r" % doc["tolerance"]
        return doc, "past a limit: %s (%s)" % (what, desc)


# ---- PNG check --------------------------------------------------------------------------------------

def png_rows(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA PNG; raises ValueError otherwise."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if not header or header[2] != 8 or header[3] not in (2, 6) or header[6] != 0:
        raise ValueError("unexpected PNG header %r" % (header,))
    width, height, ch = header[0], header[1], 3 if header[3] == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * ch
    if len(raw) != height * (stride + 1):
        raise ValueError("PNG data is %d bytes, expected %d" % (len(raw), height * (stride + 1)))
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        f, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if f == 1:
            for i in range(ch, stride):
                line[i] = (line[i] + line[i - ch]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - ch] if i >= ch else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - ch] if i >= ch else 0
                b, c = prev[i], prev[i - ch] if i >= ch else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif f != 0:
            raise ValueError("bad PNG filter %d" % f)
        rows.append((line, ch))
        prev = line
    return width, height, rows


def blank_reason(path, size):
    """None when the PNG has the size asked for (WxH, or None for any) and shows a drawn window."""
    try:
        w, h, rows = png_rows(path)
    except (OSError, ValueError, zlib.error) as e:
        return "unreadable PNG (%s)" % e
    width, height = (int(v) for v in size.split("x")) if size else (w, h)
    if (w, h) != (width, height):
        return "PNG is %dx%d, asked for %dx%d" % (w, h, width, height)
    if not size:  # one panel: it may be mostly empty (a discussion task), but not a flat colour
        colours = set()
        for line, ch in rows[::2]:
            for x in range(0, w * ch, ch * 3):
                colours.add(bytes(line[x:x + 3]))
        return None if len(colours) >= 8 else "panel PNG looks blank (%d distinct colours)" % len(colours)
    bands = []
    for b in range(3):  # top, middle and bottom third must each show something
        colours = set()
        for line, ch in rows[b * h // 3:(b + 1) * h // 3:2]:
            for x in range(0, w * ch, ch * 3):
                colours.add(bytes(line[x:x + 3]))
        bands.append(len(colours))
    if min(bands) < 4 or sum(bands) < 24:
        return "PNG looks blank (distinct colours in the top, middle and bottom thirds: %s)" % bands
    return None


# ---- running the app --------------------------------------------------------------------------------

def run_app(binary, args, env, cwd, slow=None):
    """(status or None, stdout, stderr, problem, peak MB): stopped after TIMEOUT s or MAX_RSS_MB."""
    out_path, err_path = os.path.join(cwd, "stdout.txt"), os.path.join(cwd, "stderr.txt")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen([binary] + args, cwd=cwd, env=env, stdout=out, stderr=err)
        start, problem, peak = time.time(), None, 0
        while proc.poll() is None:
            peak = max(peak, rss_mb(proc.pid))
            if time.time() - start > TIMEOUT:
                problem = "timed out after %.0f s" % TIMEOUT
            elif peak > MAX_RSS_MB:
                problem = "used more than %d MB of memory" % MAX_RSS_MB
            if problem:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.05)
    with open(out_path, errors="replace") as f:
        stdout = f.read()
    with open(err_path, errors="replace") as f:
        stderr = f.read()
    if not problem and slow and time.time() - start > slow:
        problem = "took %.1f s (limit %.0f s: 8 times the plain session, at least %.0f s; a runaway loop)" % (
            time.time() - start, slow, SLOW)
    return (None if problem else proc.returncode), stdout, stderr, problem, peak


def describe_status(code):
    return "signal %s" % signal.Signals(-code).name if code < 0 else "status %d" % code


def judge(verdict, path, png, size, code, stderr, problem):
    """None when the run did what the verdict asks, else the failure."""
    if problem:
        return problem
    lines = stderr.splitlines()
    sanitizer = [line for line in lines if "Sanitizer" in line or "runtime error" in line]
    if sanitizer:
        main_line = next((line for line in sanitizer if "ERROR:" in line or "runtime error" in line), sanitizer[0])
        frame = next((line.strip() for line in lines if line.strip().startswith("#") and
                      ("/app/" in line or "/core/" in line or "attn::" in line)), "")
        return "sanitizer report: %s%s" % (main_line.strip(), " | " + frame[:200] if frame else "")
    if code < 0:
        return "crashed (%s)" % describe_status(code)
    lines = stderr.strip("\n").split("\n") if stderr.strip() else []
    if verdict == "refuse":
        if code != 2:
            return "past a limit, expected exit 2 with a message; got %s%s" % (
                describe_status(code), ", stderr: " + lines[0] if lines else "")
        if len(lines) != 1:
            return "refused with %d lines on stderr, expected one: %r" % (len(lines), stderr[:300])
        if path not in lines[0]:
            return "the message does not name the file: %r" % lines[0][:300]
        return None
    if code != 0:
        return "within every limit, expected exit 0; got %s (stderr: %s)" % (
            describe_status(code), lines[0][:300] if lines else "empty")
    return blank_reason(png, size)


def supports_notes(binary, env, cwd):
    """Whether this build's loader knows the "notes" field (added with issue 9)."""
    path = os.path.join(cwd, "notes_probe.json")
    with open(path, "w") as f:
        json.dump({"format": "attnlab-session", "version": 1, "notes": {"1.2.3": "x"}, "tolerance": -1}, f)
    code, _, stderr, _, _ = run_app(binary, ["--session", path, "--screenshot", os.path.join(cwd, "n.png")], env, cwd)
    return code == 2 and "notes" not in stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=24, help="random sessions (a quarter past a limit)")
    parser.add_argument("--regress", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regress"),
                        help="folder of regression inputs: its *session*.json and sessions/*.json are included "
                             "(default tests/regress)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)  # the app runs in a temporary working directory
    if not os.environ.get("DISPLAY"):
        print("render_sessions.py: no X display (run under xvfb-run -a)", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="attnlab-render-")
    env = dict(os.environ)
    env.update(HOME=work, XDG_STATE_HOME=os.path.join(work, "state"), XDG_CONFIG_HOME=os.path.join(work, "config"))
    env.pop("ATTNLAB_PROBE", None)
    env.pop("ATTNLAB_SCALE", None)
    rng = random.Random(args.seed)
    gen = Generator(rng, supports_notes(args.binary, env, work))

    cases = []  # (session file, "accept" or "refuse", description)
    for i in range(args.count):
        if i % 4 == 3:
            doc, desc = gen.refused(i)
            verdict = "refuse"
        else:
            doc, desc = gen.session(i)
            verdict = "accept"
        assert expected_verdict(doc) == verdict, (desc, expected_verdict(doc))
        path = os.path.join(work, "case_%02d.json" % i)
        with open(path, "w") as f:
            json.dump(doc, f)
        cases.append((path, verdict, desc))
    seen = set()
    regress = sorted(glob.glob(os.path.join(args.regress, "*session*.json")) +
                     glob.glob(os.path.join(args.regress, "sessions", "*.json")))
    for path in regress:
        with open(path, "rb") as f:
            content = f.read()
        if content in seen:  # the same input filed twice
            continue
        seen.add(content)
        try:
            verdict = expected_verdict(json.loads(content))
        except ValueError:
            verdict = "refuse"
        copy = os.path.join(work, "regress_" + os.path.basename(path))
        with open(copy, "wb") as f:
            f.write(content)
        cases.append((copy, verdict, "regression input " + os.path.relpath(path, os.path.join(args.regress, "..", ".."))))

    # Calibration: the plain notebook session at the largest size; a case taking 8 times as long
    # (at least SLOW s) is a runaway loop even when it ends before the timeout.
    failures = 0
    started = time.time()
    plain = os.path.join(work, "plain.json")
    with open(plain, "w") as f:
        json.dump({"format": "attnlab-session", "version": 1}, f)
    code, _, stderr, problem, _ = run_app(args.binary, ["--session", plain, "--screenshot", plain[:-5] + ".png",
                                                        "--size", "1366x768"], env, work)
    failure = judge("accept", plain, plain[:-5] + ".png", "1366x768", code, stderr, problem)
    slow = min(TIMEOUT - 1, max(SLOW, 8 * (time.time() - started)))
    if failure:
        failures += 1
        print("not ok 0 - the plain notebook session: %s" % failure)
    else:
        print("ok 0 - the plain notebook session drawn in %.1f s; a case over %.0f s fails" % (time.time() - started, slow))
    for n, (path, verdict, desc) in enumerate(cases):
        size = rng.choice(SIZES)
        png = path[:-5] + ".png"
        extra = []
        if rng.random() < 0.2:
            extra += ["--lang", rng.choice(["en", "zh"])]
        if rng.random() < 0.2:
            extra += ["--presentation"]
        if rng.random() < 0.2:
            extra += ["--panel", rng.choice(["geometry", "heatmaps", "vectors", "output", "exercises"])]
        argv = ["--session", path, "--screenshot", png, "--size", size] + extra
        t = time.time()
        code, _, stderr, problem, peak = run_app(args.binary, argv, env, work, slow)
        # With --panel the PNG is the panel's size, not the window's.
        failure = judge(verdict, path, png, None if "--panel" in extra else size, code, stderr, problem)
        took = time.time() - t
        name = os.path.basename(path)
        if failure:
            failures += 1
            print("not ok %d - %s (%s, %s): %s [%.1f s, %d MB]" % (n + 1, name, verdict, desc, failure, took, peak))
            print("    replay: attnlab %s" % " ".join(argv))
        else:
            print("ok %d - %s %s (%s) [%.1f s, %d MB]" % (n + 1, name, "drawn" if verdict == "accept" else "refused", desc, took, peak))
    print("%d sessions, %d failed, seed %d, %.0f s" % (len(cases), failures, args.seed, time.time() - started))
    if failures or args.keep:
        print("kept %s (the session files, PNGs)" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
