#!/usr/bin/env bash
# End-to-end test of the desktop app's tray, as a desktop tray host sees it:
# under a private session bus with a StatusNotifierWatcher and a virtual X
# display, start `rolesync demo`, read its tray menu over D-Bus, click Sync
# now and see the run land in the history and the status line change, pause
# and see no run start, make a run fail and see the notification on the bus,
# then Quit and expect a clean exit.
set -euo pipefail
bin=$(realpath "${1:-bin/rolesync}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LANG=en_US.UTF-8
unset DBUS_SESSION_BUS_ADDRESS

# The tray reader, built from .ci/traymenu.
CGO_ENABLED=0 go build -o "$work/traymenu" "$here/traymenu"
traymenu="$work/traymenu"
export TRAYMENU="$traymenu" BIN="$bin" WORK="$work"

dbus-run-session -- bash -euo pipefail -c '
  fail() { echo "tray-e2e: $*"; echo "--- app output:"; cat "$WORK/out.log" || true; exit 1; }
  # click_until LABEL WAITS CHECK...: click the item, then poll CHECK up to
  # WAITS times a quarter second apart; click again (at most 3 times) if the
  # click was lost, as one can be when the menu is rebuilt at that moment.
  click_until() {
    local label=$1 waits=$2; shift 2
    for _ in 1 2 3; do
      "$TRAYMENU" click "$label" 2>/dev/null || true
      for _ in $(seq 1 "$waits"); do "$@" && return 0; sleep 0.25; done
    done
    return 1
  }
  menu_has() { "$TRAYMENU" list 2>/dev/null | grep -qx "$1"; }
  status-notifier-watcher >/dev/null 2>&1 &
  sleep 1
  dbus-monitor --session "interface='"'"'org.freedesktop.Notifications'"'"'" >"$WORK/notify.log" 2>&1 &
  xvfb-run -a -s "-screen 0 1280x800x24" "$BIN" --data-dir "$WORK/data" demo >"$WORK/out.log" 2>&1 &
  app=$!
  menu=""
  for _ in $(seq 1 120); do
    menu=$("$TRAYMENU" list 2>/dev/null || true)
    grep -q "Sync now" <<<"$menu" && break
    kill -0 $app 2>/dev/null || fail "rolesync exited before its tray appeared"
    sleep 0.5
  done
  grep -q "Sync now" <<<"$menu" || fail "no tray menu with Sync now after 60 s: $menu"
  echo "tray-e2e: menu:"; sed "s/^/  /" <<<"$menu"
  for item in "Sync now" "Pause" "Open rolesync" "Quit"; do
    grep -qx "$item" <<<"$menu" || fail "the tray menu has no \"$item\""
  done
  grep -q "^Pending approvals" <<<"$menu" || fail "the tray menu has no Pending approvals item"
  # Let the first status settle before clicking.
  for _ in $(seq 1 60); do
    menu=$("$TRAYMENU" list)
    grep -q "^Run 1: " <<<"$menu" && break
    sleep 0.5
  done
  status1=$(sed -n 1p <<<"$menu")
  runs() { "$BIN" --data-dir "$WORK/data" history --json --limit 100 | grep -c "\"run_id\"" || true; }
  before=$(runs)

  more_runs() { [ "$(runs)" -gt "$before" ]; }
  click_until "Sync now" 60 more_runs || true
  after=$(runs)
  [ "$after" -gt "$before" ] || fail "Sync now started no run ($before runs before, $after after)"
  "$BIN" --data-dir "$WORK/data" history --json --limit 1 | grep -q "\"trigger\": \"manual\"" || fail "the newest run was not started by Sync now"
  newest=$("$BIN" --data-dir "$WORK/data" history --json --limit 1 | grep -o "\"run_id\": [0-9]*" | grep -o "[0-9]*$")
  status2=""
  for _ in $(seq 1 80); do
    status2=$("$TRAYMENU" list | sed -n 1p)
    grep -q "^Run $newest: Succeeded" <<<"$status2" && break
    sleep 0.25
  done
  grep -q "^Run $newest: Succeeded" <<<"$status2" || fail "the status line does not show run $newest after Sync now: $status2"
  echo "tray-e2e: status line went from \"$status1\" to \"$status2\""

  # Pause and Resume toggle: a click that is slow to take effect must not be
  # followed by a second one, which would toggle back. Wait 15 s before
  # clicking again.
  click_until "Pause" 60 menu_has "Resume" || true
  for _ in $(seq 1 40); do "$TRAYMENU" list | grep -qx "Resume" && break; sleep 0.25; done
  "$TRAYMENU" list | grep -qx "Resume" || fail "Pause did not turn into Resume"
  for _ in $(seq 1 40); do "$TRAYMENU" list | sed -n 1p | grep -qi "paused" && break; sleep 0.25; done
  "$TRAYMENU" list | sed -n 1p | grep -qi "paused" || fail "the status line does not say paused: $("$TRAYMENU" list | sed -n 1p)"
  paused=$(runs)
  sleep 3
  [ "$(runs)" -eq "$paused" ] || fail "a run started while paused"
  click_until "Resume" 60 menu_has "Pause" || fail "Resume did not turn back into Pause"

  # A failing Okta: every group read answers 500 until cleared.
  url=$(grep -o "https://127.0.0.1:[0-9]*" "$WORK/out.log" | sed -n 1p)
  [ -n "$url" ] || fail "the demo did not print the simulated org URL"
  curl -sk -X POST "$url/__sim/faults" -d "{\"path_prefix\": \"/api/v1/groups\", \"status\": 500, \"count\": 1000}" >/dev/null
  notified() { grep -q "failed" "$WORK/notify.log"; }
  click_until "Sync now" 120 notified || true
  grep -q "failed" "$WORK/notify.log" || fail "no notification of the failed run on the session bus"
  echo "tray-e2e: notification seen on the bus:"; grep "string \"" "$WORK/notify.log" | grep -v "org.freedesktop" | head -n 6 | sed "s/^ */  /"
  failed=""
  for _ in $(seq 1 40); do
    failed=$("$TRAYMENU" list | sed -n 1p)
    grep -qi "fail" <<<"$failed" && break
    sleep 0.25
  done
  grep -qi "fail" <<<"$failed" || fail "the status line does not show the failed run: $failed"
  echo "tray-e2e: status line after the failure: \"$failed\""
  "$TRAYMENU" icon | sed "s/^/  /"

  gone() { ! kill -0 $app 2>/dev/null; }
  click_until "Quit" 60 gone || true
  kill -0 $app 2>/dev/null && fail "Quit did not stop rolesync"
  wait $app || fail "rolesync exited with status $? after Quit"
  echo "tray-e2e: passed"
'
