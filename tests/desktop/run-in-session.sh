#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a test program (with its arguments) in a desktop of its own: a virtual
# X display (xvfb-run -a picks a free one, retrying if another run takes it)
# and a private session bus that ends with it. Without the tools the whole
# program is skipped, in TAP.

set -u

for tool in xvfb-run Xvfb xauth dbus-run-session dunst; do
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
xvfb-run -a -f "$authdir/Xauthority" \
  -s "-screen 0 1280x800x24 -nolisten tcp -noreset" \
  dbus-run-session -- "$@"
