#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: run-in-session.sh [--keyring] [--a11y | --try-a11y] PROGRAM [ARGUMENT…]
#
# Runs a test program (with its arguments) in a desktop of its own: a virtual
# X display (xvfb-run -a picks a free one, retrying if another run takes it)
# and a private session bus that ends with it. Without the tools the whole
# program is skipped, in TAP.
#
# --keyring: the bus is run-with-keyring.sh's instead, which activates
#   nothing and has a Secret Service of its own (a throwaway gnome-keyring,
#   unlocked, in a temporary HOME); see that script.
# --a11y: an accessibility bus (at-spi-bus-launcher) is up before the
#   program starts, so that apps run without NO_AT_BRIDGE register their
#   widgets with it and AT-SPI clients can drive them.
# --try-a11y: the same when the accessibility bus can be had; without it the
#   program runs all the same (its tests that drive widgets skip themselves:
#   nobody owns org.a11y.Bus).

set -u

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
launcher=/usr/libexec/at-spi-bus-launcher

if [ "${1:-}" = --inside ]; then
  # Last stage, on the session bus: the accessibility bus, then the program.
  a11y=$2
  shift 2
  # run-with-keyring.sh hides the display from what it runs: this one is ours.
  if [ -n "${FB_TEST_DISPLAY:-}" ]; then
    export DISPLAY="$FB_TEST_DISPLAY"
  fi
  unset FB_TEST_DISPLAY
  if [ "$a11y" = no ]; then
    exec "$@"
  fi

  log=$(mktemp "${TMPDIR:-/tmp}/feedbell-a11y.XXXXXX") || exit 1
  # Its settings are nobody's: no dconf on a bus that activates nothing.
  GSETTINGS_BACKEND=memory "$launcher" --launch-immediately --a11y=1 >"$log" 2>&1 &
  bus_launcher=$!
  # Waits for the launcher's bus name, not for a fixed time.
  if ! gdbus wait --session --timeout 30 org.a11y.Bus; then
    echo "Bail out! at-spi-bus-launcher did not appear on the bus"
    sed 's/^/# /' "$log"
    kill "$bus_launcher" 2>/dev/null
    rm -f "$log"
    exit 1
  fi

  "$@"
  status=$?
  kill "$bus_launcher" 2>/dev/null
  wait "$bus_launcher"
  rm -f "$log"
  exit $status
fi

keyring=no
a11y=no
while :; do
  case "${1:-}" in
    --keyring) keyring=yes; shift ;;
    --a11y) a11y=yes; shift ;;
    --try-a11y) a11y=try; shift ;;
    *) break ;;
  esac
done

tools="xvfb-run Xvfb xauth dbus-run-session dunst"
if [ "$a11y" = try ]; then
  a11y=no
  if command -v gdbus >/dev/null 2>&1 && [ -x "$launcher" ]; then
    a11y=yes
  fi
elif [ "$a11y" = yes ]; then
  tools="$tools gdbus $launcher"
fi
for tool in $tools; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

# Our own X authority file: xvfb-run's cleanup of its temporary directory can
# fail under load and turn a passing run into exit status 5.
authdir=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-xauth.XXXXXX") || exit 1
trap 'rm -rf "$authdir"' EXIT
: > "$authdir/Xauthority"

# -noreset: the server stays as it is when the last client goes (between two
# tests), instead of resetting and signalling xvfb-run again.
xvfb_args="-screen 0 1280x800x24 -nolisten tcp -noreset"

if [ "$keyring" = no ] && [ "$a11y" = no ]; then
  xvfb-run -a -f "$authdir/Xauthority" -s "$xvfb_args" \
    dbus-run-session -- "$@"
elif [ "$keyring" = no ]; then
  xvfb-run -a -f "$authdir/Xauthority" -s "$xvfb_args" \
    dbus-run-session -- "$self" --inside "$a11y" "$@"
else
  # run-with-keyring.sh makes the bus (and skips when its tools are missing).
  # shellcheck disable=SC2016 # $DISPLAY is the one xvfb-run sets
  xvfb-run -a -f "$authdir/Xauthority" -s "$xvfb_args" \
    sh -c 'FB_TEST_DISPLAY=$DISPLAY exec "$@"' sh \
    "$here/../run-with-keyring.sh" "$self" --inside "$a11y" "$@"
fi
