/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"

#include <glib/gi18n.h>

#include "fb-autostart.h"

/*
 * The main window's General page: the app's settings, each widget bound to
 * its key with g_settings_bind(), and the start at login, whose truth is
 * the autostart file (fb-autostart.c) rather than a setting.
 *
 * Quiet hours' times are minutes after midnight in GSettings and an hour
 * and a minute in two spin buttons: each button is bound to the same key
 * through a mapping that changes its own part and keeps the other's.
 */

/* Grouping ------------------------------------------------------------------ */

static void
update_coalesce_label (FbWindow *self)
{
  guint threshold = g_settings_get_uint (self->settings, "coalesce-threshold");
  guint window = g_settings_get_uint (self->settings, "coalesce-window");
  g_autofree char *seconds = NULL;
  g_autofree char *text = NULL;

  seconds = g_strdup_printf (ngettext ("%u second", "%u seconds", window), window);
  /* Translators: the second %s is "N seconds" */
  text = g_strdup_printf (ngettext ("When one feed sends more than %u notification within %s, "
                                    "the rest are grouped into one summary.",
                                    "When one feed sends more than %u notifications within %s, "
                                    "the rest are grouped into one summary.",
                                    threshold),
                          threshold, seconds);
  gtk_label_set_text (self->coalesce_label, text);
}

/* Quiet hours ----------------------------------------------------------------- */

typedef struct
{
  GSettings *settings;
  char      *key;       /* minutes after midnight, 0 to 1439 */
  gboolean   minutes;   /* the minute's button; else the hour's */
} TimePart;

static void
time_part_free (gpointer data)
{
  TimePart *part = data;

  g_object_unref (part->settings);
  g_free (part->key);
  g_free (part);
}

static gboolean
time_part_get_mapping (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  TimePart *part = user_data;
  guint32 minute_of_day = g_variant_get_uint32 (variant);

  g_value_set_double (value, part->minutes ? minute_of_day % 60 : minute_of_day / 60);
  return TRUE;
}

static GVariant *
time_part_set_mapping (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  TimePart *part = user_data;
  guint32 minute_of_day = g_settings_get_uint (part->settings, part->key);
  guint32 n = (guint32) (CLAMP (g_value_get_double (value), 0, part->minutes ? 59 : 23) + 0.5);

  if (part->minutes)
    return g_variant_new_uint32 (minute_of_day / 60 * 60 + n);

  return g_variant_new_uint32 (n * 60 + minute_of_day % 60);
}

static void
bind_time_part (GSettings     *settings,
                const char    *key,
                GtkSpinButton *spin,
                gboolean       minutes)
{
  TimePart *part = g_new0 (TimePart, 1);

  part->settings = g_object_ref (settings);
  part->key = g_strdup (key);
  part->minutes = minutes;
  g_settings_bind_with_mapping (settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT,
                                time_part_get_mapping, time_part_set_mapping, part, time_part_free);
}

static void
bind_time (GSettings     *settings,
           const char    *key,
           GtkSpinButton *hour_spin,
           GtkSpinButton *minute_spin)
{
  bind_time_part (settings, key, hour_spin, FALSE);
  bind_time_part (settings, key, minute_spin, TRUE);
}

/* "07" rather than "7": the two buttons read as a time of day. */
static gboolean
two_digits_output_cb (GtkSpinButton *spin,
                      gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_entry_get_text (GTK_ENTRY (spin))) != 0)
    gtk_entry_set_text (GTK_ENTRY (spin), text);

  return TRUE;
}

static void
bind_quiet_hours (FbWindow *self)
{
  g_settings_bind (self->settings, "quiet-hours", self->quiet_switch, "active", G_SETTINGS_BIND_DEFAULT);
  bind_time (self->settings, "quiet-hours-start", self->quiet_start_hour_spin,
             self->quiet_start_minute_spin);
  bind_time (self->settings, "quiet-hours-end", self->quiet_end_hour_spin, self->quiet_end_minute_spin);
  /* The times mean nothing while quiet hours are off. */
  g_settings_bind (self->settings, "quiet-hours", self->quiet_start_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "quiet-hours", self->quiet_end_row, "sensitive", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "urgent-breaks-through", self->urgent_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

/* Startup ---------------------------------------------------------------------- */

static void
show_autostart_error (FbWindow   *self,
                      const char *message)
{
  gtk_label_set_text (self->autostart_error_label, message ? message : "");
  gtk_info_bar_set_revealed (self->autostart_info_bar, message != NULL);
}

/* The autostart file is the truth: a person may have removed it meanwhile. */
void
_fb_window_sync_autostart (FbWindow *self)
{
  g_signal_handlers_block_matched (self->autostart_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  gtk_switch_set_active (self->autostart_switch, fb_autostart_get_enabled ());
  g_signal_handlers_unblock_matched (self->autostart_switch, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
}

static void
autostart_active_cb (FbWindow *self)
{
  gboolean wanted = gtk_switch_get_active (self->autostart_switch);
  g_autoptr(GError) error = NULL;

  if (wanted != fb_autostart_get_enabled () && !fb_autostart_set_enabled (wanted, &error))
    {
      show_autostart_error (self, error->message);
      _fb_window_sync_autostart (self);
      return;
    }

  show_autostart_error (self, NULL);
}

static void
is_active_cb (FbWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    _fb_window_sync_autostart (self);
}

/* The page ---------------------------------------------------------------------- */

/* The window's settings are known: every widget of the page gets its key. */
void
_fb_window_general_bind (FbWindow *self)
{
  g_settings_bind (self->settings, "paused", self->pause_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-body", self->show_body_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "play-sounds", self->sounds_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "coalesce-threshold", self->threshold_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "coalesce-window", self->window_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  bind_quiet_hours (self);
  g_settings_bind (self->settings, "history-days", self->history_days_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "history-max-messages", self->history_max_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed::coalesce-threshold",
                           G_CALLBACK (update_coalesce_label), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::coalesce-window",
                           G_CALLBACK (update_coalesce_label), self, G_CONNECT_SWAPPED);
  update_coalesce_label (self);
}

void
_fb_window_general_init (FbWindow *self)
{
  /* The page is taller than the window: Tab scrolls to what it focuses. */
  gtk_container_set_focus_vadjustment (self->general_box,
                                       gtk_scrolled_window_get_vadjustment (self->general_scrolled));
  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);
}

void
_fb_window_general_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, FbWindow, general_scrolled);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, general_box);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, pause_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, show_body_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, sounds_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, threshold_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, window_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, coalesce_label);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_start_row);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_start_hour_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_start_minute_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_end_row);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_end_hour_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, quiet_end_minute_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, urgent_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, history_days_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, history_max_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, autostart_info_bar);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, autostart_error_label);
  gtk_widget_class_bind_template_callback (widget_class, autostart_active_cb);
  gtk_widget_class_bind_template_callback (widget_class, two_digits_output_cb);
}
