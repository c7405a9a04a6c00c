#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: run-with-keyring.sh [--no-keyring] PROGRAM [ARGUMENT…]
#
# Runs a test program on a private session bus with a Secret Service of its
# own: a throwaway gnome-keyring-daemon, its login keyring created and
# unlocked for the run, in a temporary HOME (and XDG directories), so the
# real user's keyring is never touched. With --no-keyring the bus has no
# Secret Service at all. The bus activates nothing: no keyring (or portal)
# from /usr/share/dbus-1/services can appear behind the test's back.
#
# The program finds the temporary directory in FB_TEST_SECRETS_ROOT and the
# mode ("keyring" or "none") in FB_TEST_SECRET_SERVICE. Without the tools it
# is skipped, in TAP.

set -u

if [ "${1:-}" = --inside-bus ]; then
  # Second stage, on the private bus: start the keyring, run, stop.
  shift
  if [ "$FB_TEST_SECRET_SERVICE" = none ]; then
    exec "$@"
  fi

  # Not an empty password: gnome-keyring would then save the login keyring
  # unencrypted, and the test checks that secrets are not on disk in clear.
  printf '%s' "feedbell-test-$$" |
    gnome-keyring-daemon --foreground --unlock --components=secrets \
      --control-directory="$XDG_RUNTIME_DIR/keyring" \
      >"$FB_TEST_SECRETS_ROOT/keyring.log" 2>&1 &
  keyring=$!

  # Waits for the daemon's bus name, not for a fixed time.
  if ! gdbus wait --session --timeout 30 org.freedesktop.secrets; then
    echo "Bail out! gnome-keyring-daemon did not appear on the bus"
    sed 's/^/# /' "$FB_TEST_SECRETS_ROOT/keyring.log"
    kill "$keyring" 2>/dev/null
    exit 1
  fi

  "$@"
  status=$?
  kill "$keyring" 2>/dev/null
  wait "$keyring"
  exit $status
fi

mode=keyring
if [ "${1:-}" = --no-keyring ]; then
  mode=none
  shift
fi

tools="dbus-run-session dbus-daemon"
if [ "$mode" = keyring ]; then
  tools="$tools gnome-keyring-daemon gdbus"
fi
for tool in $tools; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

root=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-keyring.XXXXXX") || exit 1
trap 'rm -rf "$root"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

mkdir -p "$root/home/.config" "$root/home/.local/share" "$root/home/.cache" \
  "$root/home/.local/state" "$root/run" || exit 1
chmod 700 "$root/run"

cat >"$root/bus.conf" <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

export HOME="$root/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state"
export XDG_RUNTIME_DIR="$root/run"
export FB_TEST_SECRETS_ROOT="$root"
export FB_TEST_SECRET_SERVICE="$mode"
# Nothing may lead to the real session's keyring, or to a file backend.
unset GNOME_KEYRING_CONTROL SSH_AUTH_SOCK SECRET_BACKEND DISPLAY WAYLAND_DISPLAY

dbus-run-session --config-file="$root/bus.conf" -- "$0" --inside-bus "$@"
