#!/usr/bin/env python3
"""The house rule on size: no source file in core/ or app/ over MAX_FILE_LINES lines, no function
over MAX_FUNCTION_LINES lines (its signature to its closing brace, comments and blank lines
included, as a reader sees it).

    tests/tools/check_sizes.py [ROOT]          check the tree (default: this repository)
    tests/tools/check_sizes.py --list N [ROOT] print every function of N lines or more, longest first
    tests/tools/check_sizes.py --self-test     check the scanner on small pieces of C++

Functions are found by a brace scanner, not a compiler: comments, strings, character and raw
string literals are blanked first; a '{' whose head (the text since the previous ';', '{' or '}')
has a parameter list and sits in a namespace, a class or at file scope opens a function; lambdas,
blocks and initializers inside it count towards it. Exit 0 when within the limits, 1 otherwise.
"""
import os
import re
import sys

import check_layers  # beside this file: the same list of sources

MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 80


def blank_literals(text):
    """The text with comments, strings and character literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c); i += 1; continue
            end = text.find(")" + m.group(1) + '"', i + m.end())
            end = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end])); i = end
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(" "); i += 1; continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "#" and (i == 0 or text[i - 1] == "\n" or text[:i].rstrip(" \t").endswith("\n")):
            j = i
            while True:  # a preprocessor line, with its continuations
                k = text.find("\n", j)
                if k < 0:
                    k = n; break
                if text[k - 1] != "\\":
                    break
                j = k + 1
            out.append(re.sub(r"[^\n]", " ", text[i:k])); i = k
        else:
            out.append(c); i += 1
    return "".join(out)


SCOPE_WORDS = re.compile(r"\b(namespace|class|struct|union|enum)\b")
ACCESS = re.compile(r"\b(public|private|protected)\s*:(?!:)")


def functions(text):
    """(name, first line, last line) of every function defined in the text, 1-based lines."""
    code = blank_literals(text)
    found = []
    stack = []  # (kind, start line, name) for every open '{'
    head_start = 0
    for i, c in enumerate(code):
        if c == "{":
            head = ACCESS.sub(" ", code[head_start:i])
            outer = all(kind in ("scope",) for kind, _, _ in stack)
            if not outer:
                kind = "block"
            elif SCOPE_WORDS.search(head) and "(" not in head.split("{")[0].split("=")[0][:SCOPE_WORDS.search(head).start() + 1]:
                kind = "scope" if "(" not in head or head.find("(") > SCOPE_WORDS.search(head).start() else "function"
            elif "(" in head and ")" in head and not re.search(r"(^|[^=!<>])=([^=]|$)", head.split("(")[0]):
                kind = "function"
            elif re.search(r'\bextern\s*$', head.strip()) or head.strip() == "extern":
                kind = "scope"
            else:
                kind = "block"
            stripped = head.lstrip()
            start = code.count("\n", 0, head_start + (len(head) - len(stripped))) + 1
            name = ""
            if kind == "function":
                m = re.findall(r"([~\w:]+(?:<[^()]*>)?)\s*\(", head)
                name = m[0] if m else "?"
                if m and m[0] in ("if", "for", "while", "switch"):
                    kind = "block"
            stack.append((kind, start, name))
            head_start = i + 1
        elif c == "}":
            if stack:
                kind, start, name = stack.pop()
                if kind == "function":
                    found.append((name, start, code.count("\n", 0, i) + 1))
            head_start = i + 1
        elif c == ";":
            head_start = i + 1
    return found


def measure(root):
    files, funcs = [], []
    for path in check_layers.sources(root):  # every .h and .cpp under core/ and app/
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        files.append((path, text.count("\n") + (0 if text.endswith("\n") or not text else 1)))
        for name, first, last in functions(text):
            funcs.append((path, name, first, last - first + 1))
    return files, funcs


def self_test():
    sample = '''namespace a {
struct S {
    int f() const { return 1; }
    std::vector<int> v = {1, 2};
};
int g(int x) {
    auto l = [](int y) { return y; };
    const char* s = "}{";  // }
    if (x) { return l(x); }
    return 0;
}
int S::h() const
{
    /* { */ return R"x(})x"[0];
}
}  // namespace a
int table[] = {1, 2, 3};
'''
    got = [(name, first, last) for name, first, last in functions(sample)]
    want = [("f", 3, 3), ("g", 6, 11), ("S::h", 12, 15)]
    if got != want:
        print(f"self-test: got {got}, want {want}")
        return 1
    print("self-test: functions found as expected:", got)
    return 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", ".."))
    if argv and argv[0] == "--self-test":
        return self_test()
    listing = None
    if argv and argv[0] == "--list":
        listing = int(argv[1]); argv = argv[2:]
    if argv:
        root = argv[0]
    files, funcs = measure(root)
    if listing is not None:
        for path, name, first, lines in sorted(funcs, key=lambda f: -f[3]):
            if lines >= listing:
                print(f"{lines:5d}  {path}:{first}  {name}")
        return 0
    problems = [f"{p}: {n} lines, more than {MAX_FILE_LINES}" for p, n in files if n > MAX_FILE_LINES]
    problems += [f"{p}:{first}: {name} is {lines} lines, more than {MAX_FUNCTION_LINES}"
                 for p, name, first, lines in funcs if lines > MAX_FUNCTION_LINES]
    for line in problems:
        print(line)
    longest = max(funcs, key=lambda f: f[3]) if funcs else None
    largest = max(files, key=lambda f: f[1]) if files else None
    print(f"check_sizes: {len(files)} files, {len(funcs)} functions; largest file {largest[0]} ({largest[1]} lines), "
          f"longest function {longest[1]} in {longest[0]} ({longest[3]} lines); {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
