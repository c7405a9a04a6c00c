#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a translatable string in the sources (po/POTFILES.in) has no
# finished translation in po/LANG.po: the strings are extracted afresh with
# the same xgettext arguments as meson's i18n.gettext(preset: 'glib'), merged
# into a copy of the .po, and any untranslated or fuzzy message is listed.
# Fix with po/update-zh_CN.sh, then translate what it reports.
#
# usage: tests/check-translations.sh [LANG]      (default: zh_CN)

set -eu

srcroot=$(cd "$(dirname "$0")/.." && pwd)
lang=${1:-zh_CN}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$srcroot/po/extract-pot.sh" "$tmp/feedbell.pot"
msgmerge --quiet --previous -o "$tmp/$lang.po" "$srcroot/po/$lang.po" "$tmp/feedbell.pot"

msgattrib --untranslated --no-obsolete -o "$tmp/untranslated.po" "$tmp/$lang.po"
msgattrib --only-fuzzy --no-obsolete -o "$tmp/fuzzy.po" "$tmp/$lang.po"

count () {
  if [ -s "$1" ]; then grep -c '^msgid ' "$1"; else echo 0; fi
}
untranslated=$(count "$tmp/untranslated.po")
fuzzy=$(count "$tmp/fuzzy.po")
total=$(grep -c '^msgid ' "$tmp/feedbell.pot")

echo "po/$lang.po: $((total - 1)) messages in the sources, $untranslated untranslated, $fuzzy fuzzy"
if [ "$untranslated" -ne 0 ] || [ "$fuzzy" -ne 0 ]; then
  echo "Run po/update-zh_CN.sh and translate these:"
  cat "$tmp/untranslated.po" "$tmp/fuzzy.po"
  exit 1
fi
