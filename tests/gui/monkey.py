#!/usr/bin/env python3
"""Monkey test: random real X input into the attnlab window, invariants checked after every burst.

Starts the real binary in a fresh HOME (XDG dirs, working directory and probe file all inside one
temporary directory) and, for a fixed seed and duration, sends bursts of random input with xdotool:
clicks at random points and at the centres of the widgets the probe lists (app/probe.h), drags,
the wheel, shortcuts, typing (numbers, 1e30, commas, Return), Ctrl+click on sliders to type a value,
window resizes, and dialogs opened and escaped. After every burst it checks through the probe:

  - the process is alive;
  - the window answers: a harmless pointer move makes the probe's frame counter grow;
  - no matrix the probe lists (queries, keys, weights) holds null (the app writes non-finite
    numbers as null); queries and keys stay within the ±1e6 edit limit; weights within [0, 1];
  - the selected task is one of the course's tasks;

and at the end that Ctrl+Q exits with status 0 within 5 s.

It never presses Ctrl+Q, F11, Ctrl+S, Ctrl+Shift+S or F12 before the end, and never clicks the menu
bar (whose items quit, save or go full screen); a modal dialog left open is escaped.

On failure it prints the seed, the burst number and the last 20 actions, keeps the temporary
directory (actions.log holds every action, app.log the app's output) and exits 1. Each line of
actions.log is a JSON list of xdotool arguments (or ["sleep", s] / ["burst", n]);
`monkey.py BINARY --replay DIR/actions.log` sends them again with the same checks.

Usage: monkey.py BINARY [--seed N] [--seconds S] [--size WxH] [--keep] [--replay FILE] [--open FILE]
Needs an X display (ctest runs under xvfb-run) and xdotool. Python 3 standard library only.
"""

import argparse
import collections
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from gui_util import rss_mb  # noqa: E402 (the tests folder is on sys.path when run as a script)

SIZES = ["1280x720", "1366x768", "1600x900"]
MAX_COMPONENT = 1e6  # core/base/limits.h kMaxMagnitude: edits keep entries within it
ANSWER_TIMEOUT = 20.0  # seconds for the window to draw a frame (the sanitizer build is slow)
MAX_RSS_MB = 2000  # resident memory; the app needs ~150 MB (a few hundred under the sanitizers)

SHORTCUTS = [
    "ctrl+z", "ctrl+y", "ctrl+shift+z", "ctrl+Return", "ctrl+shift+Return", "ctrl+r",
    "Prior", "Next", "ctrl+Left", "ctrl+Right", "F5", "ctrl+l", "ctrl+equal", "ctrl+minus",
    "ctrl+0", "Escape", "Tab", "shift+Tab", "Return", "space", "Up", "Down", "Left", "Right",
    "ctrl+a", "BackSpace", "Delete",
]
BIG = ["1e30", "-1e30", "1000000", "-1000000", "1e6", "999999.9", "1e7", "123456789012345678901234567890"]
# Never before the end: they quit, write outside the temporary directory or leave the window.
FORBIDDEN = {"ctrl+q", "F11", "ctrl+s", "ctrl+shift+s", "F12"}
TEXTS = ["0", "1", "-1", "0.5", "-0.25", "3", "43", "1e30", "-1e30", "1000000", "-1000000",
         "999999.9", "1e-30", "1e6", "1e7", "0.694, 0.719, 0.006", "1,2,3", "1e", "-", ".", "e",
         "--1", "1.2.3", "0.0000001", "123456789012345678901234567890", "nan", "inf"]


class Failure(Exception):
    pass


class Monkey:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.work = tempfile.mkdtemp(prefix="attnlab-monkey-")
        self.probe_path = os.path.join(self.work, "probe.json")
        self.log = open(os.path.join(self.work, "actions.log"), "w")
        self.recent = collections.deque(maxlen=20)
        self.burst = 0
        self.app = None
        self.window = None
        self.size = (0, 0)
        self.actions = 0

    # ---- processes and the probe --------------------------------------------------------------

    def start(self):
        env = dict(os.environ)
        for name in ("state", "config", "data", "cache", "Pictures"):
            os.makedirs(os.path.join(self.work, name), exist_ok=True)
        env.update(HOME=self.work, XDG_STATE_HOME=os.path.join(self.work, "state"),
                   XDG_CONFIG_HOME=os.path.join(self.work, "config"),
                   XDG_DATA_HOME=os.path.join(self.work, "data"),
                   XDG_CACHE_HOME=os.path.join(self.work, "cache"), ATTNLAB_PROBE=self.probe_path)
        env.pop("ATTNLAB_SCALE", None)
        self.app_log = open(os.path.join(self.work, "app.log"), "w")
        opened = [os.path.abspath(self.args.open)] if self.args.open else []
        self.app = subprocess.Popen([self.args.binary, "--size", self.args.size] + opened, cwd=self.work, env=env,
                                    stdout=self.app_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            d = self.probe()
            if d and "frame" in d and "items" in d and d["items"]:
                break
            self.alive()
            time.sleep(0.1)
        else:
            raise Failure("the window did not write its probe within 60 s (does the probe have a frame counter?)")
        for _ in range(100):
            out = subprocess.run(["xdotool", "search", "--pid", str(self.app.pid)], capture_output=True, text=True).stdout.split()
            if not out:
                out = subprocess.run(["xdotool", "search", "--name", "^attnlab$"], capture_output=True, text=True).stdout.split()
            if out:
                self.window = out[-1]
                break
            time.sleep(0.1)
        else:
            raise Failure("no X window found for the app")
        subprocess.run(["xdotool", "windowmove", self.window, "0", "0"], capture_output=True)
        subprocess.run(["xdotool", "windowfocus", self.window], capture_output=True)
        w, h = (int(v) for v in self.args.size.split("x"))
        self.size = (w, h)
        time.sleep(0.3)

    def probe(self):
        for _ in range(5):
            try:
                with open(self.probe_path) as f:
                    return json.load(f)
            except FileNotFoundError:
                return None
            except (ValueError, OSError):
                time.sleep(0.02)  # never half a file (rename), but be lenient
        return None

    def alive(self):
        code = self.app.poll()
        if code is not None:
            how = "killed by signal %s" % signal.Signals(-code).name if code < 0 else "exited with status %d" % code
            raise Failure("the app is gone: " + how)
        rss = rss_mb(self.app.pid)
        if rss > MAX_RSS_MB:  # a runaway allocation: stop it before it takes the machine down
            self.app.kill()
            raise Failure("the app uses %d MB of memory (limit %d MB); killed" % (rss, MAX_RSS_MB))

    # ---- actions --------------------------------------------------------------------------------

    def record(self, action, quiet=False):
        if action[0] not in ("sleep", "burst", "note"):
            self.actions += 1
        self.log.write(json.dumps(action) + "\n")
        self.log.flush()
        if quiet:  # the checks' pointer nudges: in the log for replay, not in the report
            return
        if action[0] == "note":
            self.recent.append("burst %d:   (%s)" % (self.burst, action[1]))
        elif action[0] not in ("sleep", "burst"):
            self.recent.append("burst %d: %s" % (self.burst, " ".join(str(a) for a in action)))

    def run(self, action, quiet=False):
        """Records and performs one action: a list of xdotool arguments, or ["sleep", seconds]."""
        self.record(action, quiet)
        if action[0] == "sleep":
            time.sleep(action[1])
            return
        if action[0] in ("burst", "note"):
            return
        assert not any(str(a) in FORBIDDEN for a in action), action
        args = [str(a) for a in action]
        if "WINDOW" in args:
            args[args.index("WINDOW")] = self.window
        subprocess.run(["xdotool"] + args, capture_output=True, timeout=30)
        if action[0] == "windowsize":
            self.size = (int(action[2]), int(action[3]))

    def pause(self, low=0.01, high=0.08):
        self.run(["sleep", round(self.rng.uniform(low, high), 3)])

    def items(self):
        """Probed widgets inside the window and below the menu bar, sorted by name (deterministic)."""
        d = self.probe() or {}
        top = (d.get("menu_bar_height") or 30) + 2
        if d.get("window") and min(d["window"]) > 0:  # the size the app sees (a resize may be refused)
            self.size = (int(d["window"][0]), int(d["window"][1]))
        w, h = self.size
        out = []
        for name in sorted(d.get("items", {})):
            x, y, iw, ih = d["items"][name]
            cx, cy = x + iw / 2, y + ih / 2
            if top < cy < h - 1 and 0 < cx < w - 1:
                out.append((name, int(cx), int(cy), iw, ih))
        return out, top

    def point(self, top):
        w, h = self.size
        return self.rng.randint(1, max(1, w - 2)), self.rng.randint(int(top) + 1, max(int(top) + 1, h - 2))

    def move(self, x, y):
        return ["mousemove", "--window", "WINDOW", int(x), int(y)]

    def act_click_random(self, items, top):
        x, y = self.point(top)
        button = self.rng.choice([1, 1, 1, 1, 3])
        self.run(self.move(x, y))
        self.pause(0.05, 0.12)
        self.run(["click", "--repeat", self.rng.choice([1, 1, 1, 2]), button])
        if button == 3:  # a context menu: mostly close it again
            self.pause()
            if self.rng.random() < 0.7:
                self.run(["key", "Escape"])

    def act_click_item(self, items, top):
        if not items:
            return self.act_click_random(items, top)
        name, x, y, w, h = self.rng.choice(items)
        self.run(["note", "click " + name])
        x += self.rng.randint(-int(w / 4), int(w / 4)) if w > 8 else 0
        self.run(self.move(x, y))
        self.pause(0.05, 0.12)
        double = name.startswith("splitter") and self.rng.random() < 0.3
        self.run(["click", "--repeat", 2 if double else 1, 1])

    def act_navigate(self, items, top):
        """A tab or a task: the sandbox and every task get their share of the input."""
        places = [i for i in items if i[0].startswith("tab ") or i[0].startswith("task ")]
        if not places:
            return self.act_click_item(items, top)
        name, x, y, _, _ = self.rng.choice(places)
        self.run(["note", "click " + name])
        self.run(self.move(x, y))
        self.pause(0.05, 0.12)
        self.run(["click", 1])

    def act_drag(self, items, top):
        grips = [i for i in items if "[" in i[0] or "length" in i[0] or i[0].startswith("splitter")]
        if grips and self.rng.random() < 0.6:
            name, x, y, _, _ = self.rng.choice(grips)
            self.run(["note", "drag " + name])
        else:
            x, y = self.point(top)
        self.run(self.move(x, y))
        self.pause(0.03, 0.08)
        self.run(["mousedown", 1])
        w, h = self.size
        for _ in range(self.rng.randint(1, 6)):
            x = min(max(1, x + self.rng.randint(-300, 300)), w - 2)
            y = min(max(int(top) + 1, y + self.rng.randint(-150, 150)), h - 2)
            self.pause(0.03, 0.1)
            self.run(self.move(x, y))
        self.pause(0.03, 0.1)
        self.run(["mouseup", 1])

    def act_wheel(self, items, top):
        x, y = self.point(top)
        self.run(self.move(x, y))
        self.run(["click", "--repeat", self.rng.randint(1, 6), "--delay", 30, self.rng.choice([4, 5])])

    def act_shortcut(self, items, top):
        self.run(["key", "--delay", 60, self.rng.choice(SHORTCUTS)])

    def act_type(self, items, top):
        text = self.rng.choice(TEXTS)
        self.run(["type", "--delay", 40, text])
        self.run(["key", self.rng.choice(["Return", "Tab", "Return", "Escape"])])

    def act_type_into_slider(self, items, top):
        sliders = [i for i in items if "[" in i[0] or "length" in i[0]]
        if not sliders:
            return self.act_type(items, top)
        name, x, y, _, _ = self.rng.choice(sliders)
        self.run(["note", "ctrl+click " + name])
        self.run(self.move(x, y))
        self.pause(0.05, 0.12)
        self.run(["keydown", "ctrl"])
        self.run(["click", 1])
        self.run(["keyup", "ctrl"])
        self.pause(0.15, 0.3)
        self.run(["key", "ctrl+a"])
        self.run(["type", "--delay", 40, self.rng.choice(BIG if self.rng.random() < 0.4 else TEXTS)])
        if self.rng.random() < 0.3:  # Tab on to the next field and type there too
            self.run(["key", "Tab"])
            self.run(["type", "--delay", 40, self.rng.choice(TEXTS)])
        self.run(["key", self.rng.choice(["Return", "Return", "Tab", "Escape"])])

    def act_resize(self, items, top):
        if self.rng.random() < 0.5:
            w, h = (int(v) for v in self.rng.choice(SIZES + ["1920x1080", "1024x768", "800x600"]).split("x"))
        else:
            w, h = self.rng.randint(640, 1920), self.rng.randint(480, 1080)
        self.run(["windowsize", "WINDOW", w, h])
        self.pause(0.2, 0.4)

    def act_dialog(self, items, top):
        self.run(["key", "--delay", 60, self.rng.choice(["ctrl+o", "ctrl+e"])])
        self.pause(0.2, 0.4)
        if self.rng.random() < 0.4:
            self.run(["type", "--delay", 40, self.rng.choice(["x", "1", "out.py", "0.7"])])
        self.run(["key", "Escape"])

    def act_view(self, items, top):
        self.run(["key", "--delay", 60, self.rng.choice(["F5", "ctrl+l", "ctrl+equal", "ctrl+minus", "ctrl+0"])])
        self.pause(0.2, 0.5)  # the font atlas is rebuilt

    ACTIONS = [  # (weight, method)
        (12, act_click_item), (10, act_click_random), (5, act_navigate), (8, act_drag), (5, act_wheel), (12, act_shortcut),
        (5, act_type), (8, act_type_into_slider), (3, act_resize), (2, act_dialog), (3, act_view),
    ]

    def one_burst(self):
        self.burst += 1
        self.run(["burst", self.burst])
        for _ in range(self.rng.randint(3, 10)):
            items, top = self.items()
            total = sum(w for w, _ in self.ACTIONS)
            pick = self.rng.uniform(0, total)
            for weight, method in self.ACTIONS:
                pick -= weight
                if pick <= 0:
                    break
            method(self, items, top)
            self.pause()
            self.alive()

    # ---- invariants -----------------------------------------------------------------------------

    def escape_modals(self):
        for _ in range(4):
            d = self.probe() or {}
            if not d.get("modal"):
                return
            self.run(["key", "Escape"])
            self.run(["sleep", 0.3])

    def wait_for_frame(self):
        d = self.probe() or {}
        before = d.get("frame", -1)
        w, h = self.size
        deadline = time.time() + ANSWER_TIMEOUT
        nudge = 0
        while time.time() < deadline:
            self.alive()
            # A pointer move inside the window (top-left corner of the client area, where no widget
            # reacts to hovering) is the harmless no-op that makes the app draw a frame.
            self.run(self.move(2 + nudge % 2, max(2, h - 3)), quiet=True)
            nudge += 1
            for _ in range(5):
                time.sleep(0.06)
                self.alive()
                d = self.probe() or {}
                if d.get("frame", -1) > before:
                    return d
        raise Failure("the window stopped answering: no new frame within %.0f s (frame %s)" % (ANSWER_TIMEOUT, before))

    def check(self):
        self.alive()
        self.escape_modals()
        d = self.wait_for_frame()
        problems = []

        def walk(name, m, bound):
            if not isinstance(m, list):
                problems.append("%s is %r, not a matrix" % (name, m))
                return
            for i, row in enumerate(m):
                for j, v in enumerate(row if isinstance(row, list) else [row]):
                    if v is None:
                        problems.append("%s[%d][%d] is not finite (null)" % (name, i, j))
                    elif not isinstance(v, (int, float)) or not math.isfinite(v):
                        problems.append("%s[%d][%d] is %r" % (name, i, j, v))
                    elif bound is not None and not bound[0] <= v <= bound[1]:
                        problems.append("%s[%d][%d] = %r is outside [%g, %g]" % (name, i, j, v, bound[0], bound[1]))
                    if len(problems) > 5:
                        return

        walk("queries", d.get("queries"), (-MAX_COMPONENT, MAX_COMPONENT))
        walk("keys", d.get("keys"), (-MAX_COMPONENT, MAX_COMPONENT))
        if d.get("weights") is not None:  # null as a whole: the workspace shows an error instead
            walk("weights", d.get("weights"), (-1e-9, 1 + 1e-9))
        tasks = d.get("tasks") or [c["id"] for c in d.get("checks", [])]
        if d.get("selected_task") not in tasks:
            problems.append("selected task %r is not one of %s" % (d.get("selected_task"), tasks))
        if problems:
            raise Failure("; ".join(problems[:6]))

    def quit(self):
        self.escape_modals()
        self.run(["key", "Escape"])
        self.run(["sleep", 0.2])
        self.record(["key", "ctrl+q"])
        start = time.time()
        subprocess.run(["xdotool", "key", "--delay", "80", "ctrl+q"], capture_output=True)
        try:
            code = self.app.wait(timeout=5)
        except subprocess.TimeoutExpired:
            raise Failure("Ctrl+Q did not quit within 5 s")
        if code != 0:
            how = "signal %s" % signal.Signals(-code).name if code < 0 else "status %d" % code
            raise Failure("Ctrl+Q quit with %s, not 0 (after %.1f s)" % (how, time.time() - start))

    # ---- driver ---------------------------------------------------------------------------------

    def fail(self, error):
        print("FAIL: %s" % error)
        print("seed %d, size %s, burst %d, %d actions; replay: %s %s --size %s --replay %s" % (
            self.args.seed, self.args.size, self.burst, self.actions, sys.argv[0], self.args.binary,
            self.args.size, os.path.join(self.work, "actions.log")))
        print("last %d actions:" % len(self.recent))
        for line in self.recent:
            print("  " + line)
        try:
            with open(os.path.join(self.work, "app.log"), errors="replace") as f:
                log = f.read()
        except OSError:
            log = ""
        lines = log.splitlines()
        report = next((i for i, line in enumerate(lines) if "ERROR: AddressSanitizer" in line or "runtime error" in line), None)
        if report is not None:  # the sanitizer's verdict and the first frames in attnlab's own code
            ours = [line for line in lines[report:] if line.strip().startswith("#") and
                    ("/app/" in line or "/core/" in line or "attn::" in line)]
            print("sanitizer report:\n  " + "\n  ".join([lines[report].strip()] + [l.strip()[:240] for l in ours[:4]]))
        elif log.strip():
            print("app output (tail):\n" + log[-4000:])
        print("kept %s (actions.log, app.log, probe.json)" % self.work)

    def main(self):
        try:
            self.start()
            self.check()
            if self.args.replay:
                with open(self.args.replay) as f:
                    steps = [json.loads(line) for line in f if line.strip()]
                for step in steps:
                    if step[0] == "burst":
                        if self.burst:
                            self.check()
                        self.burst = step[1]
                        self.run(step)
                    elif step != ["key", "ctrl+q"]:
                        self.run(step)
                self.check()
            else:
                end = time.time() + self.args.seconds
                while time.time() < end:
                    self.one_burst()
                    self.check()
            self.quit()
        except Failure as e:
            self.fail(e)
            return 1
        except BaseException as e:
            self.fail("harness error: %r" % (e,))
            raise
        finally:
            if self.app and self.app.poll() is None:
                self.app.kill()
                self.app.wait()
        print("ok - seed %d, size %s: %d bursts, %d actions, invariants held, Ctrl+Q exit 0" % (
            self.args.seed, self.args.size, self.burst, self.actions))
        if self.args.keep:
            print("kept %s" % self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--size", help="window size WxH (default: one of %s chosen by the seed)" % ", ".join(SIZES))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory after a pass")
    parser.add_argument("--replay", help="an actions.log to send again instead of random input")
    parser.add_argument("--open", help="a file to open at start (a captured-attention file, a session, a hand-in)")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)  # the app runs in a temporary working directory
    if not os.environ.get("DISPLAY"):
        print("monkey.py: no X display (run under xvfb-run -a)", file=sys.stderr)
        return 2
    if shutil.which("xdotool") is None:
        print("monkey.py: xdotool is not installed", file=sys.stderr)
        return 2
    if not args.size:
        args.size = SIZES[args.seed % len(SIZES)]
    return Monkey(args).main()


if __name__ == "__main__":
    sys.exit(main())
