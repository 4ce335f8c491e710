#!/usr/bin/env bash
# Runs a command with one private Xvfb X server, started reliably, for the whole command:
#
#   tests/with_display.sh [--attempts N] [--screen WxHxD] [--] COMMAND [ARGS...]
#
# `make test` runs `ctest` through it, so every GUI and screenshot test of the run shares one
# server that is known to answer before the first test starts.
#
# - Xvfb chooses a free display number itself (-displayfd), so parallel runs (other checkouts,
#   other users, a stale /tmp/.X99-lock) never collide on :99 the way `xvfb-run -a` can.
# - The server counts as up only when a client can talk to it (xdpyinfo, or xdotool when xdpyinfo
#   is missing). Start-up is tried up to N times (default 5), with a fresh server each time.
# - A server that cannot be started is a failure of the test machine, not of the tests: it is
#   reported as "with_display: DISPLAY START-UP FAILURE ..." on stderr with exit status 125, and
#   COMMAND is not run. Otherwise the exit status is COMMAND's.
# - The server is stopped (by its own pid) when the command ends, on Ctrl+C and on any exit.
set -u

attempts=${WITH_DISPLAY_ATTEMPTS:-5}
screen=1920x1080x24
ready_timeout=${WITH_DISPLAY_TIMEOUT:-20}   # seconds to wait for one server to answer
while [ $# -gt 0 ]; do
    case $1 in
        --attempts) attempts=$2; shift 2 ;;
        --screen) screen=$2; shift 2 ;;
        --) shift; break ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) break ;;
    esac
done
if [ $# -eq 0 ]; then echo "usage: with_display.sh [--attempts N] [--screen WxHxD] [--] COMMAND [ARGS...]" >&2; exit 2; fi

startup_failure() {
    echo "with_display: DISPLAY START-UP FAILURE: $1 (this is not a test result; no test was run)" >&2
    exit 125
}
command -v Xvfb > /dev/null || startup_failure "Xvfb is not installed (Debian package xvfb)"
probe=
if command -v xdpyinfo > /dev/null; then probe=xdpyinfo
elif command -v xdotool > /dev/null; then probe=xdotool
else startup_failure "neither xdpyinfo (x11-utils) nor xdotool is installed to check the server"
fi

answers() {  # answers DISPLAY: true when a client can query the server
    if [ "$probe" = xdpyinfo ]; then
        DISPLAY=$1 timeout 5 xdpyinfo > /dev/null 2>&1
    else
        DISPLAY=$1 timeout 5 xdotool getdisplaygeometry > /dev/null 2>&1
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/with_display.XXXXXX") || startup_failure "cannot create a temporary folder"
xvfb_pid=
stop_server() {
    if [ -n "$xvfb_pid" ]; then
        kill "$xvfb_pid" 2> /dev/null
        wait "$xvfb_pid" 2> /dev/null
        xvfb_pid=
    fi
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

display=
for attempt in $(seq 1 "$attempts"); do
    : > "$tmp/displayfd"
    # -displayfd: Xvfb picks an unused display and writes its number once it accepts connections.
    Xvfb -displayfd 3 -screen 0 "$screen" -nolisten tcp -noreset 3> "$tmp/displayfd" > "$tmp/xvfb.log" 2>&1 &
    xvfb_pid=$!
    number=
    for _ in $(seq 1 $((ready_timeout * 10))); do
        number=$(tr -dc '0-9' < "$tmp/displayfd")
        [ -n "$number" ] && break
        kill -0 "$xvfb_pid" 2> /dev/null || break
        sleep 0.1
    done
    if [ -n "$number" ]; then
        for _ in $(seq 1 $((ready_timeout * 5))); do
            if answers ":$number"; then display=:$number; break; fi
            kill -0 "$xvfb_pid" 2> /dev/null || break
            sleep 0.2
        done
    fi
    [ -n "$display" ] && break
    echo "with_display: attempt $attempt of $attempts: Xvfb did not answer${number:+ on :$number}; $(tail -1 "$tmp/xvfb.log" 2> /dev/null)" >&2
    stop_server
    sleep "$attempt"
done
[ -n "$display" ] || startup_failure "Xvfb did not start after $attempts attempts (last log: $(tail -3 "$tmp/xvfb.log" 2> /dev/null | tr '\n' ' '))"

export DISPLAY=$display
unset WAYLAND_DISPLAY
echo "with_display: Xvfb on $DISPLAY ($screen)" >&2
"$@"
status=$?
# The server must have lasted the whole run; if it died, say so next to the command's verdict.
if ! kill -0 "$xvfb_pid" 2> /dev/null; then
    echo "with_display: warning: the X server on $DISPLAY exited during the run; display errors above are not test results" >&2
fi
exit $status
