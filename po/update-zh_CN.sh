#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Regenerates po/feedbell.pot from the files in po/POTFILES.in and merges it
# into po/zh_CN.po. New strings come out untranslated (or fuzzy, when they
# resemble an old one); translate them, remove the fuzzy marks, then check:
#   meson test -C build --suite data
#
# usage: po/update-zh_CN.sh

set -eu

podir=$(cd "$(dirname "$0")" && pwd)

"$podir/extract-pot.sh" "$podir/feedbell.pot"
msgmerge --quiet --update --backup=none --previous "$podir/zh_CN.po" "$podir/feedbell.pot"
msgfmt --check --statistics -o /dev/null "$podir/zh_CN.po"
