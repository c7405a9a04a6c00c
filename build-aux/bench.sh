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
#   FB_BENCH_NODE_SECONDS    time limit of each Node reader    (default 5)
#   FB_BENCH_HISTORY_MESSAGES  messages in the history benchmark (default 100000)
#   FB_BENCH_HISTORY_FLOOD   messages in its one-burst flood   (default 10000)
#   FB_BENCH_MESSAGES        messages behind the Messages view (default 100000)
#   FB_BENCH_LATENCY_SECONDS, FB_BENCH_STARTUP_RUNS, FB_BENCH_BURST_EVENTS, FB_BENCH_MESSAGES_RUNS
#   FB_BENCH_ONLY            run only these parts, e.g. "throughput" or "throughput,parser"
#                            (throughput parser cli notification history app; default all)
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

node_seconds=${FB_BENCH_NODE_SECONDS:-5}

started=$(date +%s)
say() { printf 'bench: %s\n' "$*" >&2; }
want() { [ -z "${FB_BENCH_ONLY:-}" ] || [[ " ${FB_BENCH_ONLY//,/ } " == *" $1 "* ]]; }

# --- build -------------------------------------------------------------------
if [ ! -f "$builddir/build.ninja" ]; then
  say "configuring $builddir (buildtype=release)"
  meson setup "$builddir" "$top" --buildtype=release >/dev/null
fi
targets=(
  app/cli/feedbell-listen
  tests/bench/fb-bench-emitter tests/bench/fb-bench-raw-reader tests/bench/fb-bench-soup-reader
)
want throughput && targets+=(tests/bench/fb-bench-throughput)
want parser && targets+=(tests/bench/fb-bench-parser)
want cli && targets+=(tests/bench/fb-bench-cli)
want notification && targets+=(tests/bench/fb-bench-notification)
have_app=no
if { want history || want app; } &&
   ninja -C "$builddir" -t targets all 2>/dev/null | grep -q '^tests/bench/fb-bench-desktop:'; then
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

# --- the Node peers, into the build tree only ---------------------------------
# Each pinned to a major: the current releases of the most used client and of
# the parser it is built on. 5.x is installed under an alias beside 4.x.
node_dir=$builddir/bench-node
node_modules=$node_dir/node_modules
node_packages=(
  # directory under node_modules, npm spec, major
  "eventsource eventsource@4 4"
  "eventsource5 eventsource5@npm:eventsource@5 5"
  "eventsource-parser eventsource-parser@4 4"
)
package_version() {
  [ -f "$node_modules/$1/package.json" ] || return 0
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$node_modules/$1/package.json" | head -n 1
}
node_version=absent
if want throughput && command -v node >/dev/null 2>&1; then
  node_version=$(node --version)
  specs=()
  stale=no
  for package in "${node_packages[@]}"; do
    read -r dir spec major <<<"$package"
    specs+=("$spec")
    version=$(package_version "$dir")
    [ "${version%%.*}" = "$major" ] || stale=yes
  done
  if [ "$stale" = yes ] && command -v npm >/dev/null 2>&1; then
    say "installing ${specs[*]} into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund "${specs[@]}" >>"$log" 2>&1 ||
      say "npm install failed: the Node readers are left out"
  fi
fi
eventsource_version=$(package_version eventsource)
eventsource5_version=$(package_version eventsource5)
parser_version=$(package_version eventsource-parser)

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

# The row of one Node peer after fb-bench-throughput's rows of the same size,
# with Feedbell's ratios against it taken from those rows. Timed as that
# program times its readers: by the emitter, from accepting the connection to
# the reader closing it after the last event; or, for a reader stopped at
# FB_BENCH_NODE_SECONDS, by its own count and clock.
peer_row='
function field(text, key,   m) {
  if (!match(text, "(^| )" key "=[0-9]+"))
    return -1
  m = substr(text, RSTART, RLENGTH)
  sub(/.*=/, "", m)
  return m + 0
}
BEGIN { FS = "|" }
$2 == " " bench " " && match($3, /^ \([0-9]\) /) { rate[substr($3, 3, 1)] = $4 * 1e6 }
END {
  if (result ~ /partial=1/) {
    got = field(result, "events"); ns = field(result, "ns")
    if (got > 0 && ns > 0) {
      r = got / (ns / 1e9)
      value = sprintf("%.3f M ev/s · %.1f MB/s (time limit: %d events read)", r / 1e6, r * size / 1e6, got)
    }
  } else {
    start = field(done_line, "start_ns"); end = field(done_line, "end_ns")
    if (result != "" && field(done_line, "events") == n && end > start) {
      r = n / ((end - start) / 1e9)
      value = sprintf("%.2f M ev/s · %.0f MB/s", r / 1e6, r * size / 1e6)
    }
  }
  if (value == "") {
    printf "| %s | %s | failed, see the log | | | **failed** |\n", bench, name
    exit
  }
  if (rate[1] > 0) ratio = sprintf("%.2f × (1)", r / rate[1])
  if (rate[3] > 0) ratio = ratio sprintf(" · **(3) = %.2f × this**", rate[3] / r)
  if (rate[4] > 0) ratio = ratio sprintf(" · (4) = %.2f × this", rate[4] / r)
  printf "| %s | %s | %s | %s | | |\n", bench, name, value, ratio
}'

#   node_peer SIZE N NAME PACKAGE SCRIPT ARG...  (an ARG "URL" stands for the stream)
node_peer() {
  local size=$1 n=$2 name=$3 package=$4 benchmark out emitter_pid port result='' done_line arg
  local argv=()
  shift 4
  benchmark="Throughput, $([ "$size" -ge 1024 ] && echo '1 KiB' || echo '64 B') events"
  if [ "$node_version" = absent ] || [ ! -f "$node_modules/$package/package.json" ]; then
    say "$benchmark: $name: node or $package is missing, not run"
    printf '| %s | %s | not run (node or %s missing) | | | |\n' "$benchmark" "$name" "$package" >>"$rows"
    return 0
  fi
  say "$benchmark: $name"
  printf '\n### %s, %s B: node %s\n' "$name" "$size" "$*" >>"$log"
  out=$(mktemp "${TMPDIR:-/tmp}/feedbell-bench-peer.XXXXXX")
  "$bench/fb-bench-emitter" --size "$size" --events "$n" --connections 1 \
    --lifetime $((node_seconds + 120)) >"$out" 2>>"$log" &
  emitter_pid=$!
  for _ in $(seq 100); do
    grep -q '^ready' "$out" && break
    sleep 0.1
  done
  port=$(awk '$1 == "port" && $2 == 0 { print $3 }' "$out")
  if [ -n "$port" ]; then
    for arg in "$@"; do
      [ "$arg" = URL ] && arg=http://127.0.0.1:$port/events
      argv+=("$arg")
    done
    result=$(timeout $((node_seconds + 60)) node "${argv[@]}" 2>>"$log") || result=''
  fi
  # The emitter logs "done" once the reader has closed, then exits by itself.
  for _ in $(seq 300); do
    grep -q '^done 0 ' "$out" && break
    kill -0 "$emitter_pid" 2>/dev/null || break
    sleep 0.1
  done
  done_line=$(grep -m 1 '^done 0 ' "$out" || true)
  kill "$emitter_pid" 2>/dev/null || true
  wait "$emitter_pid" 2>/dev/null || true
  rm -f "$out"
  printf 'reader: %s\nemitter: %s\n' "${result:-failed}" "${done_line:-none}" >>"$log"
  awk -v bench="$benchmark" -v name="$name" -v size="$size" -v n="$n" \
    -v result="$result" -v done_line="$done_line" "$peer_row" "$rows" >"$rows.peer"
  cat "$rows.peer" >>"$rows"
  rm -f "$rows.peer"
}

throughput() {
  local size=$1 n=$2
  local es_js=$top/tests/bench/eventsource-reader.js
  local parser_js=$top/tests/bench/eventsource-parser-reader.js

  # (5), npm eventsource 4.x, is fb-bench-throughput's own Node reader.
  run "throughput, $3" "$bench/fb-bench-throughput" --size "$size" --events "$n" --node-modules "$node_modules"
  node_peer "$size" "$n" "(6) npm eventsource ${eventsource5_version:-5} (Node)" eventsource5 \
    "$es_js" "$node_modules" URL "$n" "$node_seconds" eventsource5
  node_peer "$size" "$n" "(7) npm eventsource-parser ${parser_version:-4}: fetch, body reader, createParser (Node)" \
    eventsource-parser "$parser_js" feed "$node_modules" URL "$n" "$node_seconds"
  node_peer "$size" "$n" "(8) npm eventsource-parser ${parser_version:-4}: fetch body through EventSourceParserStream (Node)" \
    eventsource-parser "$parser_js" stream "$node_modules" URL "$n" "$node_seconds"
}

if want throughput; then
  throughput 64 "$events_64" "64 B"
  throughput 1024 "$events_1k" "1 KiB"
fi
if want parser; then
  run "parser, 64 B" "$bench/fb-bench-parser" --size 64
  run "parser, 1 KiB" "$bench/fb-bench-parser" --size 1024
fi
if want cli; then
  run "feedbell-listen latency and memory" "$bench/fb-bench-cli" latency memory
fi
if want notification; then
  run "feedbell-listen --notification, Mastodon" "$bench/fb-bench-notification" --events "$events_notification"
fi

if [ "$have_app" = yes ] && want history; then
  # On the build directory's disk, not a tmpfs: SQLite's fsyncs count.
  run "the message history" "$bench/fb-bench-history" --dir "$builddir" \
    --messages "$history_messages" --flood "$history_flood"
fi

if ! want app; then
  :
elif [ "$have_app" = yes ] && command -v xvfb-run >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1; then
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
Software: GLib $glib, libsoup $soup, Node $node_version, npm eventsource ${eventsource_version:-absent} and ${eventsource5_version:-absent}, eventsource-parser ${parser_version:-absent}; build $builddir ($buildtype).
Took $(( $(date +%s) - started )) s. Per-run details: $log

| Benchmark | Measure | Value | Ratio | Target | Verdict |
|---|---|---|---|---|---|
EOF
# fb-bench-throughput names its Node reader after the package it was written for.
sed "s/| (5) npm eventsource (Node) |/| (5) npm eventsource ${eventsource_version:-?} (Node) |/" "$rows"

cat <<'NOTES'

Notes on method:
- Throughput runs are timed by the emitter, from accepting the connection to the reader closing
  it after the last event (process start-up left out alike for every reader). (1) and (2) are
  bounded by the emitter and the kernel's loopback copy on these 2 CPUs: libsoup's 64 KiB body
  reads keep up with the raw socket here, so "× (2)" is close to "× the wire".
- (5)–(8) are the current Node peers, each pinned to a major and installed in the build
  directory: (5) and (6) the `eventsource` client (Node's fetch, a body reader, TextDecoder and
  eventsource-parser, one MessageEvent dispatched per event), (7) eventsource-parser alone on a
  fetch body reader (what a Node program reading the stream itself gets at best), (8) the same
  through its TransformStream. Feedbell's ratios to each are on the peer's row ("(3) = k × this").
  Each runs under a time limit (FB_BENCH_NODE_SECONDS); a peer stopped by it is rated by its
  own count and clock. (6) to (8) get an emitter of their own, started by this script.
  npm eventsource 2.x, compared against before, rescans each chunk from its start for every
  line and reads a few thousand events/s at any size: next to it every client looked fast.
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
