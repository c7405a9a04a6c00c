#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the icons in data/icons: each lies in a directory that hicolor's
# index.theme lists (or GTK and the tray hosts never find it), and the
# symbolic ones are single-colour fills (#2e3436, the colour GTK replaces):
# no strokes, gradients, other colours or editor metadata.
#
# usage: data/check-icons.sh [HICOLOR_INDEX]   (default: the system's)

set -eu

icons=$(cd "$(dirname "$0")/icons/hicolor" && pwd)
index=${1:-/usr/share/icons/hicolor/index.theme}
status=0

if [ -r "$index" ]; then
  dirs=$(sed -n 's/^Directories=//p' "$index" | tr ',' '\n')
  for file in "$icons"/*/*/*.svg; do
    dir=${file#"$icons"/}
    dir=${dir%/*}
    if ! printf '%s\n' "$dirs" | grep -qx "$dir"; then
      echo "FAIL: $dir/${file##*/}: $index does not list $dir"
      status=1
    fi
  done
else
  echo "SKIP: no $index to check the directories against"
fi

for file in "$icons"/*/*/*-symbolic.svg; do
  name=${file#"$icons"/}
  colours=$(grep -o '#[0-9a-fA-F]\{3,6\}' "$file" | sort -u | tr '\n' ' ')
  if [ "$colours" != "#2e3436 " ]; then
    echo "FAIL: $name: colours $colours(only #2e3436 is recoloured)"
    status=1
  fi
  if grep -q -e 'stroke' -e 'Gradient' -e 'inkscape' -e 'sodipodi' -e '<image' "$file"; then
    echo "FAIL: $name: strokes, gradients, images or editor metadata"
    status=1
  fi
done

[ "$status" -eq 0 ] && echo "icons OK"
exit "$status"
