/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FbSniWatcher:
 * A minimal org.kde.StatusNotifierWatcher (what a desktop's tray provides):
 * owns the name, says a host is registered, and remembers the items that
 * register, as bus name + object path.
 */
typedef struct _FbSniWatcher FbSniWatcher;

/* Starts owning the name on @bus; wait for fb_sni_watcher_is_owner(). */
FbSniWatcher *fb_sni_watcher_new            (GDBusConnection *bus);
void          fb_sni_watcher_free           (FbSniWatcher    *self);
gboolean      fb_sni_watcher_is_owner       (FbSniWatcher    *self);
/* Whether a registered item is still on the bus. */
gboolean      fb_sni_watcher_has_item       (FbSniWatcher    *self);
guint         fb_sni_watcher_get_n_registrations (FbSniWatcher *self);
const char   *fb_sni_watcher_get_item_name  (FbSniWatcher    *self);
const char   *fb_sni_watcher_get_item_path  (FbSniWatcher    *self);

/* org.kde.StatusNotifierItem properties of the registered item. */
char         *fb_sni_watcher_dup_item_string (FbSniWatcher   *self,
                                              const char     *property,
                                              GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbSniWatcher, fb_sni_watcher_free)

G_END_DECLS
