#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Renders the tray menu and a notification to data/screenshots/tray.png under
# Xvfb: a real panel with a StatusNotifierItem host (xfce4-panel's systray,
# which hosts StatusNotifierItems), dunst, the demo feed and Feedbell with a
# profile of its own. Needs xfce4-panel, xfconf, dunst, xdotool, imagemagick
# (not needed by the build or the tests, so setup.sh does not install them).
#
#   build-aux/screenshot-tray.sh [--light] [--output FILE] [BUILDDIR]
#
# The panel is Adwaita-dark, as in data/screenshots/tray.png; --light draws
# it in Adwaita, to see the symbolic icons recoloured for a light panel too
# (with --output, so that tray.png stays as it is).
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "${FB_TRAY_STAGE:-}" != inside ]; then
  panel_theme=Adwaita:dark
  output=$srcdir/data/screenshots/tray.png
  builddir=$srcdir/build
  while [ $# -gt 0 ]; do
    case $1 in
      --light) panel_theme=Adwaita ;;
      --output) output=${2:?--output needs a file name}; shift ;;
      -*) echo "usage: screenshot-tray.sh [--light] [--output FILE] [BUILDDIR]" >&2; exit 2 ;;
      *) builddir=$1 ;;
    esac
    shift
  done
  builddir=$(cd "$builddir" && pwd)
  output=$(cd "$(dirname "$output")" && pwd)/$(basename "$output")

  for tool in xvfb-run dbus-run-session xfce4-panel dunst xdotool import convert; do
    command -v "$tool" >/dev/null || { echo "screenshot-tray.sh: $tool is needed" >&2; exit 1; }
  done
  ninja -C "$builddir" >/dev/null
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-tray.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  export FB_TRAY_STAGE=inside FB_TMP=$tmp FB_BUILDDIR=$builddir
  export FB_TRAY_THEME=$panel_theme FB_TRAY_OUTPUT=$output
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

# The panel alone gets the theme: it draws the tray, the icon and the menu.
GTK_THEME=$FB_TRAY_THEME xfce4-panel >/dev/null 2>&1 & pids+=($!)
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
convert "$tmp/root.png" -crop 620x520+404+0 +repage -strip "$FB_TRAY_OUTPUT"
echo "screenshot-tray.sh: wrote $FB_TRAY_OUTPUT ($FB_TRAY_THEME panel)"

gdbus call --session --dest io.github.feedbell.Feedbell --object-path /io/github/feedbell/Feedbell \
  --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
