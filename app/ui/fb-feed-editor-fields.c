/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>

/*
 * The editor's fields that g_settings_bind() cannot bind on its own;
 * bind_settings() in fb-feed-editor.c binds all the others.
 */

/* Certificate authority file: a GtkFileChooserButton has no property to bind. */

void
_fb_feed_editor_ca_file_set_cb (FbFeedEditor *self)
{
  g_autofree char *path = gtk_file_chooser_get_filename (GTK_FILE_CHOOSER (self->ca_button));

  g_settings_set_string (self->settings, "ca-file", path ? path : "");
  _fb_feed_editor_update (self);
}

void
_fb_feed_editor_ca_clear_cb (FbFeedEditor *self)
{
  gtk_file_chooser_unselect_all (GTK_FILE_CHOOSER (self->ca_button));
  g_settings_set_string (self->settings, "ca-file", "");
  _fb_feed_editor_update (self);
}

void
_fb_feed_editor_setup_ca_button (FbFeedEditor *self)
{
  g_autofree char *ca_file = g_settings_get_string (self->settings, "ca-file");
  GtkFileFilter *pem = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (pem, _("Certificates (PEM)"));
  gtk_file_filter_add_pattern (pem, "*.pem");
  gtk_file_filter_add_pattern (pem, "*.crt");
  gtk_file_filter_add_pattern (pem, "*.cer");
  gtk_file_filter_add_mime_type (pem, "application/x-x509-ca-cert");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_button), pem);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->ca_button), all);

  if (ca_file[0] != '\0')
    gtk_file_chooser_set_filename (GTK_FILE_CHOOSER (self->ca_button), ca_file);
}

/* Event types: "message, alert" in the entry, ['message', 'alert'] in GSettings. */

static gboolean
event_types_get_mapping (GValue   *value,
                         GVariant *variant,
                         gpointer  user_data)
{
  g_autofree const char **types = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv (", ", (char **) types));
  return TRUE;
}

static GVariant *
event_types_set_mapping (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  g_auto(GStrv) parts = g_strsplit (g_value_get_string (value), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) types = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  types = g_strv_builder_end (builder);

  return g_variant_new_strv ((const char * const *) types, -1);
}

void
_fb_feed_editor_bind_event_types (FbFeedEditor *self)
{
  g_settings_bind_with_mapping (self->settings, "event-types", self->event_types_entry, "text",
                                G_SETTINGS_BIND_DEFAULT,
                                event_types_get_mapping, event_types_set_mapping, NULL, NULL);
}

/* Lowest priority: the combo box's ids are "1" to "5", the key a number. */

static gboolean
min_priority_get_mapping (GValue   *value,
                          GVariant *variant,
                          gpointer  user_data)
{
  g_value_take_string (value, g_strdup_printf ("%u", g_variant_get_uint32 (variant)));
  return TRUE;
}

static GVariant *
min_priority_set_mapping (const GValue       *value,
                          const GVariantType *expected_type,
                          gpointer            user_data)
{
  const char *id = g_value_get_string (value);
  guint64 priority;

  if (id == NULL || !g_ascii_string_to_unsigned (id, 10, 1, 5, &priority, NULL))
    return NULL;

  return g_variant_new_uint32 ((guint32) priority);
}

void
_fb_feed_editor_bind_min_priority (FbFeedEditor *self)
{
  g_settings_bind_with_mapping (self->settings, "min-priority", self->priority_combo, "active-id",
                                G_SETTINGS_BIND_DEFAULT,
                                min_priority_get_mapping, min_priority_set_mapping, NULL, NULL);
}
