#!/usr/bin/env python3
"""Layout test of the geometry panel: no two labels overlap and none leaves the panel.

Renders the app headless (one process per case) with the probe on:

    ATTNLAB_PROBE=probe.json attnlab --no-autosave --session S --screenshot out.png --size WxH
                                     [--presentation] [--lang zh] [--exercise T] [--solve]

and reads the probe's "layout_problems" list: the geometry panel records every pair of labels
that still overlap ("label overlap") and every label outside its canvas ("label outside"), and
end_panel records content wider than the panel ("overflow"). Any entry with panel "geometry"
fails the test.

Cases: the nine notebook tasks (unsolved and solved) and sandbox sessions with N = 8, 32 and 256
keys, a d = 2 sandbox and a multi-query sandbox, at 1280x720 and 1920x1080, normal and
presentation mode, English and Chinese, and two text sizes (1 and Ctrl+= twice). Every session
meets every (size, mode, language) combination; text size and Solve alternate, so the run stays
under a minute on two cores. Usage:

    geometry_layout.py BINARY [--keep] [--only SUBSTRING]

Needs an X display (ctest runs under xvfb-run / tests/with_display.sh). Python 3 standard
library only. On failure it prints each problem with its case and exits 1.
"""

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

TASKS = ["1.2.1", "1.2.2", "1.2.3", "1.3.1", "1.3.2", "1.3.3", "1.4.1", "1.4.2", "1.4.3"]
SIZES = ["1280x720", "1920x1080"]
ZOOM_TWICE = 1.15 * 1.15  # Ctrl+= twice (app/ui.cpp)
TIMEOUT = 30


def unit_rows(rng, n, d):
    rows = []
    for _ in range(n):
        v = [rng.gauss(0, 1) for _ in range(d)]
        norm = sum(x * x for x in v) ** 0.5 or 1.0
        rows.append([round(x / norm, 4) for x in v])
    return rows


def sandbox(rng, n_keys, d=3, dv=3, queries=1, goal="select:0", scale=3.0):
    keys = unit_rows(rng, n_keys, d)
    qs = [[round(scale * x, 4) for x in row] for row in unit_rows(rng, queries, d)]
    return {"mode": "sandbox",
            "sandbox": {"source": "typed", "keys": keys, "values": unit_rows(rng, n_keys, dv), "queries": qs,
                        "goal": goal}}


def cases():
    """(name, session dict without view, extra args) for every scene."""
    rng = random.Random(7)
    out = [("task %s" % t, {"mode": "exercises", "selected_task": t}, ["--exercise", t]) for t in TASKS]
    out += [("sandbox N=8", sandbox(rng, 8, goal="average:1,2"), []),
            ("sandbox N=32", sandbox(rng, 32, goal="select:3"), []),
            ("sandbox N=256", sandbox(rng, 256, goal="average:0,1,2"), []),
            ("sandbox d=2", sandbox(rng, 6, d=2, dv=2, goal="select:1"), []),
            ("sandbox 4 queries", sandbox(rng, 12, queries=4, goal="select:2"), [])]
    return out


def run_case(binary, tmp, index, name, session, extra, size, presentation, lang, zoom, solve):
    doc = {"format": "attnlab-session", "version": 1}
    doc.update(session)
    doc["view"] = {"language": lang, "presentation": presentation, "text_zoom": zoom}
    path = os.path.join(tmp, "s%03d.json" % index)
    with open(path, "w") as f:
        json.dump(doc, f)
    probe = os.path.join(tmp, "p%03d.json" % index)
    png = os.path.join(tmp, "c%03d.png" % index)
    args = [binary, "--no-autosave", "--session", path, "--screenshot", png, "--size", size, "--lang", lang] + extra
    if presentation:
        args.append("--presentation")
    if solve and "--exercise" in extra:
        args.append("--solve")
    env = dict(os.environ, ATTNLAB_PROBE=probe)
    label = "%s, %s%s, %s, text x%.2f%s" % (name, size, " presentation" if presentation else "", lang, zoom,
                                             ", solved" if solve and extra else "")
    try:
        done = subprocess.run(args, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return label, ["timed out after %d s" % TIMEOUT]
    if done.returncode != 0:
        return label, ["exit %d: %s" % (done.returncode, done.stderr.decode(errors="replace").strip()[-300:])]
    try:
        with open(probe) as f:
            problems = json.load(f).get("layout_problems")
    except (OSError, ValueError) as e:
        return label, ["no probe: %s" % e]
    if problems is None:
        return label, ["the probe has no layout_problems list"]
    return label, ["%s: %s" % (p.get("kind"), p.get("what")) for p in problems if p.get("panel") == "geometry"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--keep", action="store_true", help="keep the folder with sessions, probes and PNGs")
    parser.add_argument("--only", default="", help="run only cases whose name contains this")
    a = parser.parse_args()
    a.binary = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix="geometry_layout.")
    combos = list(itertools.product(SIZES, [False, True], ["en", "zh"]))
    failures, runs, index = [], 0, 0
    for c, (name, session, extra) in enumerate(cases()):
        if a.only and a.only not in name:
            continue
        for k, (size, presentation, lang) in enumerate(combos):
            # Alternate text size and Solve so both meet every combination over the sessions.
            zoom = ZOOM_TWICE if (c + k) % 2 else 1.0
            solve = (c + k // 2) % 2 == 1
            label, problems = run_case(a.binary, tmp, index, name, session, extra, size, presentation, lang, zoom, solve)
            index += 1
            runs += 1
            for p in problems:
                failures.append("%s: %s" % (label, p))
    for f in failures:
        print("FAIL", f)
    print("geometry_layout: %d renders, %d problems" % (runs, len(failures)))
    if a.keep or failures:
        print("files kept in", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
