/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "fb-dbusmenu.h"
#include "fb-desktop-session.h"
#include "fb-notify-monitor.h"
#include "fb-sni-watcher.h"
#include "fb-widget-driver.h"

G_BEGIN_DECLS

/*
 * What the fixtures of the desktop tests share: how a test gets its
 * session and dunst, and how it all ends. Each test keeps its own fixture
 * struct; these work on its fields.
 */

/* A fresh session; with @with_a11y, one whose apps put their widgets on
 * the accessibility bus. NULL, and the test skipped, when this machine
 * cannot give one (with @with_a11y: no pyatspi or no accessibility bus). */
FbDesktopSession *fb_desktop_fixture_new_session       (gboolean           with_a11y);
/* Starts dunst in @session and a monitor of the Notify calls made to it;
 * in @body_markup, whether dunst reads markup in a body. */
FbNotifyMonitor  *fb_desktop_fixture_start_dunst       (FbDesktopSession  *session,
                                                        gboolean          *body_markup);
/* An FbTestCondition: whether @watcher, an FbSniWatcher, owns its name. */
gboolean          fb_desktop_fixture_watcher_owns_name (gpointer           watcher);
/* Sets @key of @group (a settings path without its slashes at either end,
 * as GSettings' keyfile backend names groups) to @value, which it sinks. */
void              fb_desktop_fixture_set_setting       (GKeyFile          *keyfile,
                                                        const char        *group,
                                                        const char        *key,
                                                        GVariant          *value);
/* The settings of one feed, @id, the only one subscribed; the group of
 * its own keys is returned (free it), for more of them. */
char             *fb_desktop_fixture_set_feed          (GKeyFile          *keyfile,
                                                        const char        *id,
                                                        const char        *url,
                                                        const char        *name);
/* Writes @keyfile where the session's apps read their settings from (the
 * keyfile backend), for an app started afterwards. */
void              fb_desktop_fixture_save_settings     (FbDesktopSession  *session,
                                                        GKeyFile          *keyfile);
/* The tray's menu, as a host reads it over dbusmenu; NULL while the app
 * has no item or no menu yet. */
FbMenuItem       *fb_desktop_fixture_get_menu          (FbDesktopSession  *session,
                                                        FbSniWatcher      *watcher);
/* Runs `feedbell --status` in @session and returns the one line (a JSON
 * object, as every line must be) whose string @member is @value; the test
 * fails when there is none or more than one. */
JsonObject       *fb_desktop_fixture_status_of         (FbDesktopSession  *session,
                                                        const char        *member,
                                                        const char        *value,
                                                        guint              timeout_ms);
/* Ends and clears @driver, @app and @session, in that order; any may be
 * NULL. */
void              fb_desktop_fixture_end               (FbWidgetDriver   **driver,
                                                        GSubprocess      **app,
                                                        FbDesktopSession **session);

G_END_DECLS
