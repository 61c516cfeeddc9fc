#!/usr/bin/env bash
# End-to-end test of the desktop app's tray, as a desktop tray host sees it:
# under a private session bus with a StatusNotifierWatcher and a virtual X
# display, start `rolesync demo`, read its tray menu over D-Bus, click Sync
# now and see the run land in the history and the status line change, pause
# and see no run start, make a run fail and see the notification on the bus,
# then Quit and expect a clean exit. A second stage, in a data directory of
# its own, starts `rolesync demo --connections 3` and checks the tray of
# several connections: a submenu each, Sync now and Pause acting on one only.
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

# The helpers of both stages; each stage sets applog, the app's output.
helpers=$(cat <<'HELPERS'
  # fail MESSAGE: say what failed, show the app's output, and stop the app
  # (xvfb-run's children) so that it does not outlive the test.
  fail() {
    echo "tray-e2e: $*"; echo "--- app output:"; cat "$applog" || true
    [ -z "${app:-}" ] || kill $(pgrep -P "$app") 2>/dev/null || true
    exit 1
  }
  # click_until LABEL WAITS CHECK...: click the item, then poll CHECK up to
  # WAITS times a quarter second apart; click again (at most 3 times) if the
  # click was lost, as one can be when the menu is rebuilt at that moment.
  click_until() { local label=$1; shift; click_in_until "" "$label" "$@"; }
  # click_in_until PARENT LABEL WAITS CHECK...: the same for the item LABEL
  # in the submenu PARENT (see traymenu click --in); "" is the whole menu.
  click_in_until() {
    local parent=$1 label=$2 waits=$3 in=()
    shift 3
    [ -z "$parent" ] || in=(--in "$parent")
    for _ in 1 2 3; do
      "$TRAYMENU" click "$label" "${in[@]}" 2>/dev/null || true
      for _ in $(seq 1 "$waits"); do "$@" && return 0; sleep 0.25; done
    done
    return 1
  }
  menu_has() { "$TRAYMENU" list 2>/dev/null | grep -qx "$1"; }
HELPERS
)

dbus-run-session -- bash -euo pipefail -c "$helpers"'
  applog=$WORK/out.log
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

# Stage 2: the tray of several connections, in a data directory of its own.
multi=$(cat <<'MULTI'
  applog=$WORK/multi.log
  data=$WORK/multi
  names=("Contoso → ThreatLocker EU1" "Fabrikam → ThreatLocker US2" "Northwind → ThreatLocker UK1")
  # tree: the whole menu (traymenu tree). The app rebuilds the menu on each
  # change of status, Quit last, so a read that does not end with Quit
  # caught a rebuild and is read again.
  tree() {
    local t
    for _ in $(seq 1 40); do
      t=$("$TRAYMENU" tree 2>/dev/null) || t=""
      [ "$(tail -n 1 <<<"$t")" = Quit ] && { printf "%s\n" "$t"; return 0; }
      sleep 0.05
    done
    return 1
  }
  # label_of NAME: the menu's label of connection NAME, with its state.
  label_of() { tree | awk -v p="$1" '!/^ / && ($0 == p || index($0, p " (") == 1)'; }
  # submenu NAME: the labels of the submenu of connection NAME.
  submenu() { tree | awk -v p="$1" '/^  / { if (on) print substr($0, 3); next } { on = ($0 == p || index($0, p " (") == 1) }'; }
  # grep reads to the end here rather than quitting at the first match (-q):
  # under pipefail, a writer cut off by that early exit fails the pipeline.
  sub_has() { submenu "$1" | grep -x "$2" >/dev/null; }
  # wait_for WAITS CHECK...: poll CHECK up to WAITS times a quarter second apart.
  wait_for() {
    local waits=$1; shift
    for _ in $(seq 1 "$waits"); do "$@" && return 0; sleep 0.25; done
    return 1
  }
  # all_ran: every connection's submenu shows the status of its first run.
  all_ran() { for n in "${names[@]}"; do submenu "$n" | grep "^Run 1: " >/dev/null || return 1; done; }
  newest() { "$BIN" --data-dir "$data" --connection "$1" history --json --limit 1; }
  run_id() { newest "$1" | grep -o '"run_id": [0-9]*' | grep -o '[0-9]*$'; }
  manual() { newest "$1" | grep '"trigger": "manual"' >/dev/null; }

  status-notifier-watcher >/dev/null 2>&1 &
  sleep 1
  xvfb-run -a -s "-screen 0 1280x800x24" "$BIN" --data-dir "$data" demo --connections 3 >"$applog" 2>&1 &
  app=$!
  # Three orgs to set up before the app opens: up to 120 s.
  for _ in $(seq 1 240); do
    all_ran && break
    kill -0 $app 2>/dev/null || fail "rolesync exited before its tray appeared"
    sleep 0.5
  done
  all_ran || fail "no tray menu with the first run of each of the three connections after 120 s: $("$TRAYMENU" tree 2>&1)"
  echo "tray-e2e: menu of 3 connections:"; tree | sed "s/^/  /"
  status=$(tree | sed -n 1p)
  [[ $status == "3 connections: "* ]] || fail "the status line does not start \"3 connections: \": $status"
  for item in "Sync all now" "Open rolesync" "Quit"; do
    tree | grep -x "$item" >/dev/null || fail "the tray menu has no \"$item\""
  done
  for n in "${names[@]}"; do
    for item in "Sync now" "Pause" "Open"; do
      sub_has "$n" "$item" || fail "the submenu of \"$n\" has no \"$item\": $(submenu "$n")"
    done
  done

  # Sync now in Fabrikam runs Fabrikam only.
  declare -A before
  for n in "${names[@]}"; do before[$n]=$(run_id "$n"); done
  fabrikam=${names[1]}
  fabrikam_ran() { [ "$(run_id "$fabrikam")" -gt "${before[$fabrikam]}" ] && manual "$fabrikam"; }
  click_in_until "$fabrikam" "Sync now" 60 fabrikam_ran || fail "Sync now in \"$fabrikam\" started no manual run there: $(newest "$fabrikam")"
  for n in "${names[0]}" "${names[2]}"; do
    ! manual "$n" || fail "Sync now in \"$fabrikam\" started a manual run in \"$n\""
  done
  newest_id=$(run_id "$fabrikam")
  shows_run() { submenu "$fabrikam" | grep "^Run $newest_id: Succeeded" >/dev/null; }
  wait_for 80 shows_run || fail "the submenu of \"$fabrikam\" does not show run $newest_id: $(submenu "$fabrikam")"
  echo "tray-e2e: Sync now in \"$fabrikam\" made run $newest_id there, none elsewhere"

  # Pause in Northwind pauses Northwind only. A toggle: wait 15 s before
  # clicking again (see click_until).
  northwind=${names[2]}
  click_in_until "$northwind" "Pause" 60 sub_has "$northwind" "Resume" || fail "Pause in \"$northwind\" did not turn into Resume: $(submenu "$northwind")"
  labelled() { [ "$(label_of "$1")" = "$2" ]; }
  wait_for 40 labelled "$northwind" "$northwind (paused)" || fail "the item of \"$northwind\" is labelled \"$(label_of "$northwind")\", not \"$northwind (paused)\""
  for n in "${names[0]}" "${names[1]}"; do
    sub_has "$n" "Pause" || fail "pausing \"$northwind\" took Pause from \"$n\": $(submenu "$n")"
    [[ $(label_of "$n") != *"(paused)" ]] || fail "pausing \"$northwind\" paused \"$n\""
  done
  echo "tray-e2e: Pause in \"$northwind\" paused it alone:"; tree | grep -v "^  " | sed "s/^/  /"

  gone() { ! kill -0 $app 2>/dev/null; }
  click_until "Quit" 60 gone || true
  kill -0 $app 2>/dev/null && fail "Quit did not stop rolesync"
  wait $app || fail "rolesync exited with status $? after Quit"
  echo "tray-e2e: several connections passed"
MULTI
)
dbus-run-session -- bash -euo pipefail -c "$helpers
$multi"
