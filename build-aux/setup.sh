#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sets up everything Feedbell needs on Debian 12 and then builds, tests or
# runs it. Safe to run again: packages are only installed when missing.
#
#   build-aux/setup.sh demo    install, build, start the demo feed and launch Feedbell
#                              on it with a profile of its own (feedbell-listen when
#                              there is no display)
#   build-aux/setup.sh test    install, build with -Dwerror=true, run every suite,
#                              then the unit and net suites again under ASan+UBSan,
#                              then each fuzzer for a minute
#   build-aux/setup.sh deps    only install the Debian packages
#   build-aux/setup.sh build   install and build
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
builddir=${FEEDBELL_BUILDDIR:-$top/build}
asandir=${FEEDBELL_ASAN_BUILDDIR:-$top/build-asan}

packages=(
  # build
  gcc libc6-dev meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libsoup-3.0-dev libjson-glib-dev
  libgtk-3-dev libnotify-dev libayatana-appindicator3-dev libsecret-1-dev
  # the message history (SQLite with FTS5)
  libsqlite3-dev
  # ntfy's Markdown messages (app/core/fb-markdown.c)
  libmd4c-dev
  # data checks
  desktop-file-utils appstream
  # the TLS tests make their certificates when they run (tests/fb-test-tls.c)
  openssl
  # running the desktop app and its tests: X server, session bus, tray,
  # notification daemon, keyring, screenshots
  xvfb xauth x11-utils dbus dbus-x11 at-spi2-core dunst gnome-keyring imagemagick
  hicolor-icon-theme adwaita-icon-theme
  # driving the preferences window over AT-SPI (tests/desktop/fb-atspi-driver.py)
  python3-pyatspi
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "setup.sh: need root to install packages, and sudo is not installed" >&2
    exit 1
  fi
}

install_deps() {
  local missing=()
  local p
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  echo "setup.sh: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

configure() {
  local dir=$1 log
  shift
  log=$(mktemp)
  # Quiet when it works, the whole story when it does not.
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
  else
    meson setup "$dir" "$top" "$@" >"$log" 2>&1 || { cat "$log"; rm -f "$log"; return 1; }
  fi
  rm -f "$log"
}

build() {
  configure "$builddir" -Dwerror=true
  ninja -C "$builddir"
}

run_tests() {
  build
  meson test -C "$builddir" --print-errorlogs --num-processes 2

  configure "$asandir" -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false
  ninja -C "$asandir"
  # Leaks are checked too; the slow unwinder gives LeakSanitizer whole stacks
  # through GLib, so the one known GLib leak can be suppressed by name. It
  # makes every allocation slow: the fault-injection tests get more time.
  # intercept_tls_get_addr=0: GCC 12's LeakSanitizer crashes at exit on the
  # thread-local storage of a module GIO loads (the GnuTLS backend, in the
  # https tests) unless it leaves __tls_get_addr alone.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0 \
  LSAN_OPTIONS=suppressions="$top/tests/lsan.supp" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C "$asandir" --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
      --suite unit --suite net

  # The parser and message fuzzers, a minute each, under ASan+UBSan (clang).
  FUZZ_SECONDS=60 FUZZ_BUILDDIR="$top/build-fuzz" "$top/tests/fuzz/run-fuzzers.sh"
}

start_demo_server() {
  # A fixed port, so the demo profile's feed stays the same feed across runs.
  local url_file=$1
  "$builddir/tests/demo/feedbell-demo-server" --port "${FEEDBELL_DEMO_PORT:-8787}" --interval 3 >"$url_file" &
  demo_pid=$!
  for _ in $(seq 50); do
    [ -s "$url_file" ] && break
    kill -0 "$demo_pid" 2>/dev/null || { echo "setup.sh: the demo server did not start" >&2; exit 1; }
    sleep 0.1
  done
  demo_url=$(head -n 1 "$url_file")
}

run_demo() {
  build
  local url_file app_pid
  url_file=$(mktemp)
  start_demo_server "$url_file"
  trap 'kill $demo_pid ${app_pid:-} 2>/dev/null; rm -f "$url_file"' EXIT

  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "setup.sh: no display here, so listening with feedbell-listen instead of the app." >&2
    echo "setup.sh: demo feed at $demo_url — an event every 3 s; Ctrl+C stops" >&2
    "$builddir/app/cli/feedbell-listen" --verbose "$demo_url"
    return
  fi

  # An isolated profile in the build tree: the demo never touches your own settings.
  local profile="$builddir/demo-profile"
  mkdir -p "$profile"/{config,data,state,cache}
  export XDG_CONFIG_HOME="$profile/config" XDG_DATA_HOME="$profile/data"
  export XDG_STATE_HOME="$profile/state" XDG_CACHE_HOME="$profile/cache"
  export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR="$builddir/data"
  export FEEDBELL_ICON_DIR="$top/data/icons"

  echo "setup.sh: Feedbell is subscribed to the demo feed at $demo_url;" \
       "quit it from its tray menu or window (Ctrl+Q)" >&2
  "$builddir/app/ui/feedbell" --add-feed "$demo_url" --name "Demo feed" &
  app_pid=$!
  for _ in $(seq 100); do
    "$builddir/app/ui/feedbell" --status >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$builddir/app/ui/feedbell"
  wait "$app_pid"
}

case "${1:-}" in
  deps) install_deps ;;
  build) install_deps; build ;;
  test) install_deps; run_tests ;;
  demo) install_deps; run_demo ;;
  *) echo "usage: $0 demo|test|deps|build" >&2; exit 2 ;;
esac
