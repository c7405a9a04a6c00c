/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-indicator"

#include "config.h"

#include "fb-indicator-private.h"

#include <glib/gi18n.h>

/*
 * What the tray icon says about every feed, the pause, quiet hours and the
 * unread messages: an icon name and the same in words, for its title. Only
 * reads the feeds, the settings, the notifier and the history's count;
 * fb-indicator.c shows the result.
 */

#define ICON_CONNECTED "io.github.feedbell.Feedbell-connected-symbolic"
#define ICON_UNREAD    "io.github.feedbell.Feedbell-unread-symbolic"

static void
count_states (FbFeedManager *manager,
              guint         *n_enabled,
              guint         *n_open,
              guint         *n_failed)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (manager));

  *n_enabled = *n_open = *n_failed = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (manager), i);

      if (!fb_feed_get_enabled (feed))
        continue;
      (*n_enabled)++;
      if (fb_feed_get_state (feed) == FB_SSE_STATE_OPEN)
        (*n_open)++;
      else if (fb_feed_get_state (feed) == FB_SSE_STATE_FAILED ||
               fb_feed_get_state (feed) == FB_SSE_STATE_STOPPED)
        (*n_failed)++;
    }
}

/*
 * The feeds' state: an icon name in @icon_name and the same in words. A
 * pause and quiet hours come before a feed in trouble, as they are what
 * decides whether anything pops up; the menu still says each feed's state.
 */
static char *
summarise_feeds (FbFeedManager  *manager,
                 FbNotifier     *notifier,
                 GSettings      *settings,
                 const char    **icon_name)
{
  guint n_enabled, n_open, n_failed;

  count_states (manager, &n_enabled, &n_open, &n_failed);

  if (n_enabled == 0)
    {
      *icon_name = "io.github.feedbell.Feedbell-no-feeds-symbolic";
      return g_strdup (_("Feedbell: no feeds configured"));
    }
  if (g_settings_get_boolean (settings, "paused"))
    {
      *icon_name = "io.github.feedbell.Feedbell-paused-symbolic";
      return g_strdup (_("Feedbell: notifications paused"));
    }
  if (fb_notifier_is_quiet (notifier))
    {
      *icon_name = "io.github.feedbell.Feedbell-quiet-symbolic";
      return g_strdup (_("Feedbell: quiet hours"));
    }
  if (n_failed > 0)
    {
      *icon_name = "io.github.feedbell.Feedbell-failed-symbolic";
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Feedbell: %u feed failed",
                                           "Feedbell: %u feeds failed", n_failed), n_failed);
    }
  if (n_open < n_enabled)
    {
      *icon_name = "io.github.feedbell.Feedbell-reconnecting-symbolic";
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Feedbell: %u feed reconnecting",
                                           "Feedbell: %u feeds reconnecting", n_enabled - n_open),
                              n_enabled - n_open);
    }

  *icon_name = ICON_CONNECTED;
  return g_strdup (_("Feedbell: all feeds connected"));
}

/**
 * _fb_indicator_summarise:
 * @icon_name: (out): the icon's name
 *
 * A feed in trouble, a pause or quiet hours matter more than unread
 * messages: only "all connected" gets the unread icon, but the title
 * always counts them.
 *
 * Returns: (transfer full): the icon's title
 */
char *
_fb_indicator_summarise (FbFeedManager  *manager,
                         FbNotifier     *notifier,
                         FbHistory      *history,
                         GSettings      *settings,
                         const char    **icon_name)
{
  g_autofree char *feeds = summarise_feeds (manager, notifier, settings, icon_name);
  guint unread = fb_history_get_unread (history, NULL);

  if (unread == 0)
    return g_steal_pointer (&feeds);

  if (g_str_equal (*icon_name, ICON_CONNECTED))
    *icon_name = ICON_UNREAD;
  /* TRANSLATORS: the tray icon's title: "Feedbell: all feeds connected, 3 unread" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u unread", "%s, %u unread", unread),
                          feeds, unread);
}

/**
 * _fb_indicator_dup_quiet_until:
 *
 * Returns: (transfer full): "Quiet until 07:00", the end of quiet hours
 *   as the settings say, in the locale's way of writing a time
 */
char *
_fb_indicator_dup_quiet_until (GSettings *settings)
{
  guint end = g_settings_get_uint (settings, "quiet-hours-end");
  /* Any day will do for a time of day; one in UTC has no gap at a
   * change of summer time. */
  g_autoptr(GDateTime) time = g_date_time_new_utc (2000, 1, 1, end / 60 % 24, end % 60, 0);
  /* TRANSLATORS: a time of day, see strftime */
  g_autofree char *text = g_date_time_format (time, _("%H:%M"));

  /* TRANSLATORS: the tray menu during quiet hours; %s is when they end, "07:00" */
  return g_strdup_printf (_("Quiet until %s"), text);
}
