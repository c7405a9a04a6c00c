/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-format.h"
#include "fb-gtk-util.h"
#include "fb-reader.h"

/*
 * The preview: one event read with what the form says now, saved or not,
 * by the same FbReader the feed's runner uses, so it shows exactly the
 * notification (or the rule that ignores the event). The event is a sample
 * pasted into the page, else the last one the feed received. Reading takes
 * microseconds: the preview follows every key typed.
 */

typedef struct
{
  const char *source;      /* what the preview shows, in words */
  char       *event_type;
  char       *data;
  gsize       data_len;
  char       *event_id;
} PreviewEvent;

static void
preview_event_clear (PreviewEvent *event)
{
  g_free (event->event_type);
  g_free (event->data);
  g_free (event->event_id);
}

static char *
dup_sample (FbFeedEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sample_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Returns: whether there is an event to show */
static gboolean
get_event (FbFeedEditor *self,
           PreviewEvent *event)
{
  g_autofree char *sample = dup_sample (self);
  const char *type = NULL;
  const char *id = NULL;
  GBytes *last;

  if (gtk_expander_get_expanded (GTK_EXPANDER (self->sample_expander)) && g_strstrip (sample)[0] != '\0')
    {
      type = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (self->sample_type_entry))));
      event->source = _("The sample event:");
      event->event_type = (char *) type;
      event->data_len = strlen (sample);
      event->data = g_steal_pointer (&sample);
      return TRUE;
    }

  last = self->feed != NULL ? fb_feed_get_last_event (self->feed, &type, &id) : NULL;
  if (last == NULL)
    {
      event->source = self->feed != NULL
                        ? _("No event received yet. Paste a sample event below to see how it would look.")
                        : _("Paste a sample event below to see how it would look.");
      return FALSE;
    }

  event->source = _("The last event this feed received:");
  event->event_type = g_strdup (type);
  event->event_id = g_strdup (id);
  event->data_len = g_bytes_get_size (last);
  event->data = g_strndup (g_bytes_get_data (last, NULL), event->data_len);
  return TRUE;
}

/* Returns: (nullable): the reader the form makes, or %NULL while a Custom
 * field does not parse */
static FbReader *
new_reader (FbFeedEditor *self)
{
  FbMessageFormat format = _fb_feed_editor_get_format (self);
  g_autofree char *url = _fb_feed_editor_dup_url (self);
  g_autoptr(FbMapping) mapping = NULL;

  if (format == FB_MESSAGE_FORMAT_CUSTOM)
    {
      mapping = _fb_feed_editor_dup_custom_mapping (self);
      if (mapping == NULL)
        return NULL;
    }
  /* Automatic reads as the feed does by now, once it has recognised it. */
  else if (format == FB_MESSAGE_FORMAT_AUTO)
    format = _fb_feed_editor_get_preset (self);

  return fb_reader_new (format, mapping, url);
}

static const char *
urgency_text (FbUrgency urgency)
{
  switch (urgency)
    {
    case FB_URGENCY_LOW:
      return _("Urgency: low");
    case FB_URGENCY_NORMAL:
      return _("Urgency: normal");
    case FB_URGENCY_CRITICAL:
      return _("Urgency: critical");
    default:
      g_assert_not_reached ();
    }
}

static void
set_line (GtkWidget  *label,
          const char *text)
{
  gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL && text[0] != '\0');
}

static void
show_result (FbFeedEditor *self,
             const char   *text,
             gboolean      failed)
{
  set_line (self->preview_result, text);
  fb_widget_set_style_class (self->preview_result, "fb-failed", failed);
  fb_widget_set_style_class (self->preview_result, "dim-label", !failed);
}

static void
show_message (FbFeedEditor *self,
              FbMessage    *message,
              const char   *reason)
{
  g_autofree char *fallback = NULL;

  if (!fb_message_is_notification (message))
    {
      show_result (self, _("Not shown: this event only keeps the subscription going."), FALSE);
      return;
    }

  set_line (self->preview_title, fb_message_get_title (message));
  set_line (self->preview_body, fb_message_get_body (message));
  set_line (self->preview_link, fb_message_get_click_url (message));
  set_line (self->preview_urgency, urgency_text (fb_message_get_urgency (message)));
  if (reason != NULL)
    /* TRANSLATORS: %s says which template did not fit the event, and why */
    fallback = g_strdup_printf (_("A template did not fit this event, so the usual reading was used: %s"), reason);
  set_line (self->preview_note, fallback);
}

/* Reads @event as the form says and shows what comes of it. */
static void
render (FbFeedEditor *self,
        PreviewEvent *event)
{
  g_autoptr(FbReader) reader = new_reader (self);
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *name = g_strdup (gtk_entry_get_text (GTK_ENTRY (self->name_entry)));
  g_autofree char *text = NULL;
  g_autofree char *reason = NULL;
  FbMappingResult result;

  if (reader == NULL)
    {
      show_result (self, _("Correct the errors above to see the preview."), TRUE);
      return;
    }

  if (name[0] == '\0')
    {
      g_free (name);
      name = _fb_feed_editor_dup_default_name (self);
    }

  /* Read twice: the second time as an event in the middle of the stream,
   * past "Skip first event", which would hide every sample. */
  for (guint i = 0; i < 2; i++)
    {
      g_clear_object (&message);
      g_clear_pointer (&reason, g_free);
      result = fb_reader_read (reader, name, event->event_type, event->data, event->data_len,
                               event->event_id, &message, &reason);
    }

  switch (result)
    {
    case FB_MAPPING_SHOW:
      show_message (self, message, reason);
      break;
    case FB_MAPPING_IGNORE:
      if (reason != NULL)
        /* TRANSLATORS: %s is the ignore rule, such as: event == "ping" */
        text = g_strdup_printf (_("Ignored by rule: %s"), reason);
      show_result (self, text != NULL ? text : _("Ignored: this event only keeps the connection alive."), FALSE);
      break;
    case FB_MAPPING_FAIL:
      /* TRANSLATORS: %s is what the service said, and what to do */
      text = g_strdup_printf (_("This event stops the feed: %s"), reason != NULL ? reason : "");
      show_result (self, text, TRUE);
      break;
    default:
      g_assert_not_reached ();
    }
}

void
_fb_feed_editor_update_preview (FbFeedEditor *self)
{
  PreviewEvent event = { 0 };

  set_line (self->preview_title, NULL);
  set_line (self->preview_body, NULL);
  set_line (self->preview_link, NULL);
  set_line (self->preview_urgency, NULL);
  set_line (self->preview_note, NULL);
  show_result (self, NULL, FALSE);

  if (get_event (self, &event))
    render (self, &event);
  set_line (self->preview_source, event.source);
  preview_event_clear (&event);
}

void
_fb_feed_editor_sample_expanded_cb (FbFeedEditor *self)
{
  if (self->settings == NULL)
    return;

  _fb_feed_editor_update (self);
  if (gtk_expander_get_expanded (GTK_EXPANDER (self->sample_expander)))
    gtk_widget_grab_focus (self->sample_view);
}
