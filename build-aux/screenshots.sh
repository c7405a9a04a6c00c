#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: build-aux/screenshots.sh [BUILDDIR]
#
# Renders the preferences window under Xvfb, in English and in Simplified
# Chinese, into data/screenshots/:
#   preferences-feeds{,-zh_CN}.png    three feeds: connected (the demo server),
#                                     reconnecting (a closed port), failed (an
#                                     https server whose certificate is
#                                     self-signed: `openssl s_server`)
#   feed-editor{,-zh_CN}.png          the connected feed's editor after Test Connection
#   feed-editor-content{,-zh_CN}.png  its Content page: the Mastodon preset, previewing
#                                     a sample notification
#   preferences-general{,-zh_CN}.png  the General page
#   messages{,-zh_CN}.png             the Messages page: the demo's messages, the
#                                     newest "Disk space low" selected
#   notification-image{,-zh_CN}.png   an ntfy message with a picture, as dunst
#                                     draws it
#   notification-actions{,-zh_CN}.png one with action buttons, in dunst's context
#                                     menu (dmenu)
#   action-confirm{,-zh_CN}.png       what pressing one to another server asks
#
# FEEDBELL_SCREENSHOTS="windows notifications" (the default) says which to
# take: "windows" for the first five, "notifications" for the last three.
#
# Each language runs the real app on a private X server and session bus with
# a throwaway profile (HOME, XDG directories and keyfile GSettings in a
# temporary directory, so nothing the bus activates touches the real ones).
# The window is driven through the actions it exports on the bus (gdbus) and
# the keyboard (xdotool); each window is grabbed on its own (import).
#
# Needs: xvfb-run, dbus-run-session, gdbus, xdotool, ImageMagick, openssl, python3,
# localedef (a zh_CN.UTF-8 locale is compiled into the temporary directory
# when the system has none), fonts-noto-cjk and fonts-noto-color-emoji; for
# the notifications, dunst and dmenu (suckless-tools).

set -eu
[ -z "${FB_SCREENSHOTS_TRACE:-}" ] || set -x

srcdir=$(cd "$(dirname "$0")/.." && pwd)

if [ "${FB_SCREENSHOTS_STAGE:-}" != inside ]; then
  builddir=$(cd "${1:-$srcdir/build}" && pwd)
  for tool in xvfb-run dbus-run-session gdbus xdotool import convert openssl python3 localedef; do
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
tls_pid=
app_pid=
cleanup () {
  [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  [ -z "$tls_pid" ] || kill "$tls_pid" 2>/dev/null || true
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

# --- The windows -----------------------------------------------------------

window_shots () {
  "$FB_BUILDDIR/tests/demo/feedbell-demo-server" --port 0 --interval 1 >"$tmp/server.url" &
  server_pid=$!
  for _ in $(seq 50); do
    [ -s "$tmp/server.url" ] && break
    sleep 0.1
  done
  demo_url=$(head -n 1 "$tmp/server.url")
  # A port nobody listens on: bound, then let go.
  closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # An https server whose certificate is self-signed, the failure a new user
  # meets most: the handshake is all the app gets to.
  tls_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj "/CN=deploys.example" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$tmp/self.key" -out "$tmp/self.crt" 2>/dev/null
  openssl s_server -quiet -www -accept "127.0.0.1:$tls_port" -cert "$tmp/self.crt" -key "$tmp/self.key" \
    </dev/null >/dev/null 2>&1 &
  tls_pid=$!

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
  "$feedbell" --add-feed "https://127.0.0.1:$tls_port/deploys/sse" --name "$3"
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
}

# --- Notifications, as dunst draws them ----------------------------------------
#   notification-image{,-zh_CN}.png    an ntfy message with a picture attached
#   notification-actions{,-zh_CN}.png  one with action buttons, dunst's context
#                                      menu (dmenu) open on them
#   action-confirm{,-zh_CN}.png        the question an http button to another
#                                      server asks first
# A fresh profile with one ntfy feed, served by a small loopback server below
# that sends each message when the file send-N appears. Needs dunst, and
# dmenu (suckless-tools) for the context menu.
notification_shots () {
  if ! command -v dunst >/dev/null 2>&1 || ! command -v dmenu >/dev/null 2>&1; then
    echo "screenshots.sh: no dunst or dmenu: no notification screenshots" >&2
    return 0
  fi

  show=$tmp/notifications
  mkdir -p "$show/config" "$show/data" "$show/state" "$show/cache"
  export XDG_CONFIG_HOME="$show/config" XDG_DATA_HOME="$show/data" \
         XDG_STATE_HOME="$show/state" XDG_CACHE_HOME="$show/cache"

  cat >"$show/dunstrc" <<'DUNSTRC'
[global]
    monitor = 0
    follow = none
    width = 460
    height = 300
    origin = top-right
    offset = 16x16
    font = Noto Sans 11
    markup = full
    format = "<b>%s</b>\n%b"
    icon_position = left
    min_icon_size = 0
    max_icon_size = 128
    padding = 12
    horizontal_padding = 12
    frame_width = 1
    frame_color = "#9a9996"
    separator_color = frame
    corner_radius = 6
    show_indicators = yes
    idle_threshold = 0
    dmenu = /usr/bin/dmenu -b -l 5 -fn "Noto Sans-12" -p dunst
    browser = /bin/false
[urgency_low]
    background = "#fafafa"
    foreground = "#3d3846"
    timeout = 0
[urgency_normal]
    background = "#fafafa"
    foreground = "#241f31"
    timeout = 0
[urgency_critical]
    background = "#fafafa"
    foreground = "#241f31"
    frame_color = "#c01c28"
    timeout = 0
DUNSTRC
  dunst -config "$show/dunstrc" >"$show/dunst.log" 2>&1 &
  dunst_pid=$!
  gdbus wait --session --timeout 30 org.freedesktop.Notifications
  cleanup () {
    [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
    [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
    kill "$dunst_pid" 2>/dev/null || true
  }

  # A picture to attach: a small bar chart.
  convert -size 320x200 xc:'#ffffff' -fill '#3584e4' \
    -draw 'rectangle 20,120 70,190' -draw 'rectangle 90,90 140,190' \
    -draw 'rectangle 160,60 210,190' -draw 'rectangle 230,30 280,190' \
    -fill '#c0bfbc' -draw 'rectangle 10,190 310,192' "$show/chart.png"

  if [ "$FB_LANG" = en ]; then
    set -- "Traffic report" "Visitors this week, up 12% on the last." "Deploy waiting for approval" \
           "Version 2.5 passed staging." "Approve" "Reject" "Open pipeline"
  else
    set -- "流量报告" "本周访客比上周增加 12%。" "部署等待批准" "2.5 版已通过预发布测试。" \
           "批准" "拒绝" "打开流水线"
  fi
  python3 - "$show" "$@" >"$show/server.url" 2>"$show/server.log" <<'PYTHON' &
import http.server, json, os, sys, threading, time

show, image_title, image_body, deploy_title, deploy_body, approve, reject, pipeline = sys.argv[1:9]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/chart.png":
            data = open(os.path.join(show, "chart.png"), "rb").read()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        base = "http://%s:%d" % self.server.server_address
        events = [
            {"id": "s1", "time": int(time.time()), "event": "message", "topic": "ops",
             "title": image_title, "message": image_body, "tags": ["chart_with_upwards_trend"],
             "attachment": {"name": "traffic.png", "type": "image/png", "url": base + "/chart.png"}},
            {"id": "s2", "time": int(time.time()), "event": "message", "topic": "ops",
             "title": deploy_title, "message": deploy_body, "priority": 4, "tags": ["rocket"],
             "actions": [
                 {"action": "http", "label": approve, "url": "https://ci.example.org/deploys/25/approve"},
                 {"action": "http", "label": reject, "url": "https://ci.example.org/deploys/25/reject"},
                 {"action": "view", "label": pipeline, "url": "https://ci.example.org/pipelines/25"}]},
        ]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent = 0
        while True:
            if sent < len(events) and os.path.exists(os.path.join(show, "send-%d" % (sent + 1))):
                text = "data: %s\n\n" % json.dumps(events[sent], ensure_ascii=False)
                sent += 1
            else:
                text = ": keepalive\n\n"
                time.sleep(0.1)
            try:
                self.wfile.write(text.encode())
                self.wfile.flush()
            except OSError:
                return

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("http://127.0.0.1:%d/ops/sse" % server.server_address[1], flush=True)
server.serve_forever()
PYTHON
  server_pid=$!
  for _ in $(seq 50); do
    [ -s "$show/server.url" ] && break
    sleep 0.1
  done

  "$feedbell" --background &
  app_pid=$!
  gdbus wait --session --timeout 30 io.github.feedbell.Feedbell
  "$feedbell" --add-feed "$(head -n 1 "$show/server.url")" --name Ops
  wait_for_states open

  dunst_window () {
    for _ in $(seq 50); do
      window=$(xdotool search --onlyvisible --class Dunst 2>/dev/null | tail -n 1 || true)
      if [ -n "$window" ]; then
        echo "$window"
        return 0
      fi
      sleep 0.1
    done
    echo "screenshots.sh: dunst shows nothing" >&2
    return 1
  }

  # The picture comes after the notification, and updates it.
  touch "$show/send-1"
  sleep 2
  grab "$(dunst_window)" "$outdir/notification-image$suffix.png"
  dunstctl close-all

  # The buttons, in dunst's context menu (dmenu, at the bottom of the
  # screen): the popup above, the menu below.
  touch "$show/send-2"
  dunst_window >/dev/null
  sleep 0.7
  dunstctl context &
  sleep 1.5
  import -window root "$tmp/grab.png"
  convert "$tmp/grab.png" \( -clone 0 -crop 1280x150+0+0 \) \( -clone 0 -gravity south -crop 1280x136+0+0 \) \
    -delete 0 +repage -background '#000000' -append -strip -define png:compression-level=9 \
    "$outdir/notification-actions$suffix.png"
  echo "screenshots.sh: wrote $outdir/notification-actions$suffix.png"

  # Pressing one (its line ends in "[ID,http-0]"): ci.example.org is not the
  # feed's server, so the app asks.
  visible_windows >"$tmp/before"
  xdotool type --clearmodifiers "http-0"
  xdotool key --clearmodifiers Return
  dialog=$(wait_for_new_window)
  grab "$dialog" "$outdir/action-confirm$suffix.png"
  xdotool windowfocus --sync "$dialog" key --clearmodifiers Escape

  app_call "$app_path" Activate quit "[]"
  wait "$app_pid" || true
  app_pid=
}

case " ${FEEDBELL_SCREENSHOTS:-windows notifications} " in *" windows "*) window_shots ;; esac
case " ${FEEDBELL_SCREENSHOTS:-windows notifications} " in *" notifications "*) notification_shots ;; esac
