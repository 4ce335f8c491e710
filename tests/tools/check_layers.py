#!/usr/bin/env python3
"""The house rules for includes: which part of the code may include which.

    tests/tools/check_layers.py [ROOT]        check the tree at ROOT (default: this repository)
    tests/tools/check_layers.py --self-test   show that a wrong-direction include and an include
                                              circle are caught (in a scratch copy)

The parts and the direction of the arrows are written down once, here (PARTS), and explained in
the README ("How the code is laid out"). A file may include headers of its own part and of the
parts its part lists; anything else is a layering error. Besides the direction, the check finds
include circles between modules (a module is foo.h with foo.cpp) of different parts, and keeps
ImGui, OpenGL and GLFW out of core. Exit 0 when clean, 1 with one line per problem otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

# part (a folder) -> the parts it may include besides itself. Order: lowest first.
PARTS = [
    ("core/base", []),
    ("core/math", ["core/base"]),
    ("core/formats", ["core/base", "core/math"]),
    ("core/course", ["core/base", "core/math", "core/formats"]),
    ("app/platform", ["core/base"]),
    ("app/layout", ["core/*", "app/platform", "app"]),
    ("app/panels", ["core/*", "app/platform", "app/layout", "app"]),
    ("app", ["core/*", "app/platform", "app/layout", "app/panels"]),
]
# Headers of the top of app/ that only the executable's own files (the event loop, the command
# line, main) include: a panel or the layout reaching for them would be an arrow upwards.
ENTRY_POINTS = {"app/gui.h", "app/cli.h"}
ENTRY_POINT_USERS = {"app/gui.cpp", "app/cli.cpp", "app/main.cpp"}
FORBIDDEN_IN_CORE = re.compile(r'#\s*include\s*[<"](imgui|GL/|GLFW/|glad/|backends/)')
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
SOURCE_ENDINGS = (".h", ".cpp")


def part_of(path):
    """The part a repository path belongs to: the longest PARTS folder that holds it."""
    best = None
    for name, _ in PARTS:
        if path.startswith(name + "/") and (best is None or len(name) > len(best)):
            best = name
    return best


def allowed(from_part, to_part):
    if from_part == to_part:
        return True
    for name, deps in PARTS:
        if name == from_part:
            return any(to_part == d or (d.endswith("/*") and to_part.startswith(d[:-1])) for d in deps)
    return False


def sources(root):
    for top in ("core", "app"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(SOURCE_ENDINGS):
                    yield os.path.relpath(os.path.join(folder, f), root)


def module(path):
    return os.path.splitext(path)[0]


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]; counter[0] += 1
        stack.append(start); on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]; counter[0] += 1
                    stack.append(child); on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop(); on_stack.discard(top); component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def check(root):
    problems = []
    graph = {}
    files = list(sources(root))
    for path in files:
        part = part_of(path)
        if part is None:
            problems.append(f"{path}: not in any part (add its folder to PARTS in tests/tools/check_layers.py)")
            continue
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        if part.startswith("core/") and FORBIDDEN_IN_CORE.search(text):
            problems.append(f"{path}: core includes ImGui, OpenGL or GLFW; core draws nothing")
        graph.setdefault(module(path), set())
        for line_no, target in ((text.count("\n", 0, m.start()) + 1, m.group(1)) for m in INCLUDE.finditer(text)):
            if not target.startswith(("core/", "app/")):
                continue
            target_part = part_of(target)
            if target_part is None:
                problems.append(f"{path}:{line_no}: includes {target}, which is in no part")
                continue
            if not allowed(part, target_part):
                problems.append(f"{path}:{line_no}: {part} may not include {target} ({target_part}); "
                                f"it may include {', '.join([part] + dict(PARTS)[part]) }")
            if target in ENTRY_POINTS and path not in ENTRY_POINT_USERS and module(path) != module(target):
                problems.append(f"{path}:{line_no}: includes {target}, which only the executable's entry points use")
            if module(target) != module(path):
                graph[module(path)].add(module(target))
    for component in cycles(graph):
        parts = sorted({part_of(m + ".h") or part_of(m + ".cpp") for m in component})
        if len(parts) > 1:
            problems.append("include circle between parts " + ", ".join(parts) + ": " + " <-> ".join(component))
    return problems, len(files)


def self_test(root):
    """Copies core/ and app/ to a scratch folder, breaks them two ways, and expects both caught."""
    scratch = tempfile.mkdtemp(prefix="check_layers.")
    try:
        for top in ("core", "app"):
            shutil.copytree(os.path.join(root, top), os.path.join(scratch, top))
        clean, _ = check(scratch)
        if clean:
            print("self-test: the unbroken copy has problems:\n  " + "\n  ".join(clean))
            return 1
        cases = [
            ("core/base/error.cpp", '#include "core/course/pack.h"\n', "core/base may not include core/course/pack.h"),
            ("core/math/geometry.cpp", '#include "app/ui_common.h"\n', "core/math may not include app/ui_common.h"),
            ("app/platform/paths.cpp", '#include "app/app_state.h"\n', "app/platform may not include app/app_state.h"),
            ("core/math/attention.cpp", "#include <imgui.h>\n", "core includes ImGui"),
        ]
        failures = 0
        for path, line, expected in cases:
            full = os.path.join(scratch, path)
            original = open(full, encoding="utf-8").read()
            open(full, "w", encoding="utf-8").write(line + original)
            found, _ = check(scratch)
            open(full, "w", encoding="utf-8").write(original)
            hit = any(expected in p for p in found)
            print(("caught" if hit else "MISSED") + f": {line.strip()} in {path}" + (f" -> {found[0]}" if hit else ""))
            failures += not hit
        # A circle between two parts that each include the other's header (both directions are
        # also layering errors, but the circle must be named on its own).
        a, b = os.path.join(scratch, "app/layout/layout_audit.h"), os.path.join(scratch, "app/probe.h")
        with open(a, "a", encoding="utf-8") as f:
            f.write('\n#include "app/probe.h"\n')
        found, _ = check(scratch)
        hit = any("include circle" in p and "app/layout/layout_audit" in p for p in found)
        print(("caught" if hit else "MISSED") + ": circle app/layout/layout_audit.h <-> app/probe.h" + (
            f" -> {[p for p in found if 'circle' in p][0]}" if hit else ""))
        failures += not hit
        return 1 if failures else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    if argv and argv[0] == "--self-test":
        return self_test(root if len(argv) < 2 else argv[1])
    if argv:
        root = argv[0]
    problems, count = check(root)
    for p in problems:
        print(p)
    print(f"check_layers: {count} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
