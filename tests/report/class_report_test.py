#!/usr/bin/env python3
"""Grading a class: `attnlab check DIR_OR_FILES...` on the synthetic class of 30 hand-ins.

usage: class_report_test.py BINARY FIXTURE_DIR [--chromium]

Without --chromium: the JSON table equals tests/fixtures/class/expected.json (every student's
state per task, the reasons and errors it names), the summary agrees with that table, CSV and
text agree with JSON, nothing in the hand-ins ran, the HTML is self-contained and escapes every
student string, single-file `check FILE` is unchanged, and hostile folders (a symlink loop, a
dangling link, a FIFO, 10 001 entries, nothing to grade) end with a clear message and no hang.

With --chromium: the HTML report is opened in headless Chromium; --dump-dom must hold the SVG
charts, the grade sheet's header (course, folder, tolerance, today's date, how the class did),
the ✓/✗ marks in the cells and the histogram bins split at the tolerance (issue 22), and the
screenshot must show them (pixels of the pass colour #009E73 in the pass-rate bars, of #0072B2 in
the histograms). chromium is in .ci/debian-packages.txt: its absence is a failure, not a skip.
--feedback DIR writes one Markdown file per student (checked without --chromium).
Standard library only. Prints "ok - ..." lines and exits 0 when everything holds.
"""
import csv
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zlib

FAILS = []


def check(name, cond, detail=""):
    print(("ok - " if cond else "not ok - ") + name + ("" if cond else f": {detail}"))
    if not cond:
        FAILS.append(name)


def run(binary, *args, cwd=None, timeout=60):
    p = subprocess.run([binary, *args], capture_output=True, timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ---- the table ------------------------------------------------------------------------------------

def grade_table(binary, fixture, work):
    expected = json.load(open(os.path.join(fixture, "expected.json"), encoding="utf-8"))
    hand_ins = os.path.join(fixture, "hand-ins")
    report = os.path.join(work, "report.html")
    rc, out, err = run(binary, "check", hand_ins, "--format", "json", "--report", report, cwd=work)
    check("class: exit status 1 (some tasks fail, some hand-ins unreadable)", rc == 1, f"rc {rc}, stderr {err[:300]}")
    check("class: nothing in the hand-ins ran", not os.path.exists(os.path.join(work, "attnlab-class-executed")))
    doc = json.loads(out)
    got = {s["student"]: s for s in doc["students"]}
    check("class: 30 students, the expected names", sorted(got) == sorted(expected["students"]),
          f"{sorted(set(got) ^ set(expected['students']))}")
    check("class: students sorted by name", [s["student"] for s in doc["students"]] == sorted(got))
    check("class: task ids", doc["tasks"] == expected["tasks"], doc["tasks"])
    for name, want in sorted(expected["students"].items()):
        s = got.get(name)
        if s is None:
            continue
        if "error" in want:
            ok = "error" in s and want["error"] in s["error"] and s["tasks"] == []
            check(f"class: {name} cannot be read ({want['error']})", ok, s.get("error", s["tasks"]))
            continue
        states = {t["id"]: t["state"] for t in s["tasks"]}
        check(f"class: {name} graded as expected", "error" not in s and states == want["tasks"],
              f"got {states}, error {s.get('error')}")
        reasons = {t["id"]: t.get("reason", "") for t in s["tasks"]}
        for task, needle in want.get("reasons", {}).items():
            check(f"class: {name} {task} says why ({needle})", needle in reasons.get(task, ""), reasons.get(task))
        for t in s["tasks"]:
            graded = t["state"] in ("pass", "fail") and not t.get("reason", "").startswith("query")
            if t["state"] == "pass":
                ok = isinstance(t["max_abs_diff"], float) and t["max_abs_diff"] <= 0.05 and "reason" not in t
                check(f"class: {name} {t['id']} passes with its error", ok, t)
            elif t["state"] in ("n/a", "missing"):
                check(f"class: {name} {t['id']} has no error figure", t["max_abs_diff"] is None, t)
            del graded

    # the summary, recomputed from the expected table
    summary = doc["summary"]
    n = len(expected["students"])
    unreadable = sum("error" in w for w in expected["students"].values())
    check("summary: hand-ins, read, unreadable", (summary["hand_ins"], summary["read"], summary["unreadable"]) ==
          (n, n - unreadable, unreadable), summary)
    all_passed = sum("tasks" in w and set(w["tasks"].values()) == {"pass"} for w in expected["students"].values())
    check("summary: students passing every task", summary["all_passed"] == all_passed, (summary["all_passed"], all_passed))
    for t in summary["tasks"]:
        counts = {k: 0 for k in ("pass", "fail", "n/a", "missing")}
        for w in expected["students"].values():
            if "tasks" in w:
                counts[w["tasks"][t["id"]]] += 1
        got_counts = (t["passed"], t["failed"], t["not_graded"], t["missing"], t["unreadable"])
        want_counts = (counts["pass"], counts["fail"], counts["n/a"], counts["missing"], unreadable)
        check(f"summary: {t['id']} counts", got_counts == want_counts, (got_counts, want_counts))
        check(f"summary: {t['id']} pass rate", abs(t["pass_rate"] - counts["pass"] / n) < 1e-12, t["pass_rate"])
        graded = sum(1 for s in doc["students"] for x in s["tasks"] if x["id"] == t["id"] and x["max_abs_diff"] is not None)
        check(f"summary: {t['id']} histogram counts every graded answer", sum(t["histogram"]["counts"]) == graded,
              (t["histogram"], graded))
    top = summary["reasons"][0]
    check("summary: most common reason is 1.4.2's too-short 1.3.2 query, grouped over two students",
          top["task"] == "1.4.2" and top["count"] == 2 and "|q| = #, needs ≥ #" in top["reason"]
          and top["students"] == ["eli", "erin"], top)
    check("summary: exit_status in the JSON", doc["exit_status"] == 1)
    return doc, report


def other_formats(binary, fixture, doc, work):
    hand_ins = os.path.join(fixture, "hand-ins")
    rc, out, err = run(binary, "check", hand_ins, "--format", "csv", cwd=work)
    rows = list(csv.reader(io.StringIO(out, newline="")))
    check("csv: exit 1, header + 30 rows, CRLF line ends", rc == 1 and len(rows) == 31 and "\r\n" in out, (rc, len(rows)))
    header = rows[0]
    check("csv: a state, error and reason column per task", header[:3] == ["student", "file", "error"] and
          header[3:6] == ["1.2.1", "1.2.1 max_abs_diff", "1.2.1 reason"] and header[-1] == "passed", header)
    width = {len(r) for r in rows}
    check("csv: every row has the header's columns", width == {len(header)}, width)
    by_name = {r[0]: r for r in rows[1:]}
    for s in doc["students"]:
        r = by_name.get(s["student"])
        if r is None:
            check(f"csv: row for {s['student']}", False, "missing")
            continue
        states = [r[3 + 3 * i] for i in range(len(doc["tasks"]))]
        want = [t["state"] for t in s["tasks"]] or [""] * len(doc["tasks"])
        if states != want:
            check(f"csv: {s['student']} states as in JSON", False, (states, want))
    check("csv: the HTML-named student round-trips", "<img src=x onerror=alert(1)>" in by_name)
    rc, text, err = run(binary, "check", hand_ins, cwd=work)
    check("text: exit 1 and the table header", rc == 1 and "student" in text and "1.4.2" in text, (rc, err))
    check("text: grouped reason with its count", "2×  1.4.2: The 1.3.2 query is too short" in text, text[-2000:])
    check("text: exit status explained", "exit status 1: 5 hand-ins could not be read" in text, text[-300:])


def header_checks(dom, where):
    """The grade sheet (issue 22): header fields, marks in every cell, bins split at the tolerance."""
    import datetime
    import re
    hand_ins = re.search(r'<td id="folder">([^<]*)</td>', dom)
    check(f"{where}: header names the folder graded", hand_ins is not None and hand_ins.group(1).endswith("hand-ins"),
          hand_ins and hand_ins.group(1))
    check(f"{where}: header names the course", '<td id="course">Understanding attention (notebook), the built-in notebook</td>' in dom)
    check(f"{where}: header names the tolerance", '<td id="tolerance">max abs diff ≤ 0.05 passes</td>' in dom)
    check(f"{where}: header has today's date", f'<td id="date">{datetime.date.today().isoformat()}</td>' in dom)
    verdict = re.search(r'id="verdict">(\d+) of (\d+) students passed every task\. (\d+) hand-ins could not be read\.', dom)
    check(f"{where}: says how the class did in words, no exit status", verdict is not None and verdict.group(2) == "30"
          and verdict.group(3) == "5" and "Exit status" not in dom, verdict and verdict.group(0))
    passes = re.findall(r'<td class="pass" title="[^"]*">✓ [^<]+</td>', dom)
    fails = re.findall(r'<td class="fail" title="[^"]*">✗( [^<]+)?</td>', dom)  # no diff: a wrong shape
    check(f"{where}: pass cells marked ✓, fail cells ✗", len(passes) >= 30 and len(fails) >= 5
          and dom.count('<td class="pass"') == len(passes) and dom.count('<td class="fail"') == len(fails), (len(passes), len(fails)))
    check(f"{where}: unreadable rows marked !", dom.count("! could not be read</td>") == 5)
    check(f"{where}: the legend", all(x in dom for x in ('<b class="pass">✓</b>', '<b class="fail">✗</b>', '<b class="err">!</b>')))
    check(f"{where}: histograms split at the tolerance, its edge labelled", dom.count(">tol 0.05</text>") == 6
          and "<title>&gt;0.05: " in dom, dom.count(">tol 0.05</text>"))


def html_checks(report):
    html = open(report, encoding="utf-8").read()
    lower = html.lower()
    check("html: no script, no external URL", "<script" not in lower and "http:" not in lower and "https:" not in lower
          and "src=" not in lower.replace("src=x onerror", ""), "found")
    check("html: the student named with HTML is escaped", "&lt;img src=x onerror=alert(1)&gt;" in html
          and "<img" not in lower)
    check("html: a reason quoting <script> is escaped", "&lt;script&gt;alert(1)&lt;/script&gt;" in html)
    check("html: 1 pass-rate chart + its colour key + 6 histograms, inline SVG", html.count('<svg class="chart"') == 1
          and html.count('<svg class="key"') == 1 and html.count('<svg class="hist"') == 6, html.count("<svg"))
    check("html: pass-rate bars in the pass colour", html.count('fill="#009E73"') >= 6)
    header_checks(html, "html")


def feedback_checks(binary, fixture, work):
    out = os.path.join(work, "feedback")
    rc, _, err = run(binary, "check", os.path.join(fixture, "hand-ins"), "--feedback", out, "--lang", "zh", cwd=work)
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    check("feedback: one Markdown file per student", rc == 1 and len(names) == 30 and all(n.endswith(".md") for n in names),
          (rc, names, err[:300]))
    check("feedback: the HTML-named student gets a safe name", "_img_src_x_onerror_alert_1__.md" in names, names)
    alice = open(os.path.join(out, "alice.md"), encoding="utf-8").read() if "alice.md" in names else ""
    check("feedback: --lang zh gives Chinese", "alice 的反馈" in alice and "1.2.1" in alice, alice[:400])


# ---- single files and hostile folders ------------------------------------------------------------

def compatibility_and_hostile(binary, fixture, work):
    alice = os.path.join(fixture, "hand-ins", "alice.py")
    rc, out, err = run(binary, "check", alice, "--format", "json")
    single = json.loads(out) if rc == 0 else {}
    check("single file: the old JSON (tolerance, tasks with answered/pass)", rc == 0 and "answered" in single["tasks"][0]
          and "students" not in single, (rc, err))
    rupert = os.path.join(fixture, "hand-ins", "rupert.py")
    rc, out, err = run(binary, "check", rupert, os.path.join(fixture, "hand-ins", "alice.py"), "--format", "json")
    doc = json.loads(out) if out.startswith("{") else {}
    check("two files: a class of two; missing answers alone do not fail (exit 0)",
          rc == 0 and [s["student"] for s in doc.get("students", [])] == ["alice", "rupert"], (rc, err))

    hostile = os.path.join(work, "hostile")
    os.makedirs(os.path.join(hostile, "loop"))                          # also a name clash with loop.py
    os.symlink("loop.py", os.path.join(hostile, "loop.py"))           # a link to itself: ELOOP
    os.symlink("nowhere.py", os.path.join(hostile, "dangling.py"))
    os.symlink("..", os.path.join(hostile, "loop", "up"))               # a folder loop (never entered)
    os.symlink(hostile, os.path.join(hostile, "self"))                  # a student folder that is the class
    os.mkfifo(os.path.join(hostile, "fifo.py"))
    shutil.copy(alice, os.path.join(hostile, "ok.py"))
    rc, out, err = run(binary, "check", hostile, "--format", "json", timeout=20)
    doc = json.loads(out) if out.startswith("{") else {"students": []}
    errors = {s["student"]: s.get("error", "") for s in doc["students"]}
    check("hostile folder: graded, exit 1, no hang", rc == 1 and set(errors) == {"dangling", "fifo", "loop.py", "loop/", "ok", "self"},
          (rc, sorted(errors), err))
    check("hostile folder: a symlink loop is an error", "Too many levels of symbolic links" in errors.get("loop.py", ""), errors)
    check("hostile folder: clashing names (loop.py, loop/) are told apart", errors.get("loop/", "").endswith("in the folder"), errors)
    check("hostile folder: a FIFO is refused without blocking", "not a regular file" in errors.get("fifo", ""), errors)
    check("hostile folder: a folder with several hand-ins says so", "keep one" in errors.get("self", ""), errors)

    many = os.path.join(work, "many")
    os.makedirs(many)
    for i in range(10001):
        open(os.path.join(many, f"s{i:05}.txt"), "w").close()
    rc, out, err = run(binary, "check", many, timeout=30)
    check("10 001 entries: refused with exit 2 naming the limit", rc == 2 and out == "" and "10000 entries" in err, (rc, err))
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    rc, out, err = run(binary, "check", empty)
    check("nothing to grade: exit 2, one line", rc == 2 and out == "" and "nothing to grade" in err and err.count("\n") == 1,
          (rc, err))
    rc, out, err = run(binary, "check", os.path.join(fixture, "hand-ins"), os.path.join(work, "no-such-folder"))
    check("a missing argument: exit 2", rc == 2 and out == "" and "no-such-folder" in err, (rc, err))
    rc, out, err = run(binary, "check", os.path.join(fixture, "hand-ins"), "--report", work)
    check("--report into a folder: exit 2, nothing on stdout", rc == 2 and out == "" and "regular file" in err, (rc, err))


# ---- chromium -------------------------------------------------------------------------------------

def png_rgba(path):
    """Decodes an 8-bit, non-interlaced RGB or RGBA PNG into (width, height, rows of bytes)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = prev[i], (prev[i - channels] if i >= channels else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def chromium_checks(report, work):
    browser = shutil.which("chromium")
    if browser is None:
        check("chromium is installed (apt-get install chromium; it is in .ci/debian-packages.txt)", False)
        return
    url = "file://" + os.path.abspath(report)
    flags = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", f"--user-data-dir={work}/chromium-profile"]
    dom = subprocess.run([browser, *flags, "--dump-dom", url], capture_output=True, timeout=120).stdout.decode("utf-8", "replace")
    check("chromium: the DOM holds the 8 SVGs (charts, key) and their bars", dom.count("<svg") == 8 and dom.count("<rect") >= 20,
          (dom.count("<svg"), dom.count("<rect")))
    header_checks(dom, "chromium")
    check("chromium: no element from a student's name", "<img" not in dom.lower())
    png = os.path.join(work, "report.png")
    subprocess.run([browser, *flags, f"--screenshot={png}", "--window-size=1200,2400", url], capture_output=True, timeout=120)
    if not os.path.exists(png):
        check("chromium: screenshot written", False, png)
        return
    width, height, channels, rows = png_rgba(png)
    colours = {(0x00, 0x9E, 0x73): 0, (0x00, 0x72, 0xB2): 0}
    white = 0
    for row in rows:
        for x in range(0, width * channels, channels):
            px = (row[x], row[x + 1], row[x + 2])
            if px in colours:
                colours[px] += 1
            elif px == (255, 255, 255):
                white += 1
    total = width * height
    check("chromium: screenshot is 1200×2400 and not blank", (width, height) == (1200, 2400) and white < 0.97 * total,
          (width, height, white / total))
    check("chromium: pass-rate bars drawn (#009E73 pixels)", colours[(0x00, 0x9E, 0x73)] > 20000, colours)
    check("chromium: histogram bars drawn (#0072B2 pixels)", colours[(0x00, 0x72, 0xB2)] > 5000, colours)
    keep = os.environ.get("ATTNLAB_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(png, keep)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    binary, fixture = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="attnlab-class-") as work:
        if "--chromium" in sys.argv[3:]:
            rc, out, err = run(binary, "check", os.path.join(fixture, "hand-ins"), "--report", os.path.join(work, "report.html"),
                               cwd=work)
            check("report written", rc == 1 and os.path.exists(os.path.join(work, "report.html")), (rc, err))
            if not FAILS:
                chromium_checks(os.path.join(work, "report.html"), work)
        else:
            doc, report = grade_table(binary, fixture, work)
            other_formats(binary, fixture, doc, work)
            html_checks(report)
            feedback_checks(binary, fixture, work)
            compatibility_and_hostile(binary, fixture, work)
    print(f"{'FAILED: ' + ', '.join(FAILS) if FAILS else 'all passed'}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
