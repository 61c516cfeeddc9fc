#!/usr/bin/env bash
# Smoke test of the desktop build: start `rolesync demo` on a virtual X display,
# wait for its window, check that something other than a blank screen was drawn,
# then stop it with SIGTERM and expect a clean exit; then the same with the
# setup wizard open over a fresh data directory.
set -euo pipefail
bin=$(realpath "${1:-bin/rolesync}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LANG=en_US.UTF-8 DBUS_SESSION_BUS_ADDRESS=disabled: ROLESYNC_KEYRING_PASSWORD=smoke-test-only
shot=${SMOKE_SHOT:-$work/shot.png}

# wait_window PID TITLE LOG: print the id of the window whose title matches
# TITLE once the app PID shows it, up to 60 s; fail, with the app's LOG,
# when the app exits first or no such window shows. xvfb-run is a POSIX
# shell script, which drops exported functions: each app's script gets the
# definition in its text.
wait_window() {
  local pid=$1 title=$2 log=$3 win
  for _ in $(seq 1 120); do
    win=$(xdotool search --name "$title" 2>/dev/null | head -n 1 || true)
    [ -n "$win" ] && { echo "$win"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "smoke: rolesync exited before a window \"$title\" showed" >&2; cat "$log" >&2; return 1; }
    sleep 0.5
  done
  echo "smoke: no window \"$title\" after 60 s" >&2; cat "$log" >&2; kill "$pid"; return 1
}

xvfb-run -a -s "-screen 0 1280x800x24" bash -c "$(declare -f wait_window)"'
  set -u
  "$0" --data-dir "$1/data" demo >"$1/out.log" 2>&1 &
  pid=$!
  win=$(wait_window $pid "^rolesync" "$1/out.log") || exit 1
  sleep 3
  import -window root "$2"
  colours=$(convert "$2" -format "%k" info:)
  echo "smoke: window $win drawn with $colours colours"
  kill -TERM $pid
  for _ in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
  if kill -0 $pid 2>/dev/null; then echo "smoke: rolesync did not stop on SIGTERM"; kill -KILL $pid; exit 1; fi
  wait $pid; rc=$?
  [ $rc -eq 0 ] || { echo "smoke: rolesync exited with $rc"; cat "$1/out.log"; exit 1; }
  [ "$colours" -gt 20 ] || { echo "smoke: the window looks blank ($colours colours)"; exit 1; }
' "$bin" "$work" "$shot"

# A fresh data directory: the setup wizard opens in a window of its own.
# SIGTERM must end the app cleanly with it open too.
xvfb-run -a -s "-screen 0 1280x800x24" bash -c "$(declare -f wait_window)"'
  set -u
  ROLESYNC_KEYRING_BACKEND=file "$0" --data-dir "$1/fresh" >"$1/fresh.log" 2>&1 &
  pid=$!
  wait_window $pid "^Set up rolesync" "$1/fresh.log" >/dev/null || exit 1
  sleep 4
  kill -TERM $pid
  for _ in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
  if kill -0 $pid 2>/dev/null; then echo "smoke: rolesync did not stop on SIGTERM with the wizard open"; kill -KILL $pid; exit 1; fi
  wait $pid; rc=$?
  [ $rc -eq 0 ] || { echo "smoke: rolesync exited with $rc with the wizard open"; cat "$1/fresh.log"; exit 1; }
  echo "smoke: SIGTERM with the setup wizard open: clean exit"
' "$bin" "$work"
echo "smoke: passed"
