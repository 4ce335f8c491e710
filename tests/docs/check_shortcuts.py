#!/usr/bin/env python3
"""Every shortcut and gesture of the in-app Help (kShortcuts in app/ui.cpp) is in the README's table.

Usage: check_shortcuts.py SOURCE_DIR. Prints one line per missing entry; exit 1 when any is missing.
"""
import re
import sys

root = sys.argv[1]
source = open(f"{root}/app/ui.cpp", encoding="utf-8").read()
table = source[source.index("const Shortcut kShortcuts[]"):source.index("};", source.index("const Shortcut kShortcuts[]"))]
# Rows are {"keys", N_("what")} (the catalogs translate "what"), or {"keys", "what", "中文"} before.
keys = re.findall(r'\{"([^"]+)", (?:N_\()?"[^"]*"\)?(?:, "[^"]*")?\}', table)
readme = open(f"{root}/README.md", encoding="utf-8").read()
rows = [line for line in readme.splitlines() if line.startswith("|")]
missing = []
for entry in keys:
    # Each alternative ("Page Down / Ctrl+→") must appear in some row of a README table.
    for part in (p.strip() for p in entry.split(" / ")):
        if not any(part in row for row in rows):
            missing.append(f"{entry!r}: {part!r} is not in the README's shortcut table")
for line in missing:
    print(line)
print(f"{len(keys)} shortcuts checked, {len(missing)} missing")
sys.exit(1 if missing or len(keys) < 10 else 0)
