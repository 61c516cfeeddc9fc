#!/usr/bin/env bash
# Retakes the README's screenshots of the main window and of several
# connections from the real app (bin/rolesync and bin/oktasim, built by
# `make build`) on a virtual X display, and writes them into
# assets/screenshots/ cropped to the app's window. Run by hand through
# `make screenshots`; it is not part of `make test`.
#
#   1. `rolesync demo`: dashboard.png after its first sync, history-run.png
#      with run 1 opened, then dashboard-failed.png after Okta answers 500
#      on every group read and Sync now is clicked.
#   2. bin/oktasim on its own and a data directory set up from the command
#      line (file keyring, Okta API token): a first `sync --once`, twelve
#      members taken out of the Support group through Okta's API, a second
#      run held for approval; then the app on that data directory for
#      dashboard-held.png and approval-pending.png.
#   3. `rolesync demo --connections 3`: Fabrikam's run failed and Northwind
#      paused through the window's own buttons, then connections-list.png,
#      connections-open.png, connections-add.png and connections-wizard.png.
#
# The app is driven with xdotool at fixed points of its 1120-pixel-wide
# window (see the positions below): a change of the window's layout needs
# them changed too. Waits poll `rolesync history --json` or the X windows,
# each bounded; a short settle delay comes before each capture.
#
# Needs: xvfb-run, xdotool, ImageMagick (import, convert), curl and jq.
# SHOT_DIR writes the captures elsewhere than assets/screenshots.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/bin/rolesync
sim=$root/bin/oktasim
out=${SHOT_DIR:-$root/assets/screenshots}

for tool in xvfb-run xdotool import convert curl jq; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (make deps-test installs it)"; exit 1; }
done
[ -x "$bin" ] && [ -x "$sim" ] || { echo "screenshots: build bin/rolesync and bin/oktasim first (make build)"; exit 1; }

# The rest runs on its own virtual display.
if [ -z "${ROLESYNC_SHOTS_XVFB:-}" ]; then
  ROLESYNC_SHOTS_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$@"
fi
export LANG=C.UTF-8 DBUS_SESSION_BUS_ADDRESS=disabled:
unset ROLESYNC_DATA_DIR ROLESYNC_CONNECTION ROLESYNC_KEYRING_PASSWORD ROLESYNC_KEYRING_BACKEND
mkdir -p "$out"
work=$(mktemp -d)
started=()
cleanup() {
  for p in "${started[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${started[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Points in the app's window (its top left corner is the screen's, there
# being no window manager), from the layout of ui/: the bar above the tabs,
# the tabs, the dashboard's Sync now and Pause, the first run in History,
# and the Open button of a row of the list of connections.
ALL_CONNECTIONS=(77 22)
ADD_CONNECTION=(1035 22)
TAB_DASHBOARD=(50 62)
TAB_HISTORY=(133 62)
TAB_APPROVALS=(213 62)
SYNC_NOW=(434 313)
PAUSE=(532 313)
HISTORY_RUN_1=(300 137)
open_row() { click 944 $((97 + 40 * ($1 - 1))); }   # row 1, 2, 3 of the list
AWAY=(1275 795)                                     # the pointer, off the window

# fail MESSAGE: say what failed (on stderr, also from a command
# substitution) with the end of the app's output, and stop.
fail() {
  {
    echo "screenshots: $*"
    if [ -n "${applog:-}" ] && [ -f "$applog" ]; then echo "--- app output:"; tail -n 40 "$applog"; fi
  } >&2
  exit 1
}

# click X Y: a left click at X,Y of the screen.
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.4; }

# start_app LOG ARGS...: start rolesync with ARGS, its output in LOG; sets app.
start_app() {
  applog=$1; shift
  "$bin" "$@" >"$applog" 2>&1 &
  app=$!
  started+=("$app")
}

# stop_app: SIGTERM to the app and wait for it to end.
stop_app() {
  kill -TERM "$app" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
}

# window_of NAME WAITS: the id of the window named NAME (a regular
# expression), waiting up to WAITS half seconds while the app runs.
window_of() {
  local w
  for _ in $(seq 1 "$2"); do
    w=$(xdotool search --name "$1" 2>/dev/null | head -n 1 || true)
    [ -n "$w" ] && { echo "$w"; return 0; }
    kill -0 "$app" 2>/dev/null || fail "rolesync exited before its window \"$1\" showed"
    sleep 0.5
  done
  fail "no window \"$1\" after $(($2 / 2)) s"
}

# shot NAME: the main window as it shows now (with whatever is in front of
# it), cropped to the window's current size, into $out/NAME.
shot() {
  local geo
  xdotool mousemove "${AWAY[@]}"
  sleep 1
  geo=$(xdotool getwindowgeometry --shell "$win")
  local X Y WIDTH HEIGHT
  eval "$(grep -E '^(X|Y|WIDTH|HEIGHT)=[0-9]+$' <<<"$geo")"
  import -window root "$work/root.png"
  convert "$work/root.png" -crop "${WIDTH}x${HEIGHT}+${X}+${Y}" +repage "$out/$1"
  echo "screenshots: $1 (${WIDTH}x${HEIGHT})"
}

# refresh_dashboard: show the dashboard afresh (another tab, then back).
refresh_dashboard() { click "${TAB_HISTORY[@]}"; click "${TAB_DASHBOARD[@]}"; }

# wait_status STATUS ARGS...: wait until the newest run of the connection
# that ARGS (global flags) name has STATUS, up to 60 s.
wait_status() {
  local want=$1; shift
  for _ in $(seq 1 240); do
    "$bin" "$@" history --json --limit 1 2>/dev/null | jq -e --arg s "$want" '.[0].status == $s' >/dev/null && return 0
    sleep 0.25
  done
  fail "the newest run is not $want after 60 s: $("$bin" "$@" history --json --limit 1 2>&1 | head -c 600)"
}

# fault URL: every read of /api/v1/groups of the simulated org at URL
# answers HTTP 500 from now on.
fault() {
  curl -sfk -X POST "$1/__sim/faults" -d '{"path_prefix": "/api/v1/groups", "status": 500, "count": 100000}' >/dev/null ||
    fail "the simulated org at $1 refused the fault"
}

# demo_stage: dashboard.png, history-run.png and dashboard-failed.png from
# `rolesync demo`.
demo_stage() {
  local data=$work/demo url
  start_app "$work/demo.log" --data-dir "$data" demo
  win=$(window_of '^rolesync$' 240)
  url=$(grep -o 'https://127\.0\.0\.1:[0-9]*' "$applog" | sed -n 1p)
  [ -n "$url" ] || fail "the demo did not print its simulated org's URL"
  wait_status succeeded --data-dir "$data"
  sleep 3 # the first status ticks of the sync loop (the next run)
  refresh_dashboard
  shot dashboard.png

  click "${TAB_HISTORY[@]}"
  click "${HISTORY_RUN_1[@]}"
  shot history-run.png

  fault "$url"
  click "${TAB_DASHBOARD[@]}"
  click "${SYNC_NOW[@]}"
  wait_status failed --data-dir "$data"
  refresh_dashboard
  shot dashboard-failed.png
  stop_app
}

# held_stage: dashboard-held.png and approval-pending.png, from a data
# directory set up from the command line against bin/oktasim.
held_stage() {
  local dir=$work/held simpid url token
  mkdir -p "$dir"
  "$sim" --users 300 --groups 40 --seed 7 --ca-file "$dir/ca.pem" >"$dir/sim.json" 2>"$dir/sim.log" &
  simpid=$!
  started+=("$simpid")
  for _ in $(seq 1 80); do [ -s "$dir/sim.json" ] && break; sleep 0.25; done
  url=$(jq -r .url "$dir/sim.json") || fail "oktasim printed no start line: $(cat "$dir/sim.log")"
  token=$(jq -r .api_token "$dir/sim.json")

  # The demo's roles and mappings, signed in with the simulated org's API
  # token, kept in a file keyring under a passphrase made for this run.
  export ROLESYNC_KEYRING_BACKEND=file
  ROLESYNC_KEYRING_PASSWORD=$(head -c 24 /dev/urandom | base64)
  export ROLESYNC_KEYRING_PASSWORD
  local rs=("$bin" --data-dir "$dir/data" --connection "Contoso → ThreatLocker EU1")
  cat >"$dir/rolesync.yaml" <<EOF
okta:
  domain: $url
  auth: api_token
  ca_file: $dir/ca.pem
sync:
  interval: 5m
target:
  kind: local
mappings:
  - group: IT Admins
    roles: [Administrator]
  - group: Security
    roles: [Auditor, Read Only]
  - group: Support
    roles: [Read Only]
safety:
  protected_accounts: [breakglass@example.com]
  admin_roles: [Administrator]
  max_revocations: 10
  max_revocation_percent: 20
EOF
  for role in Administrator "Read Only" Auditor; do "${rs[@]}" roles add "$role" >/dev/null; done
  "${rs[@]}" config import "$dir/rolesync.yaml" >/dev/null
  printf '%s' "$token" | "${rs[@]}" secrets set okta-api-token >/dev/null
  "${rs[@]}" sync --once --json >"$dir/run1.json" || fail "the first sync failed: $(cat "$dir/run1.json")"

  # Twelve members leave Support, each in no other mapped group: twelve
  # users lose access, more than max(10, 20% of 35) lets one run revoke.
  okta() { curl -sf --cacert "$dir/ca.pem" -H "Authorization: SSWS $token" -H 'Accept: application/json' "$@"; }
  group_id() { okta -G "$url/api/v1/groups" --data-urlencode "q=$1" | jq -r --arg n "$1" '.[] | select(.profile.name == $n) | .id'; }
  members() { okta "$url/api/v1/groups/$(group_id "$1")/users?limit=1000"; }
  local support others leave
  support=$(group_id Support)
  others=$( { members Security; members "IT Admins"; } | jq -r '.[].id' | sort -u)
  leave=$(members Support | jq -r '.[] | select(.status == "ACTIVE") | .id' | grep -vxF -f <(printf '%s\n' "$others") | sed -n 1,12p)
  [ "$(wc -l <<<"$leave")" -eq 12 ] || fail "Support has fewer than 12 members in no other mapped group"
  for u in $leave; do okta -X DELETE "$url/api/v1/groups/$support/users/$u" >/dev/null || fail "could not take $u out of Support"; done
  "${rs[@]}" sync --once --json >"$dir/run2.json" || true
  jq -e '.status == "held" and .held == 12' "$dir/run2.json" >/dev/null || fail "the second run was not held with 12 revocations: $(cat "$dir/run2.json")"
  wait_status held "${rs[@]:1}"

  start_app "$work/held.log" "${rs[@]:1}"
  win=$(window_of '^rolesync$' 120)
  sleep 3 # the first status ticks of the sync loop (the next run)
  refresh_dashboard
  shot dashboard-held.png
  click "${TAB_APPROVALS[@]}"
  shot approval-pending.png
  stop_app
  kill "$simpid" 2>/dev/null || true
  wait "$simpid" 2>/dev/null || true
  unset ROLESYNC_KEYRING_BACKEND ROLESYNC_KEYRING_PASSWORD
}

# connections_stage: the four captures of several connections, from
# `rolesync demo --connections 3`.
connections_stage() {
  local data=$work/multi fabrikam="Fabrikam → ThreatLocker US2" url
  start_app "$work/multi.log" --data-dir "$data" demo --connections 3
  win=$(window_of '^rolesync$' 240)
  url=$(grep -F "\"$fabrikam\"" "$applog" | grep -o 'https://127\.0\.0\.1:[0-9]*' | sed -n 1p)
  [ -n "$url" ] || fail "the demo did not print Fabrikam's simulated org URL"
  sleep 3 # the first status ticks of the three sync loops

  # Fabrikam: Okta fails, then Sync now from its dashboard.
  fault "$url"
  open_row 2
  click "${SYNC_NOW[@]}"
  wait_status failed --data-dir "$data" --connection "$fabrikam"
  # Northwind: Pause from its dashboard.
  click "${ALL_CONNECTIONS[@]}"
  open_row 3
  click "${PAUSE[@]}"
  click "${ALL_CONNECTIONS[@]}"
  shot connections-list.png

  open_row 2
  shot connections-open.png

  # Add connection…: the name typed (a first arrow typed and erased lets
  # the X server's keymap take the character), then Set up… with Enter.
  click "${ADD_CONNECTION[@]}"
  xdotool type --delay 120 "→"
  xdotool key ctrl+a BackSpace
  xdotool type --delay 120 "Tailspin → ThreatLocker AU1"
  shot connections-add.png
  xdotool key Return
  window_of '^Set up rolesync: Tailspin' 60 >/dev/null
  sleep 1
  shot connections-wizard.png
  stop_app
}

demo_stage
held_stage
connections_stage
echo "screenshots: written to $out"
