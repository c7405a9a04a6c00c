#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Renders the tray menu and a notification to data/screenshots/tray.png under
# Xvfb: a real panel with a StatusNotifierItem host (xfce4-panel's systray,
# which hosts StatusNotifierItems), dunst, the demo feed and Feedbell with a
# profile of its own. Needs xfce4-panel, xfconf, dunst, xdotool, imagemagick
# (not needed by the build or the tests, so setup.sh does not install them).
#
#   build-aux/screenshot-tray.sh [BUILDDIR]
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=$(cd "${1:-$srcdir/build}" && pwd)

if [ "${FB_TRAY_STAGE:-}" != inside ]; then
  for tool in xvfb-run dbus-run-session xfce4-panel dunst xdotool import convert; do
    command -v "$tool" >/dev/null || { echo "screenshot-tray.sh: $tool is needed" >&2; exit 1; }
  done
  ninja -C "$builddir" >/dev/null
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-tray.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  export FB_TRAY_STAGE=inside FB_TMP=$tmp FB_BUILDDIR=$builddir
  xvfb-run -a -s "-screen 0 1024x520x24" dbus-run-session -- "$0"
  exit 0
fi

tmp=$FB_TMP
b=$FB_BUILDDIR
mkdir -p "$tmp"/{config,data,state,cache}
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data
export XDG_STATE_HOME=$tmp/state XDG_CACHE_HOME=$tmp/cache
export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR=$b/data
export FEEDBELL_ICON_DIR=$srcdir/data/icons NO_AT_BRIDGE=1 LANG=C.UTF-8

# Notifications at the bottom right, out of the menu's way.
cat >"$tmp/dunstrc" <<'CONF'
[global]
origin = bottom-right
offset = 12x12
width = 360
font = Sans 10
frame_width = 1
CONF

pids=()
cleanup () { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

xfce4-panel >/dev/null 2>&1 & pids+=($!)
dunst -config "$tmp/dunstrc" >/dev/null 2>&1 & pids+=($!)
"$b/tests/demo/feedbell-demo-server" --port 0 --interval 3 >"$tmp/url" & pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/url" ] && break; sleep 0.1; done

# The panel's StatusNotifierWatcher first, so the item is shown as one.
gdbus wait --session --timeout 30 org.kde.StatusNotifierWatcher
"$b/app/ui/feedbell" --add-feed "$(head -n 1 "$tmp/url")" --name "Builds" >/dev/null 2>&1 & pids+=($!)
gdbus wait --session --timeout 30 io.github.feedbell.Feedbell
"$b/app/ui/feedbell" --add-feed "http://127.0.0.1:9/events" --name "Alerts"

# The panel's tray shows the item; wait for a notification, then open the menu.
for _ in $(seq 100); do
  "$b/app/ui/feedbell" --status | grep -q '"state":"open"' && break
  sleep 0.1
done
sleep 5
icon_x=$(( $(xdotool getdisplaygeometry | cut -d' ' -f1) - 128 ))
xdotool mousemove "$icon_x" 13 click 1
sleep 1
import -window root "$tmp/root.png"
convert "$tmp/root.png" -crop 620x520+404+0 +repage -strip "$srcdir/data/screenshots/tray.png"
echo "screenshot-tray.sh: wrote data/screenshots/tray.png"

gdbus call --session --dest io.github.feedbell.Feedbell --object-path /io/github/feedbell/Feedbell \
  --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
