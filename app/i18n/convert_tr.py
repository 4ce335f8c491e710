#!/usr/bin/env python3
"""Moves the inline Chinese of the interface into the zh catalog (assets/i18n/zh.json).

Rewrites, in app/*.cpp, app/*.h and core/*.cpp (core's tr(language, "English", "中文") too):
  tr(state, "English", "中文")            -> tr(state, "English")        (any first argument,
      multi-line calls, adjacent literals, escapes and ###id suffixes kept as written)
  tr(state, x.what_en, x.what_zh)         -> tr(state, x.what)
  const char* what_en; const char* what_zh;   (a struct's pair of fields) -> const char* what;
  {"Ctrl+Z", "Undo", "撤销"}              -> {"Ctrl+Z", N_("Undo")}   (a table row whose last
      literal is Chinese; N_ marks a string that is translated later, through tr)
and adds #include "app/i18n.h" (core: "core/base/i18n.h") where a rewritten file lacks it. The Chinese goes into
assets/i18n/zh.json ("strings": English -> Chinese, sorted keys, two-space indent).

Idempotent: a second run changes nothing. Refuses, writing nothing, when one English text has two
different Chinese translations (in the code, or the code and the catalog), and names them.
Chinese left elsewhere in app/ or core/ (not in a form above) is listed at the end for a person to move.

Usage: python3 app/i18n/convert_tr.py [--root DIR] [--dry-run] [--catalog-only] [--prefer-code] [--prune-stale]
"""
import argparse
import glob
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpp_source as cs  # noqa: E402

SOURCES = ('app/*.cpp', 'app/*.h', 'core/*.cpp')


def sources():
    return sorted(p for pattern in SOURCES for p in glob.glob(pattern))


def include_for(path):
    """The header that declares the 2-argument tr: app/i18n.h in app/, core/base/i18n.h in core/."""
    return f'#include "{os.path.basename(os.path.dirname(os.path.abspath(path)))}/i18n.h"'


def convert_file(path, src, pairs, notes):
    """Returns the rewritten text of one file; adds (english, chinese, where) to pairs."""
    tokens = cs.tokenize(src)
    edits = []  # (start, end, replacement), non-overlapping
    needs_include = False  # the 2-argument tr and N_ are declared in app/i18n.h
    rel = os.path.relpath(path)
    for call in cs.find_calls(tokens, {'tr'}):
        where = f'{rel}:{cs.line_of(src, call.start)}'
        if len(call.args) != 3:
            continue
        en, zh = call.literal(1), call.literal(2)
        if en is not None and zh is not None:
            pairs.append((en, zh, where))
            # Keep the English argument exactly as written; drop ", <Chinese>" up to the ')'.
            edits.append((call.args[1][-1][3], call.close_paren, ''))
            needs_include = True
            continue
        a, b = call.args[1], call.args[2]
        ta, tb = [t[1] for t in a], [t[1] for t in b]
        if ta and tb and ta[:-1] == tb[:-1] and ta[-1].endswith('_en') and tb[-1] == ta[-1][:-3] + '_zh':
            edits.append((a[-1][2], a[-1][3], ta[-1][:-3]))
            edits.append((a[-1][3], call.close_paren, ''))
            needs_include = True
            continue
        notes.append(f'{where}: tr(...) with arguments the script does not rewrite; move it by hand')
    sig = cs.significant(tokens)
    # Field pairs: const char* X_en; const char* X_zh;
    for k in range(len(sig) - 7):
        w = [t[1] for t in sig[k:k + 8]]
        if (w[0] == 'const' and w[1] == 'char' and w[2] == '*' and w[3].endswith('_en') and w[4] == ';'
                and w[5:8] == ['const', 'char', '*'] and k + 9 < len(sig) and sig[k + 8][1] == w[3][:-3] + '_zh'
                and sig[k + 9][1] == ';'):
            name = sig[k + 3]
            edits.append((name[2], name[3], w[3][:-3]))
            edits.append((sig[k + 4][3], sig[k + 9][3], ''))
    # Table rows: {..., "English", "中文"} -> {..., N_("English")}
    for brace, en_tok, zh_tok in cs.bilingual_rows(tokens):
        pairs.append((cs.literal_value([en_tok]), cs.literal_value([zh_tok]), f'{rel}:{cs.line_of(src, brace[2])}'))
        edits.append((en_tok[2], en_tok[2], 'N_('))
        edits.append((en_tok[3], zh_tok[3], ')'))
        needs_include = True
    if not edits:
        return src
    edits.sort()
    out, pos = [], 0
    for start, end, text in edits:
        if start < pos:
            raise SystemExit(f'{rel}: overlapping rewrites near offset {start}; nothing written')
        out.append(src[pos:start])
        out.append(text)
        pos = end
    out.append(src[pos:])
    result = ''.join(out)
    if needs_include and include_for(path) not in result:
        result = add_include(path, result)
    return result


def add_include(path, src):
    """Inserts the include in sorted place among the file's "app/..." includes (after its own
    header, which stays first)."""
    lines = src.split('\n')
    INCLUDE = include_for(path)
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    own = f'#include "{folder}/{os.path.splitext(os.path.basename(path))[0]}.h"'
    group = [i for i, l in enumerate(lines) if l.startswith(f'#include "{folder}/') and l != own]
    if group:
        after = [i for i in group if lines[i] > INCLUDE]
        lines.insert(after[0] if after else group[-1] + 1, INCLUDE)
    elif own in lines:
        lines[lines.index(own) + 1:lines.index(own) + 1] = ['', INCLUDE]
    else:
        first = next((i for i, l in enumerate(lines) if l.startswith('#include')), 0)
        lines.insert(first, INCLUDE)
    return '\n'.join(lines)


def leftover_chinese(path, src):
    """Chinese in string literals that are not a tr argument (after the rewrite)."""
    rel = os.path.relpath(path)
    found = []
    for kind, text, start, _ in cs.tokenize(src):
        if kind == 'str' and cs.CJK.search(text):
            found.append(f'{rel}:{cs.line_of(src, start)}: {text[:70]}')
    return found


def used_english(src):
    """The English of every tr() (2 or 3 arguments) and N_() with a literal, and of bilingual rows."""
    tokens = cs.tokenize(src)
    used = set()
    for call in cs.find_calls(tokens, {'tr', 'N_'}):
        english = call.literal(1 if call.name == 'tr' else 0)
        if english is not None:
            used.add(english)
    used.update(cs.literal_value([en]) for _, en, _ in cs.bilingual_rows(tokens))
    return used


def catalog_text(catalog):
    return json.dumps(catalog, ensure_ascii=False, indent=2, sort_keys=True) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    parser.add_argument('--dry-run', action='store_true', help='report, write nothing')
    parser.add_argument('--catalog-only', action='store_true',
                        help='merge the code\'s Chinese into the catalog, leave the sources as they are')
    parser.add_argument('--prefer-code', action='store_true',
                        help='when the code and the catalog translate one English differently, the code wins '
                             '(two different translations inside the code still refuse)')
    parser.add_argument('--prune-stale', action='store_true',
                        help='drop zh.json entries whose English no tr() or N_() in app/ or core/ uses any more')
    options = parser.parse_args()
    root = os.path.abspath(options.root)
    os.chdir(root)
    catalog_path = os.path.join('assets', 'i18n', 'zh.json')
    if os.path.exists(catalog_path):
        with open(catalog_path, encoding='utf-8') as f:
            catalog = json.load(f)
    else:
        catalog = {'language': 'zh', 'name': '中文（简体）', 'strings': {}}
    strings = dict(catalog.get('strings', {}))

    pairs, notes, rewritten = [], [], {}
    for path in sources():
        with open(path, encoding='utf-8') as f:
            src = f.read()
        new = convert_file(path, src, pairs, notes)
        if new != src:
            rewritten[path] = new

    # One English text, one translation.
    seen = {} if options.prefer_code else {en: (zh, catalog_path) for en, zh in strings.items()}
    conflicts = []
    for en, zh, where in pairs:
        if en in seen and seen[en][0] != zh:
            conflicts.append(f'{en!r}:\n    {seen[en][1]}: {seen[en][0]!r}\n    {where}: {zh!r}')
        else:
            seen.setdefault(en, (zh, where))
    if conflicts:
        print('convert_tr: refused, nothing written: the same English has two translations '
              '(make them equal, or make the English differ):', file=sys.stderr)
        for c in conflicts:
            print('  ' + c, file=sys.stderr)
        return 1
    for en, zh, _ in pairs:
        strings[en] = zh
    pruned = []
    if options.prune_stale:
        used = set()
        for path in sources():
            used |= used_english(rewritten.get(path) or open(path, encoding='utf-8').read())
        pruned = sorted(en for en in strings if en not in used)
        for en in pruned:
            del strings[en]
    catalog['strings'] = strings
    new_catalog = catalog_text(catalog)
    old_catalog = open(catalog_path, encoding='utf-8').read() if os.path.exists(catalog_path) else None

    if options.catalog_only:
        rewritten = {}
    if not options.dry_run:
        for path, text in rewritten.items():
            with open(path + '.tmp', 'w', encoding='utf-8') as f:
                f.write(text)
            os.replace(path + '.tmp', path)
        if new_catalog != old_catalog:
            os.makedirs(os.path.dirname(catalog_path), exist_ok=True)
            with open(catalog_path + '.tmp', 'w', encoding='utf-8') as f:
                f.write(new_catalog)
            os.replace(catalog_path + '.tmp', catalog_path)

    verb = 'would rewrite' if options.dry_run else 'rewrote'
    print(f'convert_tr: {verb} {len(rewritten)} files, {len(pairs)} strings found '
          f'({len(set(strings) - set(catalog_strings_before(old_catalog)))} new catalog entries, {len(pruned)} pruned, '
          f'{len(strings)} in all)')
    for path in sorted(rewritten):
        print(f'  {path}')
    for en in pruned:
        print(f'pruned (no tr() or N_() uses it): {en!r}')
    for note in notes:
        print('note: ' + note)
    left = []
    for path in sources():
        src = rewritten.get(path) or open(path, encoding='utf-8').read()
        left += leftover_chinese(path, src)
    if left:
        print(f'Chinese still in app/ and core/ string literals ({len(left)}), not in a form this script rewrites:')
        for line in left:
            print('  ' + line)
    return 0


def catalog_strings_before(text):
    return json.loads(text).get('strings', {}) if text else {}


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
    sys.exit(main())
