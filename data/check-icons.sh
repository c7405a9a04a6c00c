#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the icons in data/icons: each is named after the app id (Flatpak
# exports no other icon to the host, where the tray is drawn), lies in a
# directory that hicolor's index.theme lists (or GTK and the tray hosts never
# find it), and the symbolic ones can be recoloured.
#
# GTK draws a -symbolic SVG under a style sheet that sets the fill of every
# path, rect and circle (GTK 3.24 also ellipse and polygon) to the text
# colour, and the fill of the classes warning, error and success to theirs.
# Strokes, other elements and embedded images keep the colour they were
# drawn in, and so does the whole icon in a tray host that loads it as a
# plain image. So a symbolic icon is fills of path, rect or circle in
# #bebebe, the grey GTK falls back to for symbolic icons, which stays
# visible on a dark panel and on a light one; a dark fill such as Adwaita's
# #2e3436 all but disappears on a dark panel.
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
  colours=$(grep -o -i -e '#[0-9a-f]\{3,8\}\b' -e 'rgba\?(' -e 'fill="[^#"][^"]*"' "$file" \
    | sort -u | tr '\n' ' ')
  if [ "$colours" != "#bebebe " ]; then
    echo "FAIL: $name: colours $colours(only fill=\"#bebebe\")"
    status=1
  fi
  elements=$(grep -o '<[a-zA-Z][a-zA-Z0-9:]*' "$file" | sort -u | tr -d '<' | tr '\n' ' ')
  for element in $elements; do
    case $element in
      svg | g | path | rect | circle) ;;
      *)
        echo "FAIL: $name: <$element> is not recoloured by every GTK (path, rect and circle are)"
        status=1
        ;;
    esac
  done
  classes=$(grep -o 'class="[^"]*"' "$file" | grep -v -x -e 'class="warning"' -e 'class="error"' \
    -e 'class="success"' | sort -u | tr '\n' ' ')
  if [ -n "$classes" ]; then
    echo "FAIL: $name: $classes(only warning, error and success have colours)"
    status=1
  fi
  if grep -q -e 'stroke' -e 'style=' -e 'Gradient' -e 'inkscape' -e 'sodipodi' -e 'href' "$file"; then
    echo "FAIL: $name: strokes, inline styles, gradients, linked images or editor metadata"
    status=1
  fi
done

[ "$status" -eq 0 ] && echo "icons OK"
exit "$status"
