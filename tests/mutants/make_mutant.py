#!/usr/bin/env python3
"""Writes one mutant for run_mutants.sh: a unified diff that changes exactly one line.

    tests/mutants/make_mutant.py NAME FILE 'OLD LINE TEXT' 'NEW LINE TEXT' 'what it breaks' [TESTS_REGEX] [--rev REV]

OLD must occur exactly once in FILE (as read from REV, default the working tree), as a substring of
one line; that substring is replaced by NEW. The diff goes to tests/mutants/NAME.diff with the
'# breaks:' header (and '# tests:' when a ctest regex is given, to restrict that mutant's run).
"""
import difflib
import os
import subprocess
import sys


def main(argv):
    rev = None
    if "--rev" in argv:
        i = argv.index("--rev")
        rev = argv[i + 1]
        del argv[i:i + 2]
    if len(argv) not in (5, 6):
        sys.exit(__doc__)
    name, path, old, new, breaks = argv[:5]
    tests = argv[5] if len(argv) == 6 else ""
    repo = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    if rev:
        text = subprocess.run(["git", "-C", repo, "show", "%s:%s" % (rev, path)], check=True,
                              capture_output=True, text=True).stdout
    else:
        with open(os.path.join(repo, path)) as f:
            text = f.read()
    lines = text.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if old in line]
    if len(hits) != 1:
        sys.exit("%s: %r occurs on %d lines of %s, expected exactly 1" % (name, old, len(hits), path))
    if lines[hits[0]].count(old) != 1:
        sys.exit("%s: %r occurs more than once on its line" % (name, old))
    mutated = list(lines)
    mutated[hits[0]] = lines[hits[0]].replace(old, new)
    diff = difflib.unified_diff(lines, mutated, "a/" + path, "b/" + path, n=3)
    header = "# breaks: %s\n" % breaks
    if tests:
        header += "# tests: %s\n" % tests
    out = os.path.join(repo, "tests", "mutants", name + ".diff")
    with open(out, "w") as f:
        f.write(header + "".join(diff))
    print("wrote", os.path.relpath(out, repo), "(line %d)" % (hits[0] + 1))


if __name__ == "__main__":
    main(sys.argv[1:])
