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

xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  "$0" --data-dir "$1/data" demo >"$1/out.log" 2>&1 &
  pid=$!
  win=""
  for _ in $(seq 1 120); do
    win=$(xdotool search --name "^rolesync" 2>/dev/null | head -n 1 || true)
    [ -n "$win" ] && break
    kill -0 $pid 2>/dev/null || { echo "smoke: rolesync exited before showing a window"; cat "$1/out.log"; exit 1; }
    sleep 0.5
  done
  [ -n "$win" ] || { echo "smoke: no rolesync window after 60 s"; cat "$1/out.log"; kill $pid; exit 1; }
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
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -u
  ROLESYNC_KEYRING_BACKEND=file "$0" --data-dir "$1/fresh" >"$1/fresh.log" 2>&1 &
  pid=$!
  win=""
  for _ in $(seq 1 120); do
    win=$(xdotool search --name "^Set up rolesync" 2>/dev/null | head -n 1 || true)
    [ -n "$win" ] && break
    kill -0 $pid 2>/dev/null || { echo "smoke: rolesync exited before its setup wizard showed"; cat "$1/fresh.log"; exit 1; }
    sleep 0.5
  done
  [ -n "$win" ] || { echo "smoke: no setup wizard after 60 s"; cat "$1/fresh.log"; kill $pid; exit 1; }
  sleep 4
  kill -TERM $pid
  for _ in $(seq 1 40); do kill -0 $pid 2>/dev/null || break; sleep 0.25; done
  if kill -0 $pid 2>/dev/null; then echo "smoke: rolesync did not stop on SIGTERM with the wizard open"; kill -KILL $pid; exit 1; fi
  wait $pid; rc=$?
  [ $rc -eq 0 ] || { echo "smoke: rolesync exited with $rc with the wizard open"; cat "$1/fresh.log"; exit 1; }
  echo "smoke: SIGTERM with the setup wizard open: clean exit"
' "$bin" "$work"
echo "smoke: passed"
