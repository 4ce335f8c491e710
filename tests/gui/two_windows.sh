#!/usr/bin/env bash
# Issue 23, defects 4 and 5, through real windows: two attnlab windows on one HOME each keep
# their own work, a crash of either is noticed at the next start, and a save killed half-way
# leaves no temp file behind for good (see app/platform/autosave_slots.h and the README,
# "autosave"). Each window has its own probe file; keys go to the window raised and focused.
# Usage: two_windows.sh BINARY   (needs an X display: ctest runs under a virtual one)
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$here/lib.sh"
gui_test_begin "$1"
trap 'kill -9 "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
state=$work/state/attnlab
declare -A pids

# start_window NAME: a window with the probe $work/probe-NAME.json (the other stays open); the
# checks read its probe until focus names another window.
start_window() {
  export ATTNLAB_PROBE=$work/probe-$1.json
  rm -f "$ATTNLAB_PROBE"
  "$binary" --size 1280x720 >> "$work/app-$1.log" 2>&1 &
  pids[$1]=$!
  wait_for "'solve' in d['items']" || echo "# window $1 did not come up"
  sleep 0.3
}
# focus NAME: raise window NAME at (0, 0) and give it the keyboard and the pointer.
focus() {
  local window
  window=$(timeout 5 xdotool search --all --sync --onlyvisible --pid "${pids[$1]}" --name '^attnlab' 2>/dev/null | head -1)
  [ -n "$window" ] || { echo "# no window for $1"; return 1; }
  xdotool windowmove "$window" 0 0 windowraise "$window" windowfocus --sync "$window" 2>/dev/null
  xdotool mousemove 640 700
  sleep 0.3
  export ATTNLAB_PROBE=$work/probe-$1.json
}
# solve_in NAME TASK: select TASK with a click, solve it with Ctrl+Enter.
solve_in() {
  focus "$1"
  click "task $2"
  wait_for "d['selected_task'] == '$2'" || echo "# $1 did not select $2"
  xdotool key ctrl+Return
  check "window $1 solves $2 with Ctrl+Enter" "$(task_check "$2")['pass']" "d['checks']"
}
# quit NAME: Ctrl+Q in window NAME; ok when it exits 0 within 5 s.
quit() {
  focus "$1"
  xdotool key ctrl+q
  local pid=${pids[$1]}
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; not_ok "window $1 quits with Ctrl+Q"; return; fi
  wait "$pid"; local status=$?
  if [ "$status" -eq 0 ]; then ok "window $1 quits with Ctrl+Q"; else not_ok "window $1 quits with Ctrl+Q (status $status)"; fi
}
crash() {
  kill -9 "${pids[$1]}"
  wait "${pids[$1]}" 2>/dev/null
}
answered() { echo "$(task_check "$1")['answered']"; }
crash_told="any('did not close normally' in t for t in d['toasts'])"

# --- 4. Both windows quit: both answers are there at the next start. ---
start_window a
start_window b
solve_in a 1.2.1
solve_in b 1.3.1
sleep 1.5   # and each autosaves a second after its edit
quit a
quit b
start_window a
start_window b
focus b
check "the next second window says that it keeps its own autosave" "any('keeps its own autosave' in t for t in d['toasts'])" "d['toasts']"
check "and restores B's answer (1.3.1)" "$(answered 1.3.1) and not $(answered 1.2.1)" "d['checks']"
focus a
check "the next first window restores A's answer (1.2.1)" "$(answered 1.2.1) and not $(answered 1.3.1)" "d['checks']"
quit b
quit a

# A window alone offers the other window's session instead of hiding it.
start_window a
check "a window started alone restores its own answer" "$(answered 1.2.1)" "d['checks']"
check "and names the other window's session, in the toasts and in Open recent" \
  "any('session was kept' in t and 'autosave-2.json' in t for t in d['toasts']) and any(f.endswith('autosave-2.json') for f in d['recent_files'])" "d['toasts']"
quit a

# --- 4. The first window crashes, the second quits cleanly: the next start notices. ---
start_window a
start_window b
focus a; xdotool key ctrl+Return; sleep 1.5
crash a
quit b
start_window a
check "after A's crash and B's clean quit, the next start says A crashed" "$crash_told" "d['toasts']"
if ls "$state"/autosave-crashed-*.json > /dev/null 2>&1; then ok "A's session is kept aside"; else not_ok "A's session is kept aside"; fi
quit a
rm -f "$state"/autosave-crashed-*.json

# --- 4. The second window crashes, the first quits cleanly: noticed as well. ---
start_window a
start_window b
solve_in a 1.2.1
solve_in b 1.3.2
sleep 1.5
crash b
quit a
start_window a
check "after B's crash and A's clean quit, the next start says a window crashed" "$crash_told" "d['toasts']"
check "and still restores A's own session" "$(answered 1.2.1)" "d['checks']"
crashed=$(ls "$state"/autosave-crashed-*.json 2>/dev/null | head -1)
if [ -n "$crashed" ] && python3 -c "import json, sys; assert 'query132' in json.load(open(sys.argv[1]))['answers']" "$crashed"; then
  ok "B's session (1.3.2) is kept aside"
else
  not_ok "B's session (1.3.2) is kept aside ($crashed)"
fi
quit a
start_window a
check "a clean exit after that leaves no crash notice" "not $crash_told" "d['toasts']"
quit a

# --- 5. Temp files of a save killed half-way are removed at start; nothing else is. ---
mkdir -p "$state" "$work/config/attnlab"
head -c 100000 /dev/zero > "$state/autosave.json.tmp-abc123"
echo '["x"]' > "$state/recent.json.tmp-Q9z0aB"
echo '[' > "$state/autosave-2.json.tmp-XyZ789"
for keep in notes.json.tmp-abc123 autosave.json.tmp-abc12 autosave.json.tmp-abc1234 autosave.json.bak report.html; do
  echo keep > "$state/$keep"
done
start_window a
sleep 0.5
for gone in autosave.json.tmp-abc123 recent.json.tmp-Q9z0aB autosave-2.json.tmp-XyZ789; do
  if [ ! -e "$state/$gone" ]; then ok "the stale $gone is removed"; else not_ok "the stale $gone is removed"; fi
done
for keep in notes.json.tmp-abc123 autosave.json.tmp-abc12 autosave.json.tmp-abc1234 autosave.json.bak report.html autosave.json; do
  if [ -e "$state/$keep" ]; then ok "$keep is left alone"; else not_ok "$keep is left alone"; fi
done
check "and the session still restores" "$(answered 1.2.1)" "d['checks']"
quit a

summary
