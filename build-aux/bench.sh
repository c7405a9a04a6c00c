#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Feedbell's benchmarks (tests/bench/), all on loopback: builds them in a
# release build directory of their own, runs every one and prints one
# markdown table with every figure, its ratios and the targets it is held to.
# Details (per-run lines, per-thread counts) go to a log in the build dir.
#
#   build-aux/bench.sh
#
# Environment:
#   FEEDBELL_BENCH_BUILDDIR  build directory (default: build-bench, release;
#                            an existing one, e.g. build, is used as it is)
#   FB_BENCH_IDLE_SECONDS    idle window (default 120: two minutes of real idling)
#   FB_BENCH_IDLE_SETTLE_SECONDS  wait before the idle window opens (default 20)
#   FB_BENCH_EVENTS_64       events per throughput run, 64 B   (default 16000000)
#   FB_BENCH_EVENTS_1K       events per throughput run, 1 KiB  (default 2000000)
#   FB_BENCH_EVENTS_NOTIFICATION  events per --notification run, 2 KiB Mastodon (default 300000)
#   FB_BENCH_NODE_SECONDS    time limit of the Node reader     (default 5)
#   FB_BENCH_HISTORY_MESSAGES  messages in the history benchmark (default 100000)
#   FB_BENCH_HISTORY_FLOOD   messages in its one-burst flood   (default 10000)
#   FB_BENCH_MESSAGES        messages behind the Messages view (default 100000)
#   FB_BENCH_LATENCY_SECONDS, FB_BENCH_STARTUP_RUNS, FB_BENCH_BURST_EVENTS, FB_BENCH_MESSAGES_RUNS
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(dirname "$here")
builddir=${FEEDBELL_BENCH_BUILDDIR:-$top/build-bench}
events_64=${FB_BENCH_EVENTS_64:-16000000}
events_1k=${FB_BENCH_EVENTS_1K:-2000000}
events_notification=${FB_BENCH_EVENTS_NOTIFICATION:-300000}
history_messages=${FB_BENCH_HISTORY_MESSAGES:-100000}
history_flood=${FB_BENCH_HISTORY_FLOOD:-10000}
export FB_BENCH_IDLE_SECONDS=${FB_BENCH_IDLE_SECONDS:-120}

started=$(date +%s)
say() { printf 'bench: %s\n' "$*" >&2; }

# --- build -------------------------------------------------------------------
if [ ! -f "$builddir/build.ninja" ]; then
  say "configuring $builddir (buildtype=release)"
  meson setup "$builddir" "$top" --buildtype=release >/dev/null
fi
targets=(
  app/cli/feedbell-listen
  tests/bench/fb-bench-emitter tests/bench/fb-bench-raw-reader tests/bench/fb-bench-soup-reader
  tests/bench/fb-bench-throughput tests/bench/fb-bench-parser tests/bench/fb-bench-cli
  tests/bench/fb-bench-notification
)
have_app=no
if ninja -C "$builddir" -t targets all 2>/dev/null | grep -q '^tests/bench/fb-bench-desktop:'; then
  have_app=yes
  targets+=(app/ui/feedbell tests/bench/fb-bench-desktop tests/bench/fb-bench-history
            tests/bench/fb-bench-messages-view data/gschemas.compiled)
fi
say "building in $builddir"
ninja -C "$builddir" "${targets[@]}" >/dev/null

bench=$builddir/tests/bench
log=$builddir/bench-log.txt
rows=$builddir/bench-rows.md
: > "$log"
: > "$rows"

# --- npm eventsource, into the build tree only -------------------------------
node_modules=$builddir/bench-node/node_modules
node_version=absent
if command -v node >/dev/null 2>&1; then
  node_version=$(node --version)
  if [ ! -d "$node_modules/eventsource" ] && command -v npm >/dev/null 2>&1; then
    say "installing eventsource@2 into $builddir/bench-node"
    npm install --prefix "$builddir/bench-node" --no-audit --no-fund eventsource@2 >>"$log" 2>&1 ||
      say "npm install failed: the Node reader is left out"
  fi
fi
eventsource_version=absent
if [ -f "$node_modules/eventsource/package.json" ]; then
  eventsource_version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$node_modules/eventsource/package.json")
fi

# --- run -----------------------------------------------------------------------
run() {
  local what=$1
  shift
  say "$what"
  printf '\n### %s: %s\n' "$what" "$*" >>"$log"
  if ! timeout 900 "$@" >>"$rows" 2>>"$log"; then
    say "$what: failed (see $log)"
    printf '| %s | failed, see the log | | | | **failed** |\n' "$what" >>"$rows"
  fi
}

run "throughput, 64 B" "$bench/fb-bench-throughput" --size 64 --events "$events_64" --node-modules "$node_modules"
run "throughput, 1 KiB" "$bench/fb-bench-throughput" --size 1024 --events "$events_1k" --node-modules "$node_modules"
run "parser, 64 B" "$bench/fb-bench-parser" --size 64
run "parser, 1 KiB" "$bench/fb-bench-parser" --size 1024
run "feedbell-listen latency and memory" "$bench/fb-bench-cli" latency memory
run "feedbell-listen --notification, Mastodon" "$bench/fb-bench-notification" --events "$events_notification"

if [ "$have_app" = yes ]; then
  # On the build directory's disk, not a tmpfs: SQLite's fsyncs count.
  run "the message history" "$bench/fb-bench-history" --dir "$builddir" \
    --messages "$history_messages" --flood "$history_flood"
fi

if [ "$have_app" = yes ] && command -v xvfb-run >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1; then
  authdir=$(mktemp -d "${TMPDIR:-/tmp}/feedbell-bench-xauth.XXXXXX")
  trap 'rm -rf "$authdir"' EXIT
  : >"$authdir/Xauthority"
  say "the app (idle window ${FB_BENCH_IDLE_SECONDS} s)"
  run "the app: start-up, latency, memory, idle" \
    xvfb-run -a -f "$authdir/Xauthority" -s "-screen 0 1280x800x24 -nolisten tcp -noreset" \
    dbus-run-session -- "$bench/fb-bench-desktop" startup latency memory idle
  run "the Messages view: open and search" \
    xvfb-run -a -f "$authdir/Xauthority" -s "-screen 0 1280x800x24 -nolisten tcp -noreset" \
    dbus-run-session -- "$bench/fb-bench-messages-view"
else
  say "no app build, xvfb-run or dbus-run-session: the app's figures are left out"
fi

# --- report ----------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
glib=$(pkg-config --modversion glib-2.0 2>/dev/null || echo '?')
soup=$(pkg-config --modversion libsoup-3.0 2>/dev/null || echo '?')
buildtype=$(meson introspect --buildoptions "$builddir" 2>/dev/null |
  python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"))' 2>/dev/null ||
  echo '?')

cat <<EOF

## Feedbell benchmarks

Machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $mem RAM, Linux $(uname -r); load average at the end $(cut -d' ' -f1-3 /proc/loadavg).
Software: GLib $glib, libsoup $soup, Node $node_version, npm eventsource $eventsource_version; build $builddir ($buildtype).
Took $(( $(date +%s) - started )) s. Per-run details: $log

| Benchmark | Measure | Value | Ratio | Target | Verdict |
|---|---|---|---|---|---|
EOF
cat "$rows"

cat <<'NOTES'

Notes on method:
- Throughput runs are timed by the emitter, from accepting the connection to the reader closing
  it after the last event (process start-up left out alike for every reader). (1) and (2) are
  bounded by the emitter and the kernel's loopback copy on these 2 CPUs: libsoup's 64 KiB body
  reads keep up with the raw socket here, so "× (2)" is close to "× the wire".
- (5) npm eventsource 2.0.2 scans each received chunk from its start again for every line
  (`startingPos` is reset to 0 after each line), so a 64 KiB chunk costs chunk²/line-length
  byte steps: it reads a few thousand events/s at any event size. It runs under a time limit
  (FB_BENCH_NODE_SECONDS) and its rate is from its own count and clock.
- Latency floors: the same paced stream relayed to a pipe by a raw socket reader and by a
  libsoup reader using g_input_stream_read_async() (as FbSseConnection does). Wakeup latency
  of an idle vCPU dominates them; a busy machine lowers them.
- App latency: with the default policy one feed at 1,000 events/s folds into a summary updated
  at most once a second (few Notify calls); the second row spreads the same 1,000 events/s over
  20 feeds under a raised threshold so that every event is a Notify call.
- Idle: the window starts 20 s after the feeds connected (FB_BENCH_IDLE_SETTLE_SECONDS), past
  start-up's one-off work. Wakeups are voluntary context switches (each sleep ends in one),
  summed over every thread alive at the end of the window (a thread that exited within it
  counts as one); involuntary switches are preemptions by other load and shown apart. One
  watchdog re-arm a minute per feed is allowed on top of the keep-alives.
- History: the database is made in the build directory with a warm page cache (an app that
  has run before). "Most CPU in one call" is the main thread's own CPU time in its busiest
  append: a longest call far above it on the wall clock is the thread being preempted (by the
  writer thread it just woke, on 2 CPUs), not working. The main-loop figure leaves out the time
  spent in poll().
NOTES
