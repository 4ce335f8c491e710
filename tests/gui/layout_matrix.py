#!/usr/bin/env python3
"""The layout test: readable on every screen a class uses.

Runs `attnlab --layout-report`, which renders headless every case of
{1280x720, 1366x768, 1600x900, 1920x1080} x {normal, presentation} x {zoom 0, +1, +2}
x {every language with a catalog: en, zh, ...} x {each task of the notebook and of temperature-masks (its 8-token tasks), fresh and solved; sandbox N = 8, 32, 256,
256 with one query, 1024 zoomed in; a captured head of 8 and one of 14 tokens}
and records what the layout audit saw (app/layout/layout_audit.h): text cut by its box, content
wider than its panel, heatmap cells without their number (N <= 16, or a row's winning cell),
geometry labels that overlap or left the panel, and a control a teacher needs (Solve, Reset,
Solve goal, Cancel) not wholly in view without scrolling, a heatmap legend cut by the panel's edge,
an axis that skips labels although rotated ones would fit, axis labels closer than the minimum gap,
and the zoom minimap (an overlay) over the map or its legend. Any such entry fails the test, listing the
first few with their case, panel and what; the allowed exceptions are named in ALLOWED below.

A second run proves the audit is alive: a window far too small for its text (800x600,
presentation, zoom +4) must report problems, or the matrix above proves nothing.

Usage: layout_matrix.py ATTNLAB
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

SIZES = 4
MODES = 2
ZOOMS = 3
# One per catalog compiled in (assets/i18n/*.json), plus the test hook's when it is set
# (core/base/i18n.h: ATTNLAB_EXTRA_CATALOG, e.g. the pseudo-language of tests/i18n/pseudo_language.py).
LANGUAGES = len(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets", "i18n", "*.json"))) \
    + (1 if os.environ.get("ATTNLAB_EXTRA_CATALOG") else 0)
TASKS = 9 + 12  # the notebook's and the temperature-masks pack's (app/layout/layout_cases.cpp)
CASES_PER_SCREEN = TASKS * 2 + 5 + 2  # each task fresh and solved, five sandboxes, two captured heads
# Control cases (app/layout/layout_cases.cpp control_cases()): each turns one heatmap fix off and
# must make the audit report its kind, or a clean matrix proves nothing about that kind.
CONTROLS = {
    "no-rotation": "skipped labels",
    "every-label": "label gap",
    "minimap-on-grid": "covered text",
    "legend-off-edge": "clipped legend",
}
EXPECTED_CASES = SIZES * MODES * ZOOMS * LANGUAGES * CASES_PER_SCREEN + len(CONTROLS)

# (panel, kind, reason): entries the test accepts. Keep this short and justified.
ALLOWED = [
    # None today: the discussion notes and long explanations scroll with their panel (vertical
    # scrolling is allowed everywhere), and large heatmaps keep their numbers in the tooltips by
    # design, which the app does not record as a problem.
]


def allowed(problem):
    return any(problem["panel"] == panel and problem["kind"] == kind for panel, kind, _ in ALLOWED)


def run(cmd, **kwargs):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=600, **kwargs)


def result_out_of_view_control(attnlab, tmp):
    """Solve on temperature-masks 2.1.1 at 1280x720 presentation zoom +2 puts its explanation below
    the fold: with the scroll to it turned off (the test hook ATTNLAB_NO_REVEAL) the audit must
    report "result out of view", and with it on, not."""
    found = {}
    for hook in (True, False):
        probe = os.path.join(tmp, "reveal-%s.json" % hook)
        env = dict(os.environ, ATTNLAB_PROBE=probe)
        if hook:
            env["ATTNLAB_NO_REVEAL"] = "1"
        result = run([attnlab, "--no-autosave", "--screenshot", os.path.join(tmp, "reveal.png"), "--size", "1280x720",
                      "--presentation", "--zoom", "2", "--pack", "temperature-masks", "--exercise", "2.1.1", "--solve"], env=env)
        if result.returncode != 0:
            print("the reveal control screenshot failed:", result.stderr)
            return False
        found[hook] = [p for p in json.load(open(probe)).get("layout_problems", []) if p["kind"] == "result out of view"]
    if not found[True]:
        print("with the scroll to Solve's explanation off, the audit did not report it out of view: it cannot see that kind")
        return False
    if found[False]:
        print("Solve's explanation is out of view although the task pane scrolls to it:", found[False])
        return False
    return True


def main():
    attnlab = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "layout.json")
        result = run([attnlab, "--no-autosave", "--layout-report", report])
        if result.returncode != 0:
            print("attnlab --layout-report failed:", result.returncode, result.stderr)
            return 1
        cases = json.load(open(report))["cases"]
        if len(cases) != EXPECTED_CASES:
            print("expected %d cases, the report has %d" % (EXPECTED_CASES, len(cases)))
            return 1
        for case in cases:
            if case["case"].startswith("control "):
                control = case["case"].split(":")[0][len("control "):]
                kinds = {p["kind"] for p in case["problems"]}
                if CONTROLS.get(control) not in kinds:
                    failures.append((case["case"], {"panel": "-", "kind": "control",
                                                    "what": "expected %r, saw %s" % (CONTROLS.get(control), sorted(kinds))}))
                continue
            for problem in case["problems"]:
                if not allowed(problem):
                    failures.append((case["case"], problem))
            if case["dropped"]:
                failures.append((case["case"], {"panel": "-", "kind": "dropped", "what": "%d more" % case["dropped"]}))

        # The audit must see a layout that cannot fit, or a clean matrix means nothing.
        probe = os.path.join(tmp, "probe.json")
        shot = os.path.join(tmp, "tiny.png")
        env = dict(os.environ, ATTNLAB_PROBE=probe)
        result = run([attnlab, "--no-autosave", "--screenshot", shot, "--size", "800x600", "--presentation", "--zoom", "4",
                      "--exercise", "1.2.2", "--solve"], env=env)
        if result.returncode != 0:
            print("the tiny-window screenshot failed:", result.stderr)
            return 1
        seen = json.load(open(probe)).get("layout_problems", [])
        if not seen:
            print("the layout audit saw nothing wrong in an 800x600 window at presentation zoom +4: it is not recording")
            return 1
        if not result_out_of_view_control(attnlab, tmp):
            return 1

    if failures:
        cases_hit = sorted({c for c, _ in failures})
        print("%d layout problems in %d of %d cases; the first ones:" % (len(failures), len(cases_hit), EXPECTED_CASES))
        for case, p in failures[:15]:
            print("  %-45s %-10s %-14s %s" % (case, p["panel"], p["kind"], p["what"]))
        return 1
    print("layout matrix: %d cases, no clipped text, blank cells or label overlaps (%d allowed exceptions named); "
          "the audit reported %d problems in the too-small control window" % (EXPECTED_CASES, len(ALLOWED), len(seen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
