/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-outage"

#include "config.h"

#include "fb-outage.h"

#include <glib/gi18n.h>

#include "fb-recent-store.h"

/*
 * What Recent says about a feed that could not be reached for a long time:
 * one line when the outage has lasted (“Unreachable since 14:02”), one when
 * it is over (“Unreachable from 14:02 to 14:37”). They go to Recent only,
 * never to the screen: the tray icon already shows the state, and an
 * outage is not a message. Times are wall-clock µs.
 */

/* ntfy's “low”: shown again from Recent, it does not shout. */
#define NOTE_PRIORITY 2

static char *
format_when (gint64 when,
             gint64 now)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (when / G_USEC_PER_SEC);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);

  if (time == NULL || today == NULL)
    return g_strdup ("?");

  if (g_date_time_get_year (time) == g_date_time_get_year (today) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (today))
    /* TRANSLATORS: a time of day today, see strftime */
    return g_date_time_format (time, _("%H:%M"));

  /* TRANSLATORS: a time on another day, see strftime */
  return g_date_time_format (time, _("%b %-d, %H:%M"));
}

/**
 * fb_outage_note_down:
 * @since: when the feed was last reachable (or when Feedbell began trying)
 * @error: (nullable): why the last attempt failed, in words
 *
 * Returns: (transfer full): the note for a feed that is still unreachable
 */
FbMessage *
fb_outage_note_down (const char *feed_name,
                     gint64      since,
                     gint64      now,
                     const char *error)
{
  g_autofree char *from = format_when (since, now);
  g_autofree char *title = g_strdup_printf (_("Unreachable since %s"), from);
  g_autoptr(GString) body = g_string_new (_("Feedbell keeps trying."));

  if (error != NULL && error[0] != '\0')
    {
      g_string_append_c (body, ' ');
      g_string_append_printf (body, _("The last attempt failed: %s"), error);
    }

  return fb_recent_message_new (feed_name, NULL, title, body->str, NOTE_PRIORITY,
                                now / G_USEC_PER_SEC, NULL);
}

/**
 * fb_outage_note_up:
 * @since: when the outage began
 * @now: when the feed was reached again
 * @resumable: whether the feed can be asked for what was sent meanwhile
 *   (Feedbell has an id to resume from)
 *
 * Returns: (transfer full): the note for a feed that is reachable again
 */
FbMessage *
fb_outage_note_up (const char *feed_name,
                   gint64      since,
                   gint64      now,
                   gboolean    resumable)
{
  g_autofree char *from = format_when (since, now);
  g_autofree char *to = format_when (now, now);
  g_autofree char *title = g_strdup_printf (_("Unreachable from %s to %s"), from, to);
  const char *body;

  if (resumable)
    body = _("Reachable again. Messages sent in between come next, as far as the server still has them.");
  else
    body = _("Reachable again. This feed gives no message ids, so messages sent in between cannot be fetched.");

  return fb_recent_message_new (feed_name, NULL, title, body, NOTE_PRIORITY,
                                now / G_USEC_PER_SEC, NULL);
}
