#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-aux/screenshots.sh [BUILDDIR]
#
# Renders the preferences window under Xvfb, in English and in Simplified
# Chinese, into data/screenshots/:
#   preferences-feeds{,-zh_CN}.png    three feeds: connected (the demo server),
#                                     reconnecting (a closed port), failed (a 404)
#   feed-editor{,-zh_CN}.png          the connected feed's editor after Test Connection
#   feed-editor-content{,-zh_CN}.png  its Content page: the Mastodon preset, previewing
#                                     a sample notification
#   preferences-general{,-zh_CN}.png  the General page
#   messages{,-zh_CN}.png             the Messages page: the demo's messages, the
#                                     newest "Disk space low" selected
#
# Each language runs the real app on a private X server and session bus with
# a throwaway profile (HOME, XDG directories and keyfile GSettings in a
# temporary directory, so nothing the bus activates touches the real ones).
# The window is driven through the actions it exports on the bus (gdbus) and
# the keyboard (xdotool); each window is grabbed on its own (import).
#
# Needs: xvfb-run, dbus-run-session, gdbus, xdotool, ImageMagick, python3,
# localedef (a zh_CN.UTF-8 locale is compiled into the temporary directory
# when the system has none), fonts-noto-cjk and fonts-noto-color-emoji.

set -eu
[ -z "${FB_SCREENSHOTS_TRACE:-}" ] || set -x

srcdir=$(cd "$(dirname "$0")/.." && pwd)

if [ "${FB_SCREENSHOTS_STAGE:-}" != inside ]; then
  builddir=$(cd "${1:-$srcdir/build}" && pwd)
  for tool in xvfb-run dbus-run-session gdbus xdotool import convert python3 localedef; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "screenshots.sh: $tool is needed" >&2
      exit 1
    fi
  done
  ninja -C "$builddir" >/dev/null

  tmp=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-screenshots.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT INT TERM

  # Translations load from LOCALEDIR, where they are installed; an app that
  # cannot be pointed at the build tree's runs from a private install.
  bindir=$builddir/app/ui
  localedir=$builddir/po
  if ! grep -q FEEDBELL_LOCALEDIR "$srcdir/app/ui/main.c"; then
    echo "screenshots.sh: installing a private copy for its translations" >&2
    meson setup "$tmp/build" "$srcdir" --prefix "$tmp/prefix" >/dev/null
    meson install -C "$tmp/build" >/dev/null
    bindir=$tmp/prefix/bin
    localedir=$tmp/prefix/share/locale
  fi

  locpath=
  if ! locale -a 2>/dev/null | grep -qix 'zh_CN.utf-\?8'; then
    mkdir -p "$tmp/locale"
    localedef -i zh_CN -f UTF-8 "$tmp/locale/zh_CN.UTF-8" >/dev/null 2>&1 || true
    locpath=$tmp/locale
  fi

  mkdir -p "$srcdir/data/screenshots"
  for lang in en zh_CN; do
    profile=$tmp/$lang
    mkdir -p "$profile/home" "$profile/config" "$profile/data" "$profile/state" \
             "$profile/cache" "$profile/runtime"
    chmod 700 "$profile/runtime"
    (
      unset LC_ALL LC_MESSAGES LANGUAGE LOCPATH
      if [ "$lang" = en ]; then
        export LANG=C.UTF-8
      else
        export LANG=zh_CN.UTF-8 LANGUAGE=zh_CN
        [ -z "$locpath" ] || export LOCPATH="$locpath"
      fi
      export HOME="$profile/home" XDG_CONFIG_HOME="$profile/config" \
             XDG_DATA_HOME="$profile/data" XDG_STATE_HOME="$profile/state" \
             XDG_CACHE_HOME="$profile/cache" XDG_RUNTIME_DIR="$profile/runtime"
      export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR="$builddir/data"
      export FEEDBELL_ICON_DIR="$srcdir/data/icons" FEEDBELL_LOCALEDIR="$localedir"
      export NO_AT_BRIDGE=1 GTK_THEME=Adwaita GDK_BACKEND=x11
      export FB_SCREENSHOTS_STAGE=inside FB_LANG=$lang FB_TMP=$profile \
             FB_BUILDDIR=$builddir FB_BINDIR=$bindir
      xvfb-run -a -s "-screen 0 1280x1200x24" dbus-run-session -- "$0"
    )
  done
  exit 0
fi

# --- Inside: one language, on its own X server and session bus -------------

tmp=$FB_TMP
feedbell=$FB_BINDIR/feedbell
outdir=$srcdir/data/screenshots
app_path=/io/github/feedbell/Feedbell
suffix=
[ "$FB_LANG" = en ] || suffix=-$FB_LANG

server_pid=
app_pid=
cleanup () {
  [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

app_call () {
  gdbus call --session --dest io.github.feedbell.Feedbell --object-path "$1" \
    --method "org.gtk.Actions.$2" "$3" "$4" "{}" >/dev/null
}

# Waits until `feedbell --status` shows every state given (e.g. open failed).
wait_for_states () {
  status=
  for _ in $(seq 150); do
    status=$("$feedbell" --status 2>/dev/null || true)
    missing=0
    for state in "$@"; do
      echo "$status" | grep -q "\"state\":\"$state\"" || missing=1
    done
    [ $missing = 1 ] || return 0
    sleep 0.2
  done
  echo "screenshots.sh: the feeds did not reach $*:" >&2
  echo "$status" >&2
  return 1
}

# Waits until the first feed has at least $1 unread messages.
wait_for_unread () {
  for _ in $(seq 150); do
    unread=$("$feedbell" --status 2>/dev/null | head -n 1 | sed -n 's/.*"unread":\([0-9]*\).*/\1/p')
    [ "${unread:-0}" -lt "$1" ] || return 0
    sleep 0.2
  done
  echo "screenshots.sh: fewer than $1 messages arrived" >&2
  return 1
}

feed_id () {
  "$feedbell" --status | grep "\"name\":\"$1\"" | sed 's/.*"id":"\([^"]*\)".*/\1/'
}

visible_windows () {
  xdotool search --onlyvisible --classname feedbell 2>/dev/null | sort || true
}

# Prints the id of the window that appears after the list in $tmp/before.
wait_for_new_window () {
  for _ in $(seq 100); do
    new=$(visible_windows | comm -13 "$tmp/before" - | tail -n 1)
    if [ -n "$new" ]; then
      echo "$new"
      return 0
    fi
    sleep 0.1
  done
  echo "screenshots.sh: no new window appeared" >&2
  return 1
}

grab () {
  sleep 0.7
  import -window "$1" "$tmp/grab.png"
  convert "$tmp/grab.png" -strip -define png:compression-level=9 "$2"
  echo "screenshots.sh: wrote $2 ($(wc -c <"$2") bytes)"
}

"$FB_BUILDDIR/tests/demo/feedbell-demo-server" --port 0 --interval 1 >"$tmp/server.url" &
server_pid=$!
for _ in $(seq 50); do
  [ -s "$tmp/server.url" ] && break
  sleep 0.1
done
demo_url=$(head -n 1 "$tmp/server.url")
# A port nobody listens on: bound, then let go.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if [ "$FB_LANG" = en ]; then
  set -- "Build server" "Home Assistant" "Deploys"
else
  set -- "构建服务器" "家庭助理" "部署通知"
fi

"$feedbell" --background &
app_pid=$!
gdbus wait --session --timeout 30 io.github.feedbell.Feedbell

"$feedbell" --add-feed "$demo_url" --name "$1"
"$feedbell" --add-feed "http://127.0.0.1:$closed_port/events" --name "$2"
"$feedbell" --add-feed "${demo_url%/events}/deploys/sse" --name "$3"
wait_for_states open waiting-retry failed

visible_windows >"$tmp/before"
app_call "$app_path" Activate preferences "[]"
window=$(wait_for_new_window)
window_path=$app_path/window/1
xdotool mousemove 1279 799
grab "$window" "$outdir/preferences-feeds$suffix.png"

app_call "$window_path" SetState page "<'general'>"
grab "$window" "$outdir/preferences-general$suffix.png"

# The Messages page, with the newest "Disk space low" selected (its id from
# `feedbell --history`).
wait_for_unread 6
app_call "$window_path" SetState page "<'messages'>"
disk=$("$feedbell" --history --search disk --limit 1 --json 2>/dev/null |
  sed -n 's/^{"id":\([0-9]*\),.*/\1/p' | head -n 1)
[ -z "$disk" ] || app_call "$app_path" Activate show-message "[<int64 $disk>]"
grab "$window" "$outdir/messages$suffix.png"
app_call "$window_path" SetState page "<'feeds'>"

visible_windows >"$tmp/before"
app_call "$window_path" Activate edit-feed "[<'$(feed_id "$1")'>]"
editor=$(wait_for_new_window)
# Test Connection (Alt+O), then give it its 3 s of listening.
xdotool windowfocus --sync "$editor" key --clearmodifiers alt+o
sleep 4
grab "$editor" "$outdir/feed-editor$suffix.png"

# The Content page (Ctrl+Page Down) with the Mastodon preset: Format (Alt+F)
# is the fourth item. The demo server's events are ntfy's, which Mastodon's
# templates do not fit: the preview reads a sample notification instead,
# typed into "Paste a sample event" (Alt+M, which focuses its data; then
# Alt+Y for its event type).
sample='{"id":"1","type":"mention","account":{"username":"ana","display_name":"Ana","avatar":"https://social.example/ana.png"},"status":{"content":"<p>Lunch at noon?</p>","url":"https://social.example/@ana/1"}}'
xdotool windowfocus --sync "$editor" key --clearmodifiers ctrl+Next
sleep 0.3
xdotool key --clearmodifiers alt+f Home Down Down Down
sleep 0.3
xdotool key --clearmodifiers alt+m
sleep 0.3
xdotool type --clearmodifiers --delay 10 "$sample"
xdotool key --clearmodifiers alt+y
xdotool type --clearmodifiers --delay 10 notification
grab "$editor" "$outdir/feed-editor-content$suffix.png"

app_call "$app_path" Activate quit "[]"
wait "$app_pid" || true
app_pid=
