/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "fb-desktop-session.h"

G_BEGIN_DECLS

/**
 * FbWidgetCommand:
 * One command for fb-atspi-driver.py (see there): @op on the widget with
 * @role and @name (or a name that contains @name_contains), or the one
 * @label names; optionally within the top-level
 * window with that accessible @window name or @window_role, and within the
 * list row that shows the text @row. @text (set-text) may be a secret: it
 * is never printed; for set-value it is the number, "21". @timeout_ms:
 * how long the widget may take to appear.
 */
typedef struct
{
  const char *op;
  const char *window;
  const char *window_role;
  const char *row;
  const char *role;
  const char *name;
  const char *name_contains;
  const char *label;
  const char *text;
  const char *item;
  guint       timeout_ms;
} FbWidgetCommand;

/**
 * FbWidgetDriver:
 * A running fb-atspi-driver.py for one app, found by its AT-SPI name.
 * Reads FEEDBELL_PYTHON (an interpreter with pyatspi) and
 * FEEDBELL_ATSPI_DRIVER (the script) from the environment.
 */
typedef struct _FbWidgetDriver FbWidgetDriver;

/* Whether widgets can be driven here; if not, why. */
gboolean        fb_widget_driver_is_available (char                  **why_not);
/* Starts the driver, its stderr to @log_path; it dies with the test. */
FbWidgetDriver *fb_widget_driver_new          (const char             *app_name,
                                               const char             *log_path,
                                               GError                **error);
/* Ends the driver: the end of its input, then a kill if it lingers. */
void            fb_widget_driver_free         (FbWidgetDriver         *self);
/* Runs @command: its answer ("checked", "sensitive", "selected" for state,
 * "text" for text, "name" for select-row), or NULL and
 * @error, with the app's widgets (roles and names) in @tree when known. */
JsonObject     *fb_widget_driver_run          (FbWidgetDriver         *self,
                                               const FbWidgetCommand  *command,
                                               char                  **tree,
                                               GError                **error);
/* "click push button 'Save' in the window 'Add Feed'": never the text. */
char           *fb_widget_command_describe    (const FbWidgetCommand  *command);

/* Prints what a test knows, for the log of a failed one. */
typedef void (*FbWidgetDumpFunc) (gpointer user_data);

/* Starts the driver for the app of @session, its stderr to a log in the
 * session's directory, or fails the test. A command of
 * fb_widget_driver_drive() that fails calls @dump with @dump_data. */
FbWidgetDriver *fb_widget_driver_start        (FbDesktopSession       *session,
                                               FbWidgetDumpFunc        dump,
                                               gpointer                dump_data);
/* Runs @command: its answer, as fb_widget_driver_run() gives it. If it
 * fails, prints the app's widgets when known and the test's dump, then
 * fails the test. */
JsonObject     *fb_widget_driver_drive        (FbWidgetDriver         *self,
                                               const FbWidgetCommand  *command);
/* What a started driver wrote on stderr, when anything; nothing for NULL. */
void            fb_widget_driver_print_log    (FbWidgetDriver         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbWidgetDriver, fb_widget_driver_free)

G_END_DECLS
