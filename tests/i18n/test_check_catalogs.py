#!/usr/bin/env python3
"""check_catalogs.py refuses a catalog that gives one key twice (json.load keeps the last one
silently), naming the key and the file, and reads the shipped catalogs (assets/i18n/*.json)
without a problem.

Usage: test_check_catalogs.py SOURCE_DIR
"""
import glob
import os
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1])
CHECK = os.path.join(ROOT, 'tests', 'i18n', 'check_catalogs.py')
failures = []


def run(*paths):
    done = subprocess.run([sys.executable, CHECK, ROOT, '--catalog', *paths], capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


bad = os.path.join(ROOT, 'tests', 'i18n', 'fixtures', 'duplicate_key', 'zh.json')
code, out = run(bad)
if code != 1:
    failures.append(f'a catalog with "Keys" twice is accepted (exit {code}):\n{out}')
elif "tests/i18n/fixtures/duplicate_key/zh.json: the key 'Keys' appears twice" not in out:
    failures.append(f'the refusal does not name the file and the key:\n{out}')

shipped = sorted(glob.glob(os.path.join(ROOT, 'assets', 'i18n', '*.json')))
code, out = run(*shipped)
if code != 0 or len(shipped) < 2:
    failures.append(f'the shipped catalogs {shipped} are refused (exit {code}):\n{out}')

for f in failures:
    print('not ok -', f)
print(f'{2 - len(failures)}/2 ok')
sys.exit(1 if failures else 0)
