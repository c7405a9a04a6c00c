#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the libFuzzer targets with clang, ASan and UBSan in a build directory of
# their own and runs each for FUZZ_SECONDS (default 60) on a copy of its seed corpus.
#
#   FUZZ_SECONDS=300 tests/fuzz/run-fuzzers.sh
#   FUZZ_BUILDDIR=/tmp/fb-fuzz tests/fuzz/run-fuzzers.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=${FUZZ_BUILDDIR:-$srcdir/build-fuzz}
seconds=${FUZZ_SECONDS:-60}

# name of the fuzzer:seed corpus directory
fuzzers="fuzz-sse-parser:sse fuzz-message:message fuzz-template:template fuzz-json-select:json-select
  fuzz-markdown:markdown"

if [ ! -f "$builddir/build.ninja" ]; then
  # -fsanitize=fuzzer-no-link gives the core library coverage feedback too.
  CC=clang CFLAGS="${CFLAGS:-} -fsanitize=fuzzer-no-link" \
    meson setup "$builddir" "$srcdir" \
      -Dfuzzing=true -Dapp=false \
      -Db_sanitize=address,undefined -Db_lundef=false \
      -Dbuildtype=debugoptimized
fi

targets=""
for entry in $fuzzers; do
  targets="$targets tests/fuzz/${entry%%:*}"
done
# shellcheck disable=SC2086 # one word per target
ninja -C "$builddir" $targets

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

status=0
for entry in $fuzzers; do
  name=${entry%%:*}
  seeds="$here/corpus/${entry#*:}"
  work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
  log="$work.log"
  cp "$seeds"/* "$work"/

  echo "== $name: $seconds s on a copy of $seeds ($work)"
  if "$builddir/tests/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="$work-" "$work" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "$name: ${runs:-?} executions in $seconds s, corpus $(ls "$work" | wc -l) files"
    rm -rf "$work" "$log"
  else
    status=1
    tail -n 60 "$log"
    echo "$name: FAILED; log $log, crash input(s): $(ls "$work"-* 2>/dev/null || echo none)"
  fi
done

exit $status
