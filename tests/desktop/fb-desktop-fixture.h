/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-desktop-session.h"
#include "fb-notify-monitor.h"
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
/* Ends and clears @driver, @app and @session, in that order; any may be
 * NULL. */
void              fb_desktop_fixture_end               (FbWidgetDriver   **driver,
                                                        GSubprocess      **app,
                                                        FbDesktopSession **session);

G_END_DECLS
