#!/usr/bin/env python3
"""The layout test in a language whose strings are longer than English: the pseudo-language of
tests/i18n/pseudo_language.py (every letter accented, the whole between «...», about 10 % longer
than the English), loaded through the test hook ATTNLAB_EXTRA_CATALOG (core/base/i18n.h).

Builds xx.json in a temporary folder from the strings the code uses (check_catalogs.py --list),
then runs the layout matrix (layout_matrix.py) with it, so every screen size, presentation mode
and zoom step is rendered in en, zh and xx. A translation a little longer than the English must
wrap or fit, never run out of its panel or push a button out of view.

Usage: layout_matrix_pseudo.py SOURCE_DIR ATTNLAB
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'i18n'))
from pseudo_language import pseudo  # noqa: E402


def main():
    root, attnlab = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    listed = subprocess.run([sys.executable, os.path.join(root, 'tests', 'i18n', 'check_catalogs.py'), root, '--list'],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        print(listed.stdout + listed.stderr)
        return 1
    strings = json.loads(listed.stdout)
    with tempfile.TemporaryDirectory() as tmp:
        catalog_path = os.path.join(tmp, 'xx.json')
        catalog = {'language': 'xx', 'name': '«Psééúdó»', 'strings': {s: pseudo(s) for s in strings}}
        with open(catalog_path, 'w', encoding='utf-8') as f:
            json.dump(catalog, f, ensure_ascii=False, indent=1)
        env = dict(os.environ, ATTNLAB_EXTRA_CATALOG=catalog_path)
        return subprocess.run([sys.executable, os.path.join(HERE, 'layout_matrix.py'), attnlab], env=env).returncode


if __name__ == '__main__':
    sys.exit(main())
