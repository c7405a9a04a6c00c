#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: check-installed.sh SOURCE_ROOT WORK_DIR ICON_LOOKUP
#
# Installs Feedbell as a package would and runs the installed programs with
# none of the overrides an uninstalled run needs (FEEDBELL_LOCALEDIR,
# FEEDBELL_ICON_DIR, GSETTINGS_SCHEMA_DIR): what a build-tree run hides,
# an install_data() line missing or a path compiled in wrong, shows here.
#
# 1. A build of SOURCE_ROOT of its own, with the prefix P=WORK_DIR/root/usr
#    (a light one: plain, no tests). It stays in WORK_DIR/build, so that a
#    second run only rebuilds what changed.
# 2. `meson install --destdir`, a packager's staging step, then the staged
#    tree copied into P, the package's install. Meson skips the schema, icon
#    cache and desktop database triggers under DESTDIR (gnome.post_install:
#    skip_if_destdir); those it says it skipped run here, as a distribution's
#    triggers would.
# 3. The checks, in TAP: the schema is found without --schemadir, both
#    programs speak zh_CN, and in a desktop of its own (installed-session.sh,
#    under run-in-session.sh) the status icons are found by name, the
#    desktop file's Exec starts the installed app, and the autostart entry it
#    writes starts it again. P/share comes first in XDG_DATA_DIRS, as
#    /usr/local installs rely on.
#
# The build's log, the staged tree and each app's log stay in WORK_DIR.

set -u

src=${1:?}
work=${2:?}
lookup=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
build=$work/build
P=$work/root/usr
stage=$work/stage
logs=$work/logs
tap=$work/tap
home=$work/home

# Nothing of an uninstalled run may help the installed one.
unset FEEDBELL_LOCALEDIR FEEDBELL_ICON_DIR GSETTINGS_SCHEMA_DIR FEEDBELL_AUTOSTART_EXEC
unset LANGUAGE LC_ALL LC_MESSAGES MALLOC_PERTURB_
export LANG=C.UTF-8

rm -rf "$work/root" "$stage" "$logs" "$home" "$tap"
mkdir -p "$logs"
: > "$tap"

ok() { echo "ok - $*" | tee -a "$tap"; }
not_ok() { echo "not ok - $*" | tee -a "$tap"; }
check() {
  # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
  what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
bail() {
  echo "Bail out! $1"
  [ -f "${2:-}" ] && sed 's/^/# /' "$2"
  exit 1
}

# 1. Configure once, build what changed. Niced: the other suites run beside
# it, and theirs are the deadlines that matter.
start=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" --prefix="$P" --buildtype=plain -Dtests=false \
    >"$logs/setup.log" 2>&1 || bail "meson setup failed" "$logs/setup.log"
fi
nice -n 10 ninja -C "$build" >"$logs/build.log" 2>&1 || bail "the build failed" "$logs/build.log"

# 2. Stage, copy into P, run the triggers meson skipped.
meson install -C "$build" --no-rebuild --destdir "$stage" >"$logs/install.log" 2>&1 ||
  bail "meson install failed" "$logs/install.log"
grep '^Skipping custom install script' "$logs/install.log" | sed 's/^/# /'
outside=$(cd "$stage" && find . ! -type d ! -path "./${P#/}/*")
if [ -z "$outside" ]; then
  ok "everything installs under the prefix"
else
  not_ok "everything installs under the prefix"
  printf '%s\n' "$outside" | sed 's/^/#   outside: /'
fi
mkdir -p "$P"
cp -a "$stage$P/." "$P/"
echo "# installed in $(($(date +%s) - start)) s"

skipped() { grep -q "^Skipping custom install script .*$1" "$logs/install.log"; }
schemas=$P/share/glib-2.0/schemas
if skipped glib-compile-schemas; then
  glib-compile-schemas "$schemas"
fi
if skipped gtk-update-icon-cache; then
  gtk-update-icon-cache -q -t -f "$P/share/icons/hicolor"
fi
if skipped update-desktop-database; then
  update-desktop-database -q "$P/share/applications"
fi

# 3. The schema, looked up as the app does: from XDG_DATA_DIRS, here P's
# alone, so that a system-wide copy cannot answer for it.
check "the settings schema is compiled in $schemas" test -f "$schemas/gschemas.compiled"
finds_schema() {
  XDG_DATA_DIRS="$P/share" GSETTINGS_BACKEND=memory \
    gsettings list-keys io.github.feedbell.Feedbell >"$logs/gsettings.txt" 2>&1
}
check "gsettings finds the schema with no --schemadir" finds_schema

# Translations: the zh_CN help holds the translation of every one of our
# strings the English help shows (po/zh_CN.po gives the pairs). GLib's own
# lines ("Help Options") are translated by GLib: they prove nothing.
pairs=$work/pairs.tsv
msgattrib --no-fuzzy --no-obsolete --no-wrap --no-location "$src/po/zh_CN.po" |
  awk '/^msgid "/ { id = substr($0, 8, length($0) - 8); next }
       /^msgstr "/ { str = substr($0, 9, length($0) - 9)
                     if (length(id) >= 12 && id !~ /\\/ && str != "") print id "\t" str
                     id = "" }' >"$pairs"
speaks_zh_CN() {
  "$1" --help >"$logs/help-en.txt" 2>&1
  LANGUAGE=zh_CN "$1" --help >"$logs/help-zh_CN.txt" 2>&1
  awk -F '\t' 'FILENAME == ARGV[1] { en = en $0 "\n"; next }
               FILENAME == ARGV[2] { zh = zh $0 "\n"; next }
               index(en, $1) { n++; if (!index(zh, $2)) { print "#   untranslated: " $1; bad++ } }
               END { print "#   " n + 0 " of our strings in its help"; exit (n < 3 || bad > 0) }' \
    "$logs/help-en.txt" "$logs/help-zh_CN.txt" "$pairs"
}
for program in feedbell-listen feedbell; do
  check "LANGUAGE=zh_CN $program --help is in Chinese" speaks_zh_CN "$P/bin/$program"
done

# In a desktop of its own: an accessibility bus if it can be had, for the
# autostart switch. run-in-session.sh needs these.
missing=
for tool in xvfb-run Xvfb xauth dbus-run-session dunst gdbus gio; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  ok "the installed app in a desktop # SKIP not installed:$missing"
else
  "$here/../desktop/run-in-session.sh" --try-a11y \
    "$here/installed-session.sh" "$src" "$P" "$work" "$lookup" | tee -a "$tap"
fi

n=$(grep -c '^\(not \)\{0,1\}ok' "$tap")
echo "1..$n"
echo "# took $(($(date +%s) - start)) s; logs in $logs"
