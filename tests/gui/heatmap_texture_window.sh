#!/usr/bin/env bash
# Large heatmaps are one texture each, and an edit of a query sends only the rows it changed to
# the GPU (app/panels/heatmap_cache.h). This drives the real window: a 48×48 sandbox (a texture, not a
# rectangle per cell), typed query components in rows 0 and 1 (in view at 1280×720), then F12. The heatmaps in that
# screenshot must be pixel for pixel those of the same session opened fresh (everything uploaded
# at once) — a row left stale or uploaded in the wrong place shows up here.
# Usage: heatmap_texture_window.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"

python3 - <<'PY'
import json, math
N, d, dv = 48, 4, 3
rows = lambda seed, n, m: [[round(math.sin(seed + i * 0.37 + j * 1.1), 6) for j in range(m)] for i in range(n)]
json.dump({"format": "attnlab-session", "version": 1, "mode": "sandbox",
           "sandbox": {"source": "typed", "keys": rows(1, N, d), "values": rows(2, N, dv), "queries": rows(3, N, d),
                       "scale": "inv_sqrt_d"}}, open("texture.json", "w"))
PY

# F12 with the mouse parked away from the grids (a hovered cell is outlined); prints the new PNG.
shoot() {
  xdotool mousemove 1279 719
  sleep 0.3
  local before
  before=$(ls attnlab_*.png 2> /dev/null | wc -l)
  xdotool key F12
  for _ in $(seq 50); do [ "$(ls attnlab_*.png 2> /dev/null | wc -l)" -gt "$before" ] && break; sleep 0.1; done
  sleep 0.2
  ls -t attnlab_*.png | head -1
}
grids() { probe "' '.join('%d,%d,%d,%d' % tuple(d['items'][k]) for k in ('logits grid', 'weights grid'))"; }

start_app --no-autosave "$work/texture.json"
check "a 48×48 sandbox opens" "d['workspace_shape'][:2] == [48, 48] and d['workspace_error'] == ''" "d['workspace_shape']"
first=$(shoot)
type_into "q0[0]" "2.5"
type_into "q1[1]" "3.25"
type_into "q1[2]" "1.75"
check "the three typed components are in the queries" \
  "d['queries'][0][0] == 2.5 and d['queries'][1][1] == 3.25 and d['queries'][1][2] == 1.75" "d['queries'][:6]"
edited=$(shoot)
rects_edited=$(grids)
xdotool key ctrl+shift+s
dialog_enter "$work/edited.json"
check "the edited session is saved" "d['session_path'] == '$work/edited.json'" "d['session_path'], d['toasts']"
stop_app

start_app --no-autosave "$work/edited.json"
check "the saved session reopens with the edits" "d['queries'][1][1] == 3.25" "d['queries'][:6]"
fresh=$(shoot)
rects_fresh=$(grids)
stop_app

[ -n "$rects_edited" ] && [ "$rects_edited" = "$rects_fresh" ] && ok "both windows lay the heatmaps out alike ($rects_edited)" \
  || not_ok "heatmap rectangles differ: '$rects_edited' vs '$rects_fresh'"

cat > compare.py <<'PY'
import importlib.util, os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
spec = importlib.util.spec_from_file_location("render_sessions", sys.argv[1])
rs = importlib.util.module_from_spec(spec); spec.loader.exec_module(rs)
a_path, b_path, rects = sys.argv[2], sys.argv[3], sys.argv[4].split()
_, _, a = rs.png_rows(a_path)
_, _, b = rs.png_rows(b_path)
worst, differing = 0, 0
for rect in rects:
    x, y, w, h = (int(v) for v in rect.split(","))
    for row in range(y + 1, y + h - 1):
        (la, ca), (lb, cb) = a[row], b[row]
        for col in range(x + 1, x + w - 1):
            da = max(abs(la[col * ca + k] - lb[col * cb + k]) for k in range(3))
            worst = max(worst, da)
            differing += da > 2
print(differing, worst)
PY
read -r same_count same_worst <<< "$(python3 compare.py "$here/render_sessions.py" "$work/$edited" "$work/$fresh" "$rects_edited")"
[ "${same_count:-x}" = 0 ] && ok "after row-by-row uploads the heatmaps are pixel for pixel the fresh window's" \
  || not_ok "the edited window's heatmaps differ from a fresh window's in $same_count pixels (largest channel difference $same_worst)"
read -r changed_count _ <<< "$(python3 compare.py "$here/render_sessions.py" "$work/$first" "$work/$edited" "$rects_edited")"
[ "${changed_count:-0}" -gt 100 ] && ok "the edits changed the heatmaps ($changed_count pixels), so the comparison above means something" \
  || not_ok "the edits did not visibly change the heatmaps ($changed_count pixels)"
summary
