#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when an executable holds a path into the source tree. An installed
# app finds its icons, schema and translations where they are installed;
# a path to the checkout it was built from means nothing on a user's
# machine, and an uninstalled run gets its directories from the environment
# (FEEDBELL_ICON_DIR and the others that `meson devenv` sets).
#
# usage: tests/check-no-source-paths.sh SOURCE_ROOT EXECUTABLE...

set -eu

if ! command -v strings >/dev/null 2>&1; then
  echo "strings (binutils) is not installed"
  exit 77
fi

root=$1
shift
status=0

# SOURCE_ROOT/ as an extended regular expression, matched only where an
# absolute path starts: the trailing slash keeps a sibling directory
# (SOURCE_ROOT-build) apart, and ../../SOURCE_ROOT/app/… is how a build
# directory outside the checkout names the sources it compiled, in the
# debug information and in g_return_if_fail()'s messages, not a directory
# the program opens.
pattern=$(printf '%s/' "$root" | sed 's/[][\.*^$+?(){}|]/\\&/g')

for exe in "$@"; do
  found=$(strings -a "$exe" | grep -E "(^|[^[:alnum:]._/-])$pattern" | sort -u || true)
  if [ -n "$found" ]; then
    echo "FAIL: ${exe##*/} holds paths into the source tree:"
    printf '%s\n' "$found" | sed 's/^/  /'
    status=1
  else
    echo "ok: ${exe##*/} holds no path into $root"
  fi
done

exit "$status"
