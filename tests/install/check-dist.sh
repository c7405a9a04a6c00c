#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: check-dist.sh SOURCE_ROOT [WORK_DIR]
#
# The release tarball builds and passes the unit and net suites: `meson
# dist` packs the last commit (HEAD: uncommitted work is not in it), the
# tarball is unpacked and built from scratch, with the default options, and
# tested. A file the build or the tests need but git does not track, or a
# test that reads outside the tree, fails here. Several minutes on two cores:
# the `dist` suite, which the default `meson test` leaves out.
#
# WORK_DIR (a new temporary directory by default) keeps the tarball, the
# build and its logs.

set -eu

src=$1
work=${2:-$(mktemp -d "${TMPDIR:-/tmp}/feedbell-dist.XXXXXX")}
start=$(date +%s)

if ! git -C "$src" rev-parse --verify -q HEAD >/dev/null; then
  echo "$src is not a git checkout with a commit: meson dist needs one"
  exit 77
fi
rm -rf "$work/pack" "$work/unpack" "$work/build"
mkdir -p "$work/unpack"
unset MALLOC_PERTURB_

step() { echo "== $1 ($(($(date +%s) - start)) s)"; }

# A build directory only for `meson dist`; --no-tests: the test comes after,
# on the unpacked tarball, as a user builds it.
step "meson dist of $(git -C "$src" rev-parse --short HEAD)"
meson setup "$work/pack" "$src" --buildtype=plain -Dtests=false >"$work/pack.log" 2>&1 ||
  { cat "$work/pack.log"; exit 1; }
meson dist -C "$work/pack" --no-tests --allow-dirty --formats xztar
tarball=$(ls "$work/pack/meson-dist/"*.tar.xz)

step "unpack $(basename "$tarball")"
tar -xJf "$tarball" -C "$work/unpack"
tree=$(ls -d "$work/unpack/"*/)

step "build"
meson setup "$work/build" "$tree" >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
ninja -C "$work/build" >"$work/build.log" 2>&1 || { tail -n 50 "$work/build.log"; exit 1; }

step "test: unit and net"
meson test -C "$work/build" --print-errorlogs --num-processes 2 --suite unit --suite net
step "done"
