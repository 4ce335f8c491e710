#!/usr/bin/env python3
"""Refreshes stale mutants: the same one-line bug, re-anchored in the code as it is now.

    tests/mutants/refresh.py MUTANT.diff [...]      rewrite each in place when it no longer applies
    tests/mutants/refresh.py --file NEW/PATH.cpp MUTANT.diff   ... looking for the line in another file
                                                               (code that moved)

A mutant (see run_mutants.sh) changes lines of one file: its '-' lines are the original code and
its '+' lines the bug. When the code around it moves, `patch` can no longer place it; this finds
the '-' lines (compared without leading and trailing spaces, in order, consecutive) in the file
now, once and only once, and writes a new diff with the same header comments. A mutant whose
lines are gone or found twice is reported, not guessed: refresh it by hand.
"""
import difflib
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def parse(path):
    header, target, removed, added = [], None, [], []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("#"):
            header.append(line)
        elif line.startswith("--- a/"):
            target = line[6:].strip()
        elif line.startswith("+++ ") or line.startswith("@@"):
            continue
        elif line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return header, target, removed, added


def applies(path):
    with open(path, "rb") as diff:
        return subprocess.run(["patch", "-p1", "--dry-run", "-s", "--no-backup-if-mismatch"], stdin=diff, cwd=ROOT,
                              capture_output=True).returncode == 0


def refresh(path, new_file=None):
    header, target, removed, added = parse(path)
    target = new_file or target
    if not target or not removed:
        return f"{path}: not a one-file mutant with '-' lines"
    lines = open(os.path.join(ROOT, target), encoding="utf-8").read().split("\n")
    want = [r.strip() for r in removed]
    hits = [i for i in range(len(lines) - len(want) + 1)
            if [l.strip() for l in lines[i:i + len(want)]] == want]
    if len(hits) != 1:
        return f"{path}: its lines occur {len(hits)} times in {target}; refresh it by hand"
    at = hits[0]
    indent = re.match(r"\s*", lines[at]).group(0)
    old_indent = re.match(r"\s*", removed[0]).group(0)
    mutated = [indent + a[len(old_indent):] if a.startswith(old_indent) else a for a in added]
    new_lines = lines[:at] + mutated + lines[at + len(want):]
    diff = difflib.unified_diff(lines, new_lines, f"a/{target}", f"b/{target}", n=3, lineterm="")
    text = "\n".join(header) + "\n" + "\n".join(l for l in diff) + "\n"
    open(path, "w", encoding="utf-8").write(text)
    return f"{path}: refreshed at {target}:{at + 1}" if applies(path) else f"{path}: rewritten but does not apply"


def main(argv):
    new_file = None
    if argv[:1] == ["--file"]:
        new_file, argv = argv[1], argv[2:]
    status = 0
    for path in argv:
        if applies(path) and new_file is None:
            print(f"{path}: applies as it is")
            continue
        message = refresh(path, new_file)
        print(message)
        status |= "refreshed" not in message
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
