/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-notifier"

#include "config.h"

#include "fb-notifier-private.h"

#include <glib/gi18n.h>

#include "fb-recent-store.h"

/*
 * A feed's share of FbNotifier's policy, kept per feed in a Burst: a flood
 * folded into one summary updated at most once a second, a backlog
 * replayed after a resume summed up once it goes quiet, and the ntfy
 * sequences shown lately, whose updates are no new message.
 */

/* A flood's summary is updated at most this often: one D-Bus call per event
 * would make the flood the notification server's problem. */
#define SUMMARY_EVERY_MS 1000

/* How many ntfy sequences per feed are remembered to tell an update from
 * a new message. */
#define SEQUENCES_MAX 256

/* A replayed backlog is summed up once it has been quiet this long. */
#define CATCH_UP_QUIET_MS 1500

void
_fb_notifier_burst_free (Burst *burst)
{
  FbNotifier *self = burst->notifier;

  g_array_unref (burst->times);
  fb_clock_clear_timeout (self->clock, &burst->summary_update_id);
  fb_notification_display_release (self->display, &burst->summary);
  g_free (burst->summary_title);
  g_free (burst->summary_body);
  g_clear_pointer (&burst->backlog, g_ptr_array_unref);
  g_free (burst->feed_name);
  g_free (burst->feed_id);
  g_clear_pointer (&burst->sequences, g_hash_table_unref);
  g_free (burst);
}

Burst *
_fb_notifier_get_burst (FbNotifier *self,
                        FbFeed     *feed)
{
  Burst *burst = g_hash_table_lookup (self->bursts, fb_feed_get_id (feed));

  if (burst == NULL)
    {
      burst = g_new0 (Burst, 1);
      burst->notifier = self;
      burst->times = g_array_new (FALSE, FALSE, sizeof (gint64));
      burst->backlog = g_ptr_array_new_with_free_func (g_object_unref);
      burst->feed_id = g_strdup (fb_feed_get_id (feed));
      burst->sequences = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->bursts, g_strdup (fb_feed_get_id (feed)), burst);
    }

  return burst;
}

gboolean
_fb_notifier_count_burst (FbNotifier *self,
                          Burst      *burst,
                          gint64      now)
{
  gint64 window = (gint64) g_settings_get_uint (self->settings, "coalesce-window") * G_USEC_PER_SEC;
  guint threshold = g_settings_get_uint (self->settings, "coalesce-threshold");

  guint expired = 0;

  while (expired < burst->times->len && now - g_array_index (burst->times, gint64, expired) >= window)
    expired++;
  g_array_remove_range (burst->times, 0, expired);

  if (burst->times->len == 0)
    {
      burst->folded = 0;
      fb_notification_display_release (self->display, &burst->summary);
    }

  if (burst->times->len < threshold)
    {
      g_array_append_val (burst->times, now);
      return FALSE;
    }

  /* Folded events still extend the window: a flood stays one summary. */
  g_array_remove_index (burst->times, 0);
  g_array_append_val (burst->times, now);
  return TRUE;
}

static gboolean
summary_update_cb (gpointer user_data)
{
  Burst *burst = user_data;

  if (!burst->summary_pending || burst->summary == 0)
    {
      burst->summary_update_id = 0;
      return G_SOURCE_REMOVE;
    }

  burst->summary_pending = FALSE;
  fb_notification_display_show_notice (burst->notifier->display, &burst->summary,
                                       burst->summary_title, burst->summary_body);
  return G_SOURCE_CONTINUE;
}

void
_fb_notifier_show_summary (FbNotifier *self,
                           FbFeed     *feed,
                           Burst      *burst,
                           FbMessage  *latest)
{
  burst->folded++;
  g_free (burst->summary_title);
  burst->summary_title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message from %s",
                                                       "%u new messages from %s", burst->folded),
                                          burst->folded, fb_feed_get_display_name (feed));
  g_free (burst->summary_body);
  burst->summary_body = g_strdup_printf (_("Latest: %s"), fb_message_get_title (latest));

  /* The first shows at once; later ones are folded into one update a second. */
  if (burst->summary_update_id != 0)
    {
      burst->summary_pending = TRUE;
      return;
    }

  fb_notification_display_show_notice (self->display, &burst->summary,
                                       burst->summary_title, burst->summary_body);
  burst->summary_update_id = fb_clock_timeout_add (self->clock, SUMMARY_EVERY_MS, summary_update_cb, burst);
}

static char *
format_time (gint64 wall_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (wall_us / G_USEC_PER_SEC);

  /* TRANSLATORS: a time of day in a catch-up summary, see strftime */
  return time ? g_date_time_format (time, _("%H:%M")) : g_strdup ("");
}

/* A backlog replayed after a resume: one calm summary, not a flood. */
static void
show_backlog (FbNotifier *self,
              Burst      *burst)
{
  g_autofree char *title = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  guint n = burst->backlog->len;

  if (n == 1)
    {
      fb_notification_display_show_message (self->display, NULL, g_ptr_array_index (burst->backlog, 0));
      return;
    }

  from = format_time (burst->backlog_first);
  to = format_time (burst->backlog_last);
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message from %s while you were away, %s–%s",
                                        "%u messages from %s while you were away, %s–%s", n),
                           n, burst->feed_name, from, to);
  for (guint i = n; i > 0 && n - i < 3; i--)
    g_string_append_printf (body, "%s%s", body->len ? "\n" : "",
                            fb_message_get_title (g_ptr_array_index (burst->backlog, i - 1)));
  if (n > 3)
    g_string_append_printf (body, "\n%s", _("All of them are in the tray’s Recent menu."));
  fb_notifier_notice (self, title, body->str);

  /* The history keeps the summary too, as Feedbell's note on the feed. */
  if (self->history != NULL)
    {
      g_autoptr(FbMessage) note = fb_recent_message_new (burst->feed_name, NULL, title, body->str, 3, 0, NULL);

      fb_history_append_note (self->history, burst->feed_id, note);
    }
}

static gboolean
catch_up_cb (gpointer user_data)
{
  FbNotifier *self = user_data;
  GHashTableIter iter;
  Burst *burst;

  self->catch_up_id = 0;
  g_hash_table_iter_init (&iter, self->bursts);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &burst))
    {
      if (burst->backlog->len == 0)
        continue;
      if (!self->paused)
        show_backlog (self, burst);
      else
        burst->held += burst->backlog->len;
      g_ptr_array_set_size (burst->backlog, 0);
    }

  return G_SOURCE_REMOVE;
}

void
_fb_notifier_add_to_backlog (FbNotifier *self,
                             FbFeed     *feed,
                             Burst      *burst,
                             FbMessage  *message)
{
  gint64 when = fb_message_get_time (message) > 0
                  ? fb_message_get_time (message) * G_USEC_PER_SEC : fb_clock_get_real (self->clock);

  if (burst->backlog->len == 0 || when < burst->backlog_first)
    burst->backlog_first = when;
  if (burst->backlog->len == 0 || when > burst->backlog_last)
    burst->backlog_last = when;
  g_ptr_array_add (burst->backlog, g_object_ref (message));
  g_free (burst->feed_name);
  burst->feed_name = g_strdup (fb_feed_get_display_name (feed));

  /* The summary comes once the replay has gone quiet. */
  fb_clock_clear_timeout (self->clock, &self->catch_up_id);
  self->catch_up_id = fb_clock_timeout_add (self->clock, CATCH_UP_QUIET_MS, catch_up_cb, self);
}

/* Whether @message revises an ntfy message of its feed shown lately; it is
 * remembered as shown either way. */
gboolean
_fb_notifier_is_update (Burst     *burst,
                        FbMessage *message)
{
  const char *sequence = fb_message_get_group (message);
  gboolean seen;

  if (!fb_message_is_ntfy (message) || sequence == NULL)
    return FALSE;

  seen = g_hash_table_contains (burst->sequences, sequence) &&
         g_strcmp0 (sequence, fb_message_get_id (message)) != 0;
  if (!seen)
    {
      if (g_hash_table_size (burst->sequences) >= SEQUENCES_MAX)
        g_hash_table_remove_all (burst->sequences);
      g_hash_table_add (burst->sequences, g_strdup (sequence));
    }

  return seen;
}
