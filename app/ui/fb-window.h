/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fb-feed-manager.h"

G_BEGIN_DECLS

#define FB_TYPE_PREFERENCES_DIALOG (fb_preferences_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FbPreferencesDialog, fb_preferences_dialog, FB, PREFERENCES_DIALOG, GtkApplicationWindow)

FbPreferencesDialog *fb_preferences_dialog_new (GtkApplication *application,
                                                FbFeedManager  *manager,
                                                GSettings      *settings);

G_END_DECLS
