#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: installed-session.sh SOURCE_ROOT PREFIX WORK_DIR ICON_LOOKUP
#
# check-installed.sh's checks that need a desktop, run in one by
# run-in-session.sh: TAP lines without a plan (the caller counts them).
#
# - The status icons fb-indicator*.c names, and the desktop file's Icon, are
#   found by name in the icon theme, in PREFIX.
# - The installed desktop file, launched as a desktop launches it (gio
#   launch: its Exec, field codes dropped, `feedbell` looked up in PATH),
#   starts PREFIX/bin/feedbell, which owns its bus name and answers
#   `feedbell --status`: it found its schema.
# - Its autostart switch (General page, over AT-SPI) writes an entry whose
#   Exec names PREFIX/bin/feedbell, by path or through PATH; launched, that
#   entry starts the installed app again. Skipped without an accessibility
#   bus or pyatspi.

set -u

src=${1:?}
P=${2:?}
work=${3:?}
lookup=${4:?}
home=$work/home
logs=$work/logs
app_id=io.github.feedbell.Feedbell
object_path=/io/github/feedbell/Feedbell
desktop_file=$P/share/applications/$app_id.desktop
autostart_file=$home/config/autostart/$app_id.desktop
python=${FEEDBELL_PYTHON:-/usr/bin/python3}
driver=$src/tests/desktop/fb-atspi-driver.py
app_pid=

mkdir -p "$home/config" "$home/data" "$home/state" "$home/cache"
export XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" \
       XDG_STATE_HOME="$home/state" XDG_CACHE_HOME="$home/cache"
export XDG_DATA_DIRS="$P/share:/usr/share" PATH="$P/bin:$PATH"
export GSETTINGS_BACKEND=keyfile
# The widgets are driven over AT-SPI: the bridge must load.
unset NO_AT_BRIDGE
installed=$(readlink -f "$P/bin/feedbell")

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
note() { echo "$*" | sed 's/^/# /'; }

trap '[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null' EXIT

# Icons -------------------------------------------------------------------

names=$(grep -ho "\"$app_id-[a-z-]*-symbolic\"" "$src"/app/ui/fb-indicator*.c | tr -d '"' | sort -u)
names="$names $(sed -n 's/^Icon=//p' "$desktop_file")"
if [ "$(echo "$names" | wc -w)" -lt 6 ]; then
  not_ok "the status icons' names are in app/ui/fb-indicator*.c (found:$names): update this test"
fi
# shellcheck disable=SC2086 # one argument per name
"$lookup" $names >"$logs/icons.txt" 2>&1
while read -r name file; do
  case $file in
    "$P"/share/icons/*) ok "icon $name found by name (${file#"$P"/})" ;;
    *) not_ok "icon $name found by name in $P/share/icons (found: $file)" ;;
  esac
done <"$logs/icons.txt"

# The app ----------------------------------------------------------------

# The pid of the process that owns the app's bus name, once it does.
bus_owner() {
  gdbus wait --session --timeout 30 $app_id || return 1
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetConnectionUnixProcessID $app_id |
    sed -n 's/^(uint32 \([0-9]*\),)$/\1/p'
}

# launch DESKTOP_FILE LOG: as a desktop would, then checks who answers.
launch() {
  what=$(sed -n 's/^Exec=//p' "$1")
  note "Exec=$what"
  # gio returns once it has started the program, which keeps our log.
  if ! gio launch "$1" >>"$2" 2>&1 || ! app_pid=$(bus_owner) || [ -z "$app_pid" ]; then
    not_ok "$3 starts the app (it never owned $app_id)"
    sed 's/^/#   /' "$2"
    return 1
  fi
  exe=$(readlink -f "/proc/$app_pid/exe")
  if [ "$exe" = "$installed" ]; then
    ok "$3 starts the installed app ($exe)"
  else
    not_ok "$3 starts the installed app $installed (it started $exe)"
  fi
  if feedbell --status >"$logs/status.txt" 2>&1; then
    ok "the app $3 started answers feedbell --status (it found its schema)"
  else
    not_ok "the app $3 started answers feedbell --status"
    sed 's/^/#   /' "$logs/status.txt" "$2"
    return 1
  fi
}

quit_app() {
  gdbus call --session --dest $app_id --object-path $object_path \
    --method org.gtk.Actions.Activate quit "[]" "{}" >/dev/null
  for _ in $(seq 300); do
    kill -0 "$app_pid" 2>/dev/null || { app_pid=; return 0; }
    sleep 0.1
  done
  not_ok "the app quits when asked"
  return 1
}

launch "$desktop_file" "$logs/feedbell-1.log" "the desktop file's Exec" || exit 0

# Autostart ----------------------------------------------------------------

if ! gdbus introspect --session --dest org.a11y.Bus --object-path /org/a11y/bus >/dev/null 2>&1 ||
   ! "$python" -c 'import pyatspi' 2>/dev/null; then
  ok "the autostart entry starts the installed app # SKIP no accessibility bus, or no pyatspi for $python"
  quit_app
  exit 0
fi

label="Start Feedbell when I log in"
"$python" "$driver" feedbell >"$logs/driver.txt" 2>&1 <<EOF
{"op": "click", "window_role": "frame", "target": {"role": "radio button", "name": "General"}}
{"op": "fit", "window_role": "frame", "target": {"label": "$label"}}
{"op": "toggle", "window_role": "frame", "target": {"label": "$label"}}
EOF
if [ "$(grep -c '^{"ok": true' "$logs/driver.txt")" != 3 ]; then
  not_ok "the autostart switch can be turned on"
  sed 's/^/#   /' "$logs/driver.txt"
  quit_app
  exit 0
fi
for _ in $(seq 300); do
  [ -f "$autostart_file" ] && break
  sleep 0.1
done
if [ ! -f "$autostart_file" ]; then
  not_ok "the autostart switch writes $autostart_file"
  quit_app
  exit 0
fi
quit_app || exit 0

# Its Exec's program: the installed binary, named by path or found in PATH.
program=$(sed -n 's/^Exec=//p' "$autostart_file" | sed 's/^"\([^"]*\)".*/\1/; s/ .*//')
case $program in
  /*) resolved=$(readlink -f "$program"); how="by path" ;;
  *) resolved=$(readlink -f "$(command -v "$program")"); how="through PATH" ;;
esac
if [ "$resolved" = "$installed" ]; then
  ok "the autostart entry names the installed app ($program, $how)"
else
  not_ok "the autostart entry names the installed app $installed ($program is $resolved)"
fi
launch "$autostart_file" "$logs/feedbell-2.log" "the autostart entry" && quit_app
exit 0
