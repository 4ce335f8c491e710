#!/usr/bin/env python3
"""The language catalogs (assets/i18n/*.json) hold every string the interface and core translate,
and the course (assets/exercises/notebook.json) has every text in every catalog's language.

Fails, naming file:line (or the JSON path) and the string, when
  - a catalog is not valid JSON, or has the same key twice in one object (json.load would keep
    the last one silently), or is not ({"language": its file name, "name": ..., "strings": {English: text},
    optional "script": "cjk", optional "word_separator": text}), or the source language's
    catalog (en.json) carries strings;
  - a catalog lacks a string the code (app/**/*.cpp, app/**/*.h, core/**/*.cpp) passes to tr(x, "...")
    or marks with N_("..."), or translates it as "";
  - a course text ({"en": ..., "zh": ...} anywhere in notebook.json) lacks a catalog's language,
    or has it empty;
  - a catalog has an entry nothing uses (stale: the English changed or the string went away);
  - a translation puts a space inside full-width brackets ("（ " or " ）");
  - a translation changes the printf conversions (%s %d %.3f ... count, order and type) or the
    ###id suffix of its English;
  - (while calls still carry their Chinese, tr(state, "en", "中文")) the catalog's Chinese differs
    from the code's.
Calls whose English is not a literal (tr(state, row.what)) are not checked here: the literal they
come from must carry N_().

Usage: check_catalogs.py SOURCE_DIR            exit 1 on any finding
       check_catalogs.py SOURCE_DIR --catalog FILE...
                                               only read the given catalogs (JSON, duplicate keys,
                                               the fields above); tests/i18n/test_check_catalogs.py
       check_catalogs.py SOURCE_DIR --audit    also list English literals shown without tr()
       check_catalogs.py SOURCE_DIR --list     print the strings the code uses as a JSON list
                                               (tests/i18n/pseudo_language.py builds its catalog from it)
"""
import glob
import json
import os
import re
import signal
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'app', 'i18n'))
import cpp_source as cs  # noqa: E402

SOURCE_LANGUAGE = 'en'
CODE = ('app/**/*.cpp', 'app/**/*.h', 'core/**/*.cpp')  # where tr() and N_() are looked for (any depth)
COURSE = os.path.join('assets', 'exercises', 'notebook.json')
BRACKET_SPACE = re.compile(r'[（【「『《〈〔]\s|\s[）】」』》〉〕]')
CONVERSION = re.compile(r'%(?:%|[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(hh|h|ll|l|j|z|t|L)?([diouxXeEfFgGaAcspn]))')


def conversions(text):
    """The printf conversions of text, in order: 's', 'd', 'f', 'zu', ... ('%%' is none)."""
    return [(m.group(1) or '') + m.group(2) for m in CONVERSION.finditer(text) if m.group(2)]


def id_suffix(text):
    return text[text.index('###'):] if '###' in text else ''


def used_strings(problems):
    """{english: [file:line, ...]} and {english: [(chinese, file:line), ...]} for the calls still bilingual."""
    used, inline = {}, {}
    for path in sorted({p for pattern in CODE for p in glob.glob(os.path.join(ROOT, pattern), recursive=True)}):
        rel = os.path.relpath(path, ROOT)
        src = open(path, encoding='utf-8').read()
        for call in cs.find_calls(cs.tokenize(src), {'tr', 'N_'}):
            where = f'{rel}:{cs.line_of(src, call.start)}'
            k = 1 if call.name == 'tr' else 0
            if len(call.args) <= k:
                continue
            english = call.literal(k)
            if english is None:
                if all(t[0] != 'str' for t in call.args[k]):
                    continue  # tr(state, row.what): the literal carries N_()
                problems.append(f'{where}: the English is partly a literal: write the whole literal, then format()')
                continue
            used.setdefault(english, []).append(where)
            if call.name == 'tr' and len(call.args) == 3 and call.literal(2) is not None:
                inline.setdefault(english, []).append((call.literal(2), where))
        for brace, en_tok, zh_tok in cs.bilingual_rows(cs.tokenize(src)):  # before convert_tr.py
            english, where = cs.literal_value([en_tok]), f'{rel}:{cs.line_of(src, brace[2])}'
            used.setdefault(english, []).append(where)
            inline.setdefault(english, []).append((cs.literal_value([zh_tok]), where))
    return used, inline


class DuplicateKey(ValueError):
    def __init__(self, key):
        super().__init__(key)
        self.key = key


def unique_object(pairs):
    """object_pairs_hook for json.load: a dict, or DuplicateKey for a key given twice."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def read_catalog(path):
    """The catalog's JSON; ValueError for invalid JSON, DuplicateKey for a key given twice."""
    with open(path, encoding='utf-8') as f:
        return json.load(f, object_pairs_hook=unique_object)


def catalog_paths():
    return sorted(glob.glob(os.path.join(ROOT, 'assets', 'i18n', '*.json')))


def load_catalogs(problems, paths=None):
    catalogs = {}
    for path in catalog_paths() if paths is None else paths:
        rel = os.path.relpath(path, ROOT)
        code = os.path.splitext(os.path.basename(path))[0]
        try:
            doc = read_catalog(path)
        except DuplicateKey as e:
            problems.append(f'{rel}: the key {e.key!r} appears twice in one object (only one can count)')
            continue
        except ValueError as e:
            problems.append(f'{rel}: not valid JSON: {e}')
            continue
        if not isinstance(doc, dict) or doc.get('language') != code:
            problems.append(f'{rel}: "language" must be "{code}", the file\'s name')
            continue
        if not isinstance(doc.get('name'), str) or not doc['name'].strip():
            problems.append(f'{rel}: "name" (the language as it calls itself, for the menu) is missing')
        strings = doc.get('strings', {})
        if not isinstance(strings, dict) or not all(isinstance(v, str) for v in strings.values()):
            problems.append(f'{rel}: "strings" must map each English text to a text')
            continue
        if 'script' in doc and doc['script'] not in ('cjk',):
            problems.append(f'{rel}: "script" is {doc["script"]!r}; the app knows "cjk" (or leave it out)')
        if 'word_separator' in doc and not isinstance(doc['word_separator'], str):
            problems.append(f'{rel}: "word_separator" must be a text ("" or " ")')
        if code == SOURCE_LANGUAGE and strings:
            problems.append(f'{rel}: English is the source language: its catalog carries only its name')
            continue
        catalogs[code] = (rel, strings)
    if SOURCE_LANGUAGE not in catalogs and paths is None:
        problems.append(f'assets/i18n/{SOURCE_LANGUAGE}.json is missing (it names the source language)')
    return catalogs


def course_texts(node, path='$'):
    """(json path, {code: text}) for every course text: an object with an "en" string."""
    if isinstance(node, dict):
        if isinstance(node.get('en'), str):
            yield path, node
            return
        for key, value in node.items():
            yield from course_texts(value, f'{path}.{key}')
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from course_texts(value, f'{path}[{i}]')


def check_course(problems, catalogs):
    """Every course text has every catalog's language, not empty."""
    try:
        course = json.load(open(os.path.join(ROOT, COURSE), encoding='utf-8'))
    except (OSError, ValueError) as e:
        problems.append(f'{COURSE}: cannot be read: {e}')
        return 0
    count = 0
    for path, text in course_texts(course):
        count += 1
        for code in sorted(catalogs):
            if code == SOURCE_LANGUAGE:
                continue
            if not isinstance(text.get(code), str) or not text[code].strip():
                problems.append(f'{COURSE}: {path} has no "{code}" text (every catalog\'s language needs one)')
    return count


def check(problems):
    used, inline = used_strings(problems)
    catalogs = load_catalogs(problems)
    check_course(problems, catalogs)
    for code, (rel, strings) in sorted(catalogs.items()):
        if code == SOURCE_LANGUAGE:
            continue
        for english, places in sorted(used.items(), key=lambda item: item[1][0]):
            if english not in strings:
                problems.append(f'{places[0]}: {rel} lacks {english!r}')
            elif not strings[english].strip():
                problems.append(f'{places[0]}: {rel} translates {english!r} as ""')
        for english, text in sorted(strings.items()):
            if english not in used:
                problems.append(f'{rel}: stale entry, no tr() or N_() uses {english!r}')
                continue
            where = used[english][0]
            if conversions(english) != conversions(text):
                problems.append(f'{where}: {rel} changes the format {conversions(english)} of {english!r} '
                                f'to {conversions(text)} in {text!r}')
            if BRACKET_SPACE.search(text):  # the full-width bracket has its own blank (issue 21)
                problems.append(f'{where}: {rel} puts a space inside full-width brackets in {text!r}')
            if id_suffix(english) != id_suffix(text):
                problems.append(f'{where}: {rel} must keep the id suffix {id_suffix(english)!r} of {english!r} '
                                f'(it has {text!r})')
        if code == 'zh':
            for english, chinese, where in sorted((e, c, w) for e, places in inline.items() for c, w in places):
                if english in strings and strings[english] != chinese:
                    problems.append(f'{where}: the code says {chinese!r} for {english!r}, {rel} says {strings[english]!r}')
    return used, catalogs


# Calls that show their string arguments: Dear ImGui's widgets and the app's text helpers.
SHOWN = {'Text', 'TextUnformatted', 'TextColored', 'TextWrapped', 'TextDisabled', 'BulletText', 'LabelText',
         'Button', 'SmallButton', 'Checkbox', 'RadioButton', 'MenuItem', 'BeginMenu', 'Begin', 'BeginTabItem',
         'Selectable', 'CollapsingHeader', 'TreeNode', 'SliderFloat', 'SliderInt', 'SliderScalar', 'InputText',
         'InputTextWithHint', 'InputFloat', 'InputInt', 'InputDouble', 'DragFloat', 'DragInt', 'Combo',
         'BeginCombo', 'SetTooltip', 'BeginPopupModal', 'AddText',
         'tooltip', 'help_marker', 'text_wrapped', 'toast'}
WORD = re.compile(r'[A-Za-z][A-Za-z_]+')
# Mathematical notation every language writes the same way.
NOTATION = {'exp', 'max', 'min', 'abs', 'log', 'logit_j', 'argmax'}


def latin_words_of_catalogs():
    """Latin words a translation keeps (logits, softmax, PyTorch, ...): no finding when shown as is."""
    words = set(NOTATION)
    for path in catalog_paths():
        doc = read_catalog(path)
        if doc.get('language') != SOURCE_LANGUAGE:
            for text in doc.get('strings', {}).values():
                words.update(w.lower() for w in WORD.findall(text))
    return words


def visible_words(text, kept):
    text = text.split('##')[0]
    text = CONVERSION.sub(' ', text)
    return [w for w in WORD.findall(text) if w.lower() not in kept]


def untranslated_literals():
    """English literals that reach the screen without tr(): arguments of the calls in SHOWN (and of
    format() inside them), and literals joined to a tr() result in one expression."""
    kept = latin_words_of_catalogs()
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'app', '**', '*.cpp'), recursive=True)):
        rel = os.path.relpath(path, ROOT)
        src = open(path, encoding='utf-8').read()
        tokens = cs.tokenize(src)
        sig = cs.significant(tokens)
        inside_tr = set()
        for call in cs.find_calls(tokens, {'tr', 'N_'}):
            for arg in call.args:
                inside_tr.update(t[2] for t in arg)
        suspects = set()
        for k, t in enumerate(sig):
            if t[0] != 'ident' or t[1] not in SHOWN or k + 1 >= len(sig) or sig[k + 1][1] != '(':
                continue
            depth, j = 0, k + 1
            while j < len(sig):
                depth += sig[j][1] == '('
                depth -= sig[j][1] == ')'
                if sig[j][0] == 'str' and sig[j - 1][1] not in ('==', '!=') and sig[j + 1][1] not in ('==', '!='):
                    suspects.add(j)  # a compared literal ("en" == language) is not shown
                if depth == 0:
                    break
                j += 1
        # One statement that joins a translation with a literal: tr(...) + " (scale " + ...
        start = 0
        for k, t in enumerate(sig):
            if t[1] in (';', '{', '}'):
                statement = range(start, k)
                if any(sig[i][1] == 'tr' for i in statement) and any(sig[i][1] == '+' for i in statement):
                    suspects.update(i for i in statement if sig[i][0] == 'str')
                start = k + 1
        for j in sorted(suspects):
            t = sig[j]
            if t[2] in inside_tr:
                continue
            words = visible_words(cs.literal_value([t]), kept)
            if words:
                found.append(f'{rel}:{cs.line_of(src, t[2])}: shown untranslated: {t[1]}  ({" ".join(words)})')
    return found


def main():
    problems = []
    if '--catalog' in sys.argv:
        paths = [os.path.abspath(p) for p in sys.argv[sys.argv.index('--catalog') + 1:]]
        catalogs = load_catalogs(problems, paths)
        for line in problems:
            print(line)
        print(f'{len(paths)} catalogs read ({", ".join(sorted(catalogs))}); {len(problems)} problems')
        return 1 if problems or not paths else 0
    used, catalogs = check(problems)
    if '--list' in sys.argv:
        print(json.dumps(sorted(used), ensure_ascii=False, indent=1))
        return 1 if problems else 0
    audit = []
    if '--audit' in sys.argv:
        audit = untranslated_literals()
    for line in problems:
        print(line)
    for line in audit:
        print(line)
    languages = ', '.join(sorted(catalogs))
    print(f'{len(used)} strings used, catalogs: {languages}; {len(problems)} problems'
          + (f', {len(audit)} English literals shown without tr()' if '--audit' in sys.argv else ''))
    return 1 if problems or audit or len(used) < 10 else 0


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
    sys.exit(main())
