#!/usr/bin/env python3
"""Event-to-frame latency of a slider drag (issue 12, item 4): a benchmark, not a test.

Starts attnlab on task 1.3.2 with the probe on, presses the mouse on the query's first slider and
moves it in steps with xdotool. For each step it notes the time xdotool returns (it has flushed the
motion event to the X server by then) and waits for the probe to show a frame whose query differs from the last one; the probe's
frame_time (CLOCK_REALTIME when the frame was presented) minus the send time is that event's
latency. Prints the median and p95 over the steps.

Usage: drag_latency.py ATTNLAB [--size WxH] [--steps N] [--exercise ID]   (needs an X display)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def read_probe(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wait_for(path, predicate, timeout):
    end = time.time() + timeout
    while time.time() < end:
        d = read_probe(path)
        if d is not None and predicate(d):
            return d
        time.sleep(0.001)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("attnlab")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--exercise", default="1.3.2")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="attnlab-latency-")
    probe = os.path.join(work, "probe.json")
    env = dict(os.environ, ATTNLAB_PROBE=probe, HOME=work, XDG_STATE_HOME=work + "/state",
               XDG_CONFIG_HOME=work + "/config")
    app = subprocess.Popen([args.attnlab, "--no-autosave", "--size", args.size, "--exercise", args.exercise],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        d = wait_for(probe, lambda d: "q[0]" in d["items"], 20)
        if d is None:
            print("  drag latency: the window did not come up")
            return 1
        window = subprocess.run(["xdotool", "search", "--sync", "--name", "^attnlab"], capture_output=True,
                                text=True, timeout=10).stdout.split()[0]
        subprocess.run(["xdotool", "windowmove", window, "0", "0"], check=True)
        time.sleep(0.5)
        d = read_probe(probe)
        x, y, w, h = d["items"]["q[0]"]
        cx, cy = int(x + w / 2), int(y + h / 2)
        subprocess.run(["xdotool", "mousemove", "--window", window, str(cx), str(cy), "mousedown", "1"], check=True)
        time.sleep(0.3)
        latencies, spawn = [], []
        last = read_probe(probe)["queries"]
        for step in range(args.steps):
            dx = (step % 10 + 1) * max(1, int(w / 24)) * (1 if (step // 10) % 2 == 0 else -1)
            sent = time.time()
            subprocess.run(["xdotool", "mousemove", "--window", window, str(cx + dx), str(cy)], check=True)
            returned = time.time()  # xdotool flushed the event to the X server before it exited
            d = wait_for(probe, lambda d: d["queries"] != last, 2.0)
            if d is None:
                continue  # the slider did not move (e.g. clamped at an end): no sample
            latencies.append((d["frame_time"] - returned) * 1e3)
            spawn.append((returned - sent) * 1e3)
            last = d["queries"]
            time.sleep(0.03)
        subprocess.run(["xdotool", "mouseup", "1"], check=True)
        if not latencies:
            print("  drag latency: no frame followed the drag events")
            return 1
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1) + 0.5))]
        print("  slider drag, event-to-frame latency (%s, task %s, %d of %d events): median %.1f ms, p95 %.1f ms"
              " (from xdotool's exit; its own run took %.1f ms more, median)"
              % (args.size, args.exercise, len(latencies), args.steps, statistics.median(latencies), p95,
                 statistics.median(spawn)))
        return 0
    finally:
        app.terminate()
        try:
            app.wait(5)
        except subprocess.TimeoutExpired:
            app.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
