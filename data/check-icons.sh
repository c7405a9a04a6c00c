#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the icons in data/icons: each is named after the app id (Flatpak
# exports no other icon to the host, where the tray is drawn), lies in a
# directory that hicolor's index.theme lists (or GTK and the tray hosts never
# find it), and the symbolic ones are single-colour fills (#2e3436, the
# colour GTK replaces): no strokes, gradients, other colours or editor
# metadata.
#
# usage: data/check-icons.sh [HICOLOR_INDEX]   (default: the system's)

set -eu

data=$(cd "$(dirname "$0")" && pwd)
icons=$data/icons/hicolor
index=${1:-/usr/share/icons/hicolor/index.theme}
status=0

# The app id, from the desktop entry's file name.
for entry in "$data"/*.desktop.in; do
  app_id=$(basename "$entry" .desktop.in)
done

for file in "$icons"/*/*/*.svg; do
  case ${file##*/} in
    "$app_id.svg" | "$app_id"-*.svg) ;;
    *)
      echo "FAIL: ${file#"$icons"/}: not named $app_id or $app_id-*"
      status=1
      ;;
  esac
done

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
