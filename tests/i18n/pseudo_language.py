#!/usr/bin/env python3
"""Proves that adding a language is adding one file: runs everything in a third language that is
never shipped, and fails when any English is left.

The pseudo-language "xx" is built in a temporary folder, never in assets/i18n/:
  xx.json          every string the code translates (check_catalogs.py --list), each letter of its
                   words accented (a -> á, e -> é, ...) and the whole between «...»; printf
                   conversions, escapes and ###id suffixes kept as they are
  notebook.json    the course with an "xx" text next to every "en" one
It is loaded through the documented test hook ATTNLAB_EXTRA_CATALOG (core/base/i18n.h); the dump
program (tests/i18n/dump_texts.cpp) then writes every UI string, every course text and every
explanation core and the app produce (solves, diagnoses of many answers, checks, reports, sandbox
goals) in xx, and this script looks for English words left in them. A word counts as English
when the source strings or the course's English use it and no real translation keeps it (the
Latin words zh.json keeps, such as logits, softmax or query132, are names, not English).

With --language CODE it judges a shipped language instead (its own catalog and course texts).

Usage: pseudo_language.py SOURCE_DIR DUMP_PROGRAM [--language CODE] [--keep DIR]
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

SOURCE = 'en'
CONVERSION = re.compile(r'%(?:%|[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|j|z|t|L)?[diouxXeEfFgGaAcspn])')
ACCENTED = str.maketrans('aeiouycnAEIOUYCN', 'áéíóúýçñÁÉÍÓÚÝÇÑ')
WORD = re.compile(r'[^\W\d_]+')  # letters of any script
# Mathematical notation and names every language writes the same way.
NAMES = {'exp', 'max', 'min', 'abs', 'log', 'argmax', 'softmax', 'logit', 'logits', 'torch', 'pytorch', 'float32',
         'tensor', 'sqrt', 'attnlab', 'png', 'json', 'ipynb'}


def pseudo(text):
    """Accents the letters of text, outside printf conversions, escapes and the ###id suffix."""
    body, suffix = (text.split('###', 1)[0], '###' + text.split('###', 1)[1]) if '###' in text else (text, '')
    out, pos = [], 0
    for m in CONVERSION.finditer(body):
        out.append(body[pos:m.start()].translate(ACCENTED))
        out.append(m.group(0))
        pos = m.end()
    out.append(body[pos:].translate(ACCENTED))
    inner = ''.join(out)
    # Keep leading/trailing newlines and spaces outside the marks, so line structure stays.
    lead = inner[:len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()):]
    core = inner.strip()
    return (lead + '«' + core + '»' + trail if core else inner) + suffix


def add_language(node, code):
    """Adds code: pseudo(en) to every course text ({"en": ...}) in node."""
    if isinstance(node, dict):
        if isinstance(node.get(SOURCE), str):
            node[code] = pseudo(node[SOURCE])
            return
        for value in node.values():
            add_language(value, code)
    elif isinstance(node, list):
        for value in node:
            add_language(value, code)


def english_texts(node):
    if isinstance(node, dict):
        if isinstance(node.get(SOURCE), str):
            yield node[SOURCE]
            return
        for value in node.values():
            yield from english_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from english_texts(value)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    root, program = os.path.abspath(args[0]), os.path.abspath(args[1])
    code = args[args.index('--language') + 1] if '--language' in args else 'xx'
    keep = args[args.index('--keep') + 1] if '--keep' in args else None
    listed = subprocess.run([sys.executable, os.path.join(root, 'tests', 'i18n', 'check_catalogs.py'), root, '--list'],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        print(listed.stdout + listed.stderr)
        return 1
    strings = json.loads(listed.stdout)
    course = json.load(open(os.path.join(root, 'assets', 'exercises', 'notebook.json'), encoding='utf-8'))

    # English: every word of the source strings and of the course's English; names: the Latin
    # words a shipped translation keeps.
    english = set()
    for text in strings + list(english_texts(course)):
        english.update(w.lower() for w in WORD.findall(CONVERSION.sub(' ', text.split('##')[0])) if w.isascii())
    kept = set(NAMES)
    catalogs = os.path.join(root, 'assets', 'i18n')
    for name in os.listdir(catalogs):
        doc = json.load(open(os.path.join(catalogs, name), encoding='utf-8'))
        if doc.get('language') != SOURCE:
            for text in doc.get('strings', {}).values():
                kept.update(w.lower() for w in WORD.findall(text) if w.isascii())
    words = english - kept

    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or tmp
        os.makedirs(folder, exist_ok=True)
        env = dict(os.environ)
        course_path = os.path.join(root, 'assets', 'exercises', 'notebook.json')
        if code == 'xx':
            catalog = {'language': 'xx', 'name': '«Psééúdó»', 'strings': {s: pseudo(s) for s in strings}}
            catalog_path = os.path.join(folder, 'xx.json')
            json.dump(catalog, open(catalog_path, 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
            env['ATTNLAB_EXTRA_CATALOG'] = catalog_path
            add_language(course, 'xx')
            course_path = os.path.join(folder, 'notebook.json')
            json.dump(course, open(course_path, 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
        strings_path = os.path.join(folder, 'strings.json')
        json.dump(strings, open(strings_path, 'w', encoding='utf-8'), ensure_ascii=False)
        out_path = os.path.join(folder, f'texts-{code}.json')
        run = subprocess.run([program, code, course_path, strings_path, out_path], env=env, capture_output=True, text=True)
        print(run.stdout.strip())
        if run.returncode != 0:
            print(run.stderr)
            return 1
        texts = json.load(open(out_path, encoding='utf-8'))

    problems = []
    for where, text in texts.items():
        left = sorted({w for w in WORD.findall(text) if w.isascii() and len(w) >= 3 and w.lower() in words})
        if left:
            problems.append(f'{where}: English left ({", ".join(left)}): {text[:160]!r}')
    # The same text back is fine only for names ("logit" is "logit" in Chinese); the English left
    # is already listed above, so this adds the strings a catalog lacks.
    untranslated = [w for w, t in texts.items()
                    if w.startswith('tr ') and t == w[3:] and not any(w2.lower() in words for w2 in WORD.findall(t))
                    and not all(w2.lower() in kept or not w2.isascii() for w2 in WORD.findall(t))]
    for where in untranslated:
        problems.append(f'{where}: the catalog gave the English back')
    for line in problems:
        print(line)
    print(f'{len(texts)} texts in {code} checked ({sum(w.startswith("tr ") for w in texts)} UI strings), '
          f'{len(problems)} with English left')
    return 1 if problems or len(texts) < 100 else 0


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
