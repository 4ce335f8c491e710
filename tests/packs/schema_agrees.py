#!/usr/bin/env python3
"""The course-pack schema (assets/packs/pack.schema.json) and `attnlab pack check` agree.

  - every shipped pack (assets/packs/*.json, assets/exercises/notebook.json) is valid under the
    schema (JSON Schema draft 2020-12, python3-jsonschema) and passes `attnlab pack check`;
  - the few changes in VALID are accepted by both, and so is a variant from `attnlab pack variant`;
  - every deliberately broken pack below (one change to temperature-masks.json each, all of them
    things the schema can say) is refused by the schema AND by `attnlab pack check` (exit 2),
    so a teacher's editor with the schema and attnlab tell the same story.

Usage: schema_agrees.py BINARY SOURCE_DIR     exit 1 on any disagreement
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    sys.exit('schema_agrees.py: needs python3-jsonschema (listed in .ci/debian-packages.txt)')

BINARY, ROOT = sys.argv[1], os.path.abspath(sys.argv[2])
SCHEMA = json.load(open(os.path.join(ROOT, 'assets', 'packs', 'pack.schema.json'), encoding='utf-8'))
jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
BASE = json.load(open(os.path.join(ROOT, 'assets', 'packs', 'temperature-masks.json'), encoding='utf-8'))


def first_task(doc, tensor):
    return next(t for t in doc['tasks'] if t.get('edit', {}).get('tensor') == tensor)


def setter(*steps):
    """A change: walk steps[:-2] into the document, then set steps[-2] to steps[-1]."""
    def change(doc):
        node = doc
        for step in steps[:-2]:
            node = node[step]
        node[steps[-2]] = steps[-1]
    return change


def deleter(*steps):
    def change(doc):
        node = doc
        for step in steps[:-1]:
            node = node[step]
        del node[steps[-1]]
    return change


def on_task(tensor, change):
    return lambda doc: change(first_task(doc, tensor))


BROKEN = {
    'format 2': setter('attnlab_pack', 2),
    'format as a string': setter('attnlab_pack', '1'),
    'no tasks': deleter('tasks'),
    'empty task list': setter('tasks', []),
    'no data': deleter('data'),
    'no tolerance': deleter('tolerance'),
    'unknown top-level field': setter('colour', 'blue'),
    'id with a space': setter('id', 'my pack'),
    'id of 65 bytes': setter('id', 'x' * 65),
    'title without English': setter('title', {'zh': '标题'}),
    'title as a string': setter('title', 'A title'),
    'empty translation': setter('title', 'zh', ''),
    'languages without en': setter('languages', ['zh']),
    'a language twice': setter('languages', ['en', 'zh', 'en']),
    'empty languages': setter('languages', []),
    'scale "two"': setter('scale', 'two'),
    'temperature 0': setter('scale', {'temperature': 0}),
    'temperature 1e4': setter('scale', {'temperature': 1e4}),
    'mask "full"': setter('mask', 'full'),
    'tolerance 0': setter('tolerance', 0),
    'negative tolerance': setter('tolerance', -0.05),
    'tolerance above 1e6': setter('tolerance', 2e6),
    'torch and inline data': setter('data', 'inline', {'keys': [[1, 0]], 'values': [[1, 0]]}),
    'negative seed': setter('data', 'torch', 'seed', -1),
    'fractional seed': setter('data', 'torch', 'seed', 1.5),
    'shape of one number': setter('data', 'torch', 'shape', [8]),
    'shape with 0': setter('data', 'torch', 'shape', [0, 3, 3]),
    'decimals 9': setter('data', 'torch', 'decimals', 9),
    'normalize as a string': setter('data', 'torch', 'normalize', 'yes'),
    'unknown torch field': setter('data', 'torch', 'mean', 0),
    'inline keys not a matrix': lambda doc: doc.__setitem__('data', {'inline': {'keys': [1, 2], 'values': [[1, 2]]}}),
    'inline without values': lambda doc: doc.__setitem__('data', {'inline': {'keys': [[1, 2]]}}),
    'section without title': lambda doc: doc['sections'][0].pop('title'),
    'unknown task field': on_task('query', setter('points', 3)),
    'task without answer': on_task('query', deleter('answer')),
    'answer not a Python name': on_task('query', setter('answer', '1query')),
    'goal "pick:0"': on_task('query', setter('goal', 'pick:0')),
    'goal "select:x"': on_task('query', setter('goal', 'select:x')),
    'edit of the values': on_task('query', setter('edit', {'tensor': 'value'})),
    'query rows 0': on_task('query', setter('edit', 'rows', 0)),
    'negative position': on_task('query', setter('edit', 'position', -1)),
    'task mask "full"': on_task('query', setter('mask', 'full')),
    'task tolerance 0': on_task('query', setter('tolerance', 0)),
    'key edit without query_from': on_task('key_row', deleter('edit', 'query_from')),
    'key edit of row -1': on_task('key_row', setter('edit', 'row', -1)),
    'temperature edit without query_key': on_task('temperature', deleter('edit', 'query_key')),
    'discussion with an answer': lambda doc: next(t for t in doc['tasks'] if t.get('discussion')).__setitem__('answer', 'x'),
    'discussion false without an edit': lambda doc: next(t for t in doc['tasks'] if t.get('discussion')).__setitem__('discussion', False),
    'variant without student': setter('variant', {'attempt': 0}),
    'variant attempt 65': setter('variant', {'student': 's', 'attempt': 65}),
    'source not a string': setter('source', 3),
    'description not a text': setter('description', 'A course'),
    '2000 keys': setter('data', 'torch', 'shape', [2000, 3, 3]),
    'd = 200': setter('data', 'torch', 'shape', [8, 200, 3]),
    'dv = 200': setter('data', 'torch', 'shape', [8, 3, 200]),
    'weight goal 1.5': on_task('temperature', setter('goal', 'weight:0>=1.5')),
    'weight goal "."': on_task('temperature', setter('goal', 'weight:0>=.')),
    'weight goal 0.0': on_task('temperature', setter('goal', 'weight:0>=0.0')),
    'query rows 1025': on_task('query', setter('edit', 'rows', 1025)),
    'empty task id': on_task('query', setter('id', '')),
    'empty discussion id': lambda doc: next(t for t in doc['tasks'] if t.get('discussion')).__setitem__('id', ''),
    'empty section id': lambda doc: doc['sections'].append({'id': '', 'title': {'en': 'More', 'zh': '更多'}}),
    '257 tasks (kMaxPackTasks)': lambda doc: doc.__setitem__('tasks', [dict(doc['tasks'][0], id='t%d' % i, answer='a%d' % i)
                                                                      for i in range(257)]),
}

# Changes both must accept (JSON's numbers: 2.0 is the integer 2 for the schema, so for attnlab).
VALID = {
    'rows 1.0': on_task('query', setter('edit', 'rows', 1.0)),
    'seed 2025.0': setter('data', 'torch', 'seed', 2025.0),
    'variant with its seed': setter('variant', {'student': 's', 'attempt': 0, 'seed': 5, 'base_seed': 2025}),
    'weight goal .95': on_task('temperature', setter('goal', 'weight:0>=.95')),
}


def pack_check(path):
    done = subprocess.run([BINARY, 'pack', 'check', path], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    return done.returncode, (done.stdout + done.stderr).strip()


def schema_errors(doc):
    return sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.absolute_path))


failures, count = [], 0
shipped = sorted(p for p in glob.glob(os.path.join(ROOT, 'assets', 'packs', '*.json')) if not p.endswith('.schema.json'))
shipped.append(os.path.join(ROOT, 'assets', 'exercises', 'notebook.json'))
for path in shipped:
    count += 1
    rel = os.path.relpath(path, ROOT)
    errors = schema_errors(json.load(open(path, encoding='utf-8')))
    code, out = pack_check(path)
    if errors:
        failures.append(f'{rel}: the schema refuses a shipped pack: ' +
                        '; '.join(f'{list(e.absolute_path)}: {e.message}' for e in errors[:5]))
    if code != 0:
        failures.append(f'{rel}: pack check refuses a shipped pack (exit {code}): {out[:400]}')

with tempfile.TemporaryDirectory() as work:
    path = os.path.join(work, 'pack.json')
    for name, change in VALID.items():
        count += 1
        doc = copy.deepcopy(BASE)
        change(doc)
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        errors = schema_errors(doc)
        code, out = pack_check(path)
        if errors:
            failures.append(f'{name}: the schema refuses it: {errors[0].message[:200]}')
        if code != 0:
            failures.append(f'{name}: pack check refuses it (exit {code}): {out[:300]}')
    # A student's variant, as `attnlab pack variant` writes it, is a pack of the schema too.
    count += 1
    variant = os.path.join(work, 'variant.json')
    done = subprocess.run([BINARY, 'pack', 'variant', os.path.join(ROOT, 'assets', 'packs', 'temperature-masks.json'),
                           '--student', 'alice', '-o', variant], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        failures.append(f'pack variant failed (exit {done.returncode}): {done.stderr[:300]}')
    elif schema_errors(json.load(open(variant, encoding='utf-8'))):
        failures.append('the schema refuses the variant pack variant wrote: ' +
                        schema_errors(json.load(open(variant, encoding='utf-8')))[0].message[:200])
    for name, change in BROKEN.items():
        count += 1
        doc = copy.deepcopy(BASE)
        change(doc)
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        errors = schema_errors(doc)
        code, out = pack_check(path)
        if not errors:
            failures.append(f'{name}: the schema accepts it (pack check: exit {code}: {out[:300]})')
        if code != 2:
            failures.append(f'{name}: pack check exits {code}, expected 2 (the schema says: '
                            f'{errors[0].message[:200] if errors else "valid"}): {out[:300]}')

for line in failures:
    print('not ok -', line)
print(f'{count} packs, {len(failures)} disagreements')
sys.exit(1 if failures else 0)
