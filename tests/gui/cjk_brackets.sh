#!/usr/bin/env bash
# Full-width brackets in Chinese (issue 21): the CJK font draws （ and ） in the middle of a whole
# em, which read as spaces inside them ("打分 logits（ 缩放 1 ）"). In the heatmaps panel's
# caption "打分 logits（缩放 1）", rendered at 1280x720 presentation, the only blanks wider than a
# quarter of the text height are its two spaces and the outer side of （ (after "logits").
# Usage: cjk_brackets.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

"$binary" --no-autosave --size 1280x720 --presentation --lang zh --scale 2 --panel heatmaps \
  --screenshot "$work/heatmaps.png" >> "$work/app.log" 2>&1 || echo "# the screenshot failed"
gaps=$(python3 - "$work/heatmaps.png" <<'PY'
import subprocess, sys
raw = subprocess.run(['convert', sys.argv[1], 'ppm:-'], capture_output=True, check=True).stdout
magic, size, _, data = raw.split(b'\n', 3)
w, h = map(int, size.split())
def dark(x, y):
    i = 3 * (y * w + x)
    return data[i] * 299 + data[i + 1] * 587 + data[i + 2] * 114 < 100000
left = range(8, w // 2 - 8)  # the logits map's caption is in the left half
rows = [any(dark(x, y) for x in left) for y in range(h)] + [False]
bands, start = [], None
for y, on in enumerate(rows):
    if on and start is None: start = y
    if not on and start is not None: bands.append((start, y)); start = None
top, bottom = bands[1]  # bands[0] is the panel's title bar ("热力图")
cols = [x for x in left if any(dark(x, y) for y in range(top, bottom))]
wide = [b - a for a, b in zip(cols, cols[1:]) if b - a > 0.3 * (bottom - top)]
print(len(wide), [round(g / (bottom - top), 2) for g in wide])
PY
)
echo "# blanks wider than 0.3 of the text height: $gaps"
if [ "${gaps%% *}" = 3 ]; then ok "no blank inside the full-width brackets of 打分 logits（缩放 1）"
else not_ok "no blank inside the full-width brackets of 打分 logits（缩放 1） (wide blanks: $gaps)"; fi
summary
