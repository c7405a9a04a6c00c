/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-manager"

#include "config.h"

#include "fb-feed-manager-private.h"

#include "fb-connection-test.h"

#include "fb-event-log.h"
#include "fb-outage.h"
#include "fb-secrets.h"
#include "fb-sse-connection.h"

/*
 * One feed's pipeline, an Entry: its settings bound to the FbFeed, the
 * credentials read from the keyring, the FbSseConnection made from them,
 * and the connection's events turned into messages (replays dropped by
 * the event log) and state changes into feed-changed, and an outage that
 * lasts into notes for Recent.
 */

/* Events this soon after a resumed stream opens are its backlog. */
#define CATCH_UP_US   (2 * G_USEC_PER_SEC)

void
_fb_feed_manager_entry_free (Entry *entry)
{
  FbSseConnection *connection = fb_feed_get_connection (entry->feed);

  g_signal_handlers_disconnect_by_data (entry->feed, entry->manager);
  if (connection != NULL)
    {
      g_signal_handlers_disconnect_matched (connection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, entry->feed);
      fb_sse_connection_set_event_func (connection, NULL, NULL, NULL);
      fb_sse_connection_stop (connection);
    }
  fb_feed_set_connection (entry->feed, NULL);
  g_clear_handle_id (&entry->down_note_id, g_source_remove);
  g_cancellable_cancel (entry->lookup);
  g_clear_object (&entry->lookup);
  g_signal_handlers_disconnect_by_data (entry->settings, entry);
  g_clear_object (&entry->log);
  g_clear_object (&entry->settings);
  g_clear_object (&entry->feed);
  g_free (entry);
}

static Entry *
entry_for_feed (FbFeedManager *self,
                FbFeed        *feed)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->feed == feed)
        return entry;
    }

  return NULL;
}

/* --- outages ------------------------------------------------------------ */

static void
outage_forget (Entry *entry)
{
  g_clear_handle_id (&entry->down_note_id, g_source_remove);
  entry->down_since = 0;
  entry->down_since_wall = 0;
  entry->down_noted = FALSE;
}

static gboolean
outage_note_cb (gpointer user_data)
{
  Entry *entry = user_data;
  FbSseConnection *connection = fb_feed_get_connection (entry->feed);
  const GError *error = connection ? fb_sse_connection_get_last_error (connection) : NULL;
  g_autoptr(FbMessage) note = NULL;

  entry->down_note_id = 0;
  entry->down_noted = TRUE;
  g_message ("%s: unreachable for %" G_GINT64_FORMAT " s", fb_feed_get_id (entry->feed),
             (g_get_monotonic_time () - entry->down_since) / G_USEC_PER_SEC);
  note = fb_outage_note_down (fb_feed_get_display_name (entry->feed), entry->down_since_wall,
                              g_get_real_time (), error ? error->message : NULL);
  _fb_feed_manager_emit_note (entry->manager, entry->feed, note);

  return G_SOURCE_REMOVE;
}

/* The feed is not reachable: from now on, unless it already was not. */
static void
outage_begin (Entry *entry)
{
  guint after;

  if (entry->down_since != 0)
    return;

  entry->down_since = g_get_monotonic_time ();
  entry->down_since_wall = g_get_real_time ();
  after = g_settings_get_uint (entry->manager->settings, "unreachable-note-after");
  /* Milliseconds: g_timeout_add_seconds() may fire up to a second early. */
  entry->down_note_id = g_timeout_add ((guint) MIN (after, G_MAXUINT / 1000) * 1000, outage_note_cb, entry);
}

/* Reached again: Recent hears of it if it heard of the outage. */
static void
outage_end (Entry *entry)
{
  if (entry->down_noted)
    {
      g_autoptr(FbMessage) note = NULL;
      gboolean resumable = fb_event_log_get_last_event_id (entry->log)[0] != '\0';

      g_message ("%s: reachable again after %" G_GINT64_FORMAT " s", fb_feed_get_id (entry->feed),
                 (g_get_monotonic_time () - entry->down_since) / G_USEC_PER_SEC);
      note = fb_outage_note_up (fb_feed_get_display_name (entry->feed), entry->down_since_wall,
                                g_get_real_time (), resumable);
      _fb_feed_manager_emit_note (entry->manager, entry->feed, note);
    }
  outage_forget (entry);
}

static void
track_outage (Entry    *entry,
              FbSseState state)
{
  switch (state)
    {
    case FB_SSE_STATE_OPEN:
      outage_end (entry);
      break;
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_FAILED:
      outage_begin (entry);
      break;
    case FB_SSE_STATE_WAITING_NETWORK:
      /* The machine is offline: not the feed's outage, and with every feed
       * waiting, a note each would only fill Recent. An outage already
       * told goes on, and is told when it ends. */
      if (!entry->down_noted)
        outage_forget (entry);
      break;
    case FB_SSE_STATE_STOPPED:
      /* Stopped on purpose (disabled, or the server said 204): not an outage. */
      outage_forget (entry);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* --- the connection ------------------------------------------------------ */

static void
connection_notify_cb (FbSseConnection *connection,
                      GParamSpec      *pspec,
                      Entry           *entry)
{
  FbSseState state = fb_sse_connection_get_state (connection);

  if (g_str_equal (g_param_spec_get_name (pspec), "state"))
    {
      if (state == FB_SSE_STATE_OPEN && fb_event_log_get_last_event_id (entry->log)[0] != '\0')
        entry->catch_up_until = g_get_monotonic_time () + CATCH_UP_US;
      track_outage (entry, state);
    }

  _fb_feed_manager_emit_changed (entry->feed, entry->manager);
}

static void
connection_event_cb (FbSseConnection  *connection,
                     const FbSseEvent *event,
                     gpointer          user_data)
{
  Entry *entry = user_data;
  g_autoptr(FbMessage) message = NULL;
  const char *key = NULL;
  gboolean ntfy;

  if (!fb_feed_accepts_type (entry->feed, event->type, event->type_len))
    return;

  message = fb_message_new_from_event (fb_feed_get_display_name (entry->feed),
                                       fb_feed_get_format (entry->feed),
                                       event->type,
                                       event->data,
                                       event->data_len,
                                       event->last_event_id);
  if (!fb_message_is_notification (message))
    return;

  /* ntfy sends no SSE ids: its messages are known by their JSON id. */
  ntfy = fb_message_is_ntfy (message) && fb_message_get_id (message)[0] != '\0';
  if (ntfy)
    key = fb_message_get_id (message);
  else if (event->has_id)
    key = event->last_event_id;

  if (fb_event_log_has_seen (entry->log, key))
    {
      g_debug ("%s: dropping a replay of %s", fb_feed_get_id (entry->feed), key);
      return;
    }
  fb_event_log_record (entry->log, key, ntfy ? "since" : NULL);
  if (ntfy)
    fb_sse_connection_set_query_param (connection, "since", key);

  _fb_feed_manager_emit_message (entry->manager, entry->feed, message,
                                 g_get_monotonic_time () < entry->catch_up_until);
}

static void
resume_from_log (Entry           *entry,
                 FbSseConnection *connection)
{
  const char *id = fb_event_log_get_last_event_id (entry->log);
  const char *param = fb_event_log_get_resume_param (entry->log);

  if (id[0] == '\0')
    return;

  if (param != NULL)
    fb_sse_connection_set_query_param (connection, param, id);
  else
    fb_sse_connection_set_last_event_id (connection, id);
}

/* Values of the `auth` settings key. */
enum {
  FB_AUTH_NONE,
  FB_AUTH_TOKEN,
  FB_AUTH_BASIC,
};

static void
start_connection (Entry      *entry,
                  const char *authorization)
{
  FbFeedManager *self = entry->manager;
  FbFeed *feed = entry->feed;
  g_autoptr(FbSseConnection) connection = NULL;
  g_autoptr(SoupSession) own_session = NULL;
  g_autofree char *ca_file = g_settings_get_string (entry->settings, "ca-file");

  /* A feed with its own certificate authority gets a session of its own. */
  if (ca_file[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      own_session = fb_session_new_for_ca_file (ca_file, &error);
      if (own_session == NULL)
        g_message ("%s: %s", fb_feed_get_id (feed), error->message);
    }

  connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                             "url", fb_feed_get_url (feed),
                             "session", own_session ? own_session : self->session,
                             "idle-timeout", fb_feed_get_idle_timeout (feed),
                             NULL);
  resume_from_log (entry, connection);
  fb_sse_connection_set_network_available (connection, self->network_available ||
                                           fb_sse_connection_is_loopback (connection));
  if (authorization != NULL)
    fb_sse_connection_set_authorization (connection, authorization);

  fb_sse_connection_set_event_func (connection, connection_event_cb, entry, NULL);
  g_signal_connect (connection, "notify::state", G_CALLBACK (connection_notify_cb), entry);
  g_signal_connect (connection, "notify::retry-at", G_CALLBACK (connection_notify_cb), entry);
  fb_feed_set_connection (feed, connection);
  fb_sse_connection_start (connection);
  _fb_feed_manager_emit_changed (feed, self);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Entry *entry;
  char *secret;
  char *header = NULL;

  secret = fb_secrets_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  entry = user_data;
  g_clear_object (&entry->lookup);

  if (secret != NULL)
    {
      g_autofree char *username = g_settings_get_string (entry->settings, "username");
      gboolean token = g_settings_get_enum (entry->settings, "auth") == FB_AUTH_TOKEN;

      header = fb_secrets_authorization_header (token ? FB_SECRETS_KIND_TOKEN : FB_SECRETS_KIND_PASSWORD,
                                                username, secret);
      fb_secrets_free (secret);
    }
  else
    {
      /* Connect anyway: the server's 401 then tells the user what is missing. */
      g_message ("%s: no credentials in the keyring%s%s", fb_feed_get_id (entry->feed),
                 error ? ": " : "", error ? error->message : "");
    }

  start_connection (entry, header);
  fb_secrets_free (header);
}

/* (Re)creates the feed's connection from its current settings. */
void
_fb_feed_manager_restart_feed (FbFeedManager *self,
                               Entry         *entry)
{
  FbFeed *feed = entry->feed;
  FbSseConnection *old = fb_feed_get_connection (feed);
  gboolean same_url = FALSE;

  if (old != NULL)
    {
      same_url = g_strcmp0 (fb_sse_connection_get_url (old), fb_feed_get_url (feed)) == 0;
      g_signal_handlers_disconnect_matched (old, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, entry);
      fb_sse_connection_set_event_func (old, NULL, NULL, NULL);
      fb_sse_connection_stop (old);
      fb_feed_set_connection (feed, NULL);
    }

  /* A new address is a new stream: its ids mean nothing to the old one. */
  if (old != NULL && !same_url)
    fb_event_log_forget (entry->log);
  /* New settings, a new start: an old outage is no longer this feed's. */
  outage_forget (entry);

  g_cancellable_cancel (entry->lookup);
  g_clear_object (&entry->lookup);

  if (!fb_feed_get_enabled (feed) || fb_feed_get_url (feed)[0] == '\0')
    {
      _fb_feed_manager_emit_changed (feed, self);
      return;
    }

  switch (g_settings_get_enum (entry->settings, "auth"))
    {
    case FB_AUTH_TOKEN:
    case FB_AUTH_BASIC:
      entry->lookup = g_cancellable_new ();
      fb_secrets_lookup_async (fb_feed_get_id (feed),
                               g_settings_get_enum (entry->settings, "auth") == FB_AUTH_TOKEN
                                 ? FB_SECRETS_KIND_TOKEN : FB_SECRETS_KIND_PASSWORD,
                               entry->lookup, secret_cb, entry);
      break;
    default:
      start_connection (entry, NULL);
      break;
    }
}

static void
feed_config_changed_cb (FbFeed        *feed,
                        GParamSpec    *pspec,
                        FbFeedManager *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "url") || g_str_equal (name, "enabled"))
    {
      _fb_feed_manager_restart_feed (self, entry_for_feed (self, feed));
    }
  else if (g_str_equal (name, "idle-timeout"))
    {
      FbSseConnection *connection = fb_feed_get_connection (feed);

      if (connection != NULL)
        fb_sse_connection_set_idle_timeout (connection, fb_feed_get_idle_timeout (feed));
    }
  else
    {
      _fb_feed_manager_emit_changed (feed, self);
    }
}

static void
credentials_changed_cb (Entry *entry)
{
  _fb_feed_manager_restart_feed (entry->manager, entry);
}

Entry *
_fb_feed_manager_entry_new (FbFeedManager *self,
                            const char    *id)
{
  static const char * const keys[] = {
    "name", "url", "enabled", "format", "event-types", "idle-timeout", "muted",
  };
  g_autofree char *log_path = fb_event_log_path_for_feed (id);
  Entry *entry = g_new0 (Entry, 1);

  entry->manager = self;
  entry->feed = fb_feed_new (id);
  entry->settings = fb_feed_manager_dup_feed_settings (self, id);
  entry->log = fb_event_log_new (log_path);
  g_object_set_data (G_OBJECT (entry->feed), "fb-feed-manager", self);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (entry->settings, keys[i], entry->feed, keys[i], G_SETTINGS_BIND_GET);

  g_signal_connect (entry->feed, "notify", G_CALLBACK (feed_config_changed_cb), self);
  g_signal_connect_swapped (entry->settings, "changed::auth", G_CALLBACK (credentials_changed_cb), entry);
  g_signal_connect_swapped (entry->settings, "changed::username", G_CALLBACK (credentials_changed_cb), entry);
  g_signal_connect_swapped (entry->settings, "changed::ca-file", G_CALLBACK (credentials_changed_cb), entry);
  _fb_feed_manager_restart_feed (self, entry);

  return entry;
}
