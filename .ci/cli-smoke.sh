#!/usr/bin/env bash
# The headless command line on the real (cgo, Fyne-linked) binary: help and
# version exit 0, completion scripts parse, unknown flags exit 2, and no
# command prints anything from the GUI toolkit, whatever the locale.
set -euo pipefail
bin=$(realpath "${1:-bin/rolesync}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DBUS_SESSION_BUS_ADDRESS=disabled: ROLESYNC_KEYRING_PASSWORD=cli-smoke-only-passphrase
fail() { echo "cli-smoke: $*"; exit 1; }

expect() { # expect CODE CMD...: run CMD, keep its output, check its exit status
  local want=$1; shift
  set +e; "$@" >"$work/out" 2>"$work/err"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || { cat "$work/out" "$work/err"; fail "'$*' exited $rc, want $want"; }
  if grep -q "Fyne" "$work/out" "$work/err"; then cat "$work/err"; fail "'$*' printed GUI toolkit output"; fi
}

for loc in C C.UTF-8 POSIX en_US.UTF-8; do
  expect 0 env -u LC_ALL -u LANGUAGE LANG=$loc "$bin" --data-dir "$work/data" history
done
expect 0 env LC_ALL=C.UTF-8 "$bin" --data-dir "$work/data" history --json

expect 0 "$bin" --help
grep -q "sync" "$work/out" || fail "--help lists no commands"
expect 0 "$bin" -h
expect 0 "$bin" sync --help
grep -qi "usage" "$work/out" || fail "sync --help prints no usage"
expect 0 "$bin" help sync
expect 2 "$bin" sync --no-such-flag
grep -q "no-such-flag" "$work/err" || fail "an unknown flag is not named"
expect 2 "$bin" no-such-command

expect 0 "$bin" version
grep -Eq "^rolesync [^ ]+ \(commit [0-9a-f]{7,}" "$work/out" || fail "version printed: $(cat "$work/out")"
expect 0 "$bin" --version

expect 0 "$bin" completion bash
bash -n "$work/out" || fail "bash refused the completion script"
for sh in zsh fish powershell; do
  expect 0 "$bin" completion $sh
  [ -s "$work/out" ] || fail "completion $sh printed nothing"
done
echo "cli-smoke: passed"
