/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-runner"

#include "config.h"

#include "fb-feed-runner-private.h"

#include "fb-secrets.h"
#include "fb-session.h"
#include "fb-sse-connection.h"

/*
 * One feed's pipeline, from its settings to the messages it sends:
 *  - its settings bound to an FbFeed, followed live (a new URL, credentials
 *    or CA file restart the stream; a new name only says "changed");
 *  - its credentials, read from the keyring before each start;
 *  - its FbSseConnection, made from both, resumed from the feed's
 *    FbEventLog (Last-Event-ID, or ntfy's since=);
 *  - every event read by the feed's format into an FbMessage, or ignored
 *    by its rules (fb-feed-runner-reading.c), replays dropped by the event
 *    log, and the backlog right after a resume marked as catch-up;
 *  - outages that last turned into notes (fb-feed-runner-outage.c);
 *  - a snooze, ended by a timer the runner owns.
 *
 * It emits:
 *  - changed: the feed's state, error, name or snooze changed;
 *  - message (FbMessage, catch-up): a message that should reach the user;
 *    catch-up is TRUE for the backlog a server replays right after a
 *    stream resumes, so it can be summed up rather than shown one by one;
 *  - note (FbMessage): Feedbell's own word about the feed, for Recent.
 *
 * After fb_feed_runner_shutdown() it emits nothing and starts nothing.
 */

/* Events this soon after a resumed stream opens are its backlog. */
#define CATCH_UP_US (2 * G_USEC_PER_SEC)

enum {
  CHANGED,
  MESSAGE,
  NOTE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FbFeedRunner, fb_feed_runner, G_TYPE_OBJECT)

void
_fb_feed_runner_emit_changed (FbFeedRunner *self)
{
  if (!self->shut_down)
    g_signal_emit (self, signals[CHANGED], 0);
}

void
_fb_feed_runner_emit_note (FbFeedRunner *self,
                           FbMessage    *note)
{
  if (!self->shut_down)
    g_signal_emit (self, signals[NOTE], 0, note);
}

/* --- the connection ------------------------------------------------------ */

static void
connection_notify_cb (FbSseConnection *connection,
                      GParamSpec      *pspec,
                      FbFeedRunner    *self)
{
  FbSseState state = fb_sse_connection_get_state (connection);

  if (g_str_equal (g_param_spec_get_name (pspec), "state"))
    {
      if (state == FB_SSE_STATE_OPEN)
        _fb_feed_runner_connected (self);
      if (state == FB_SSE_STATE_OPEN && fb_event_log_get_last_event_id (self->log)[0] != '\0')
        self->catch_up_until = fb_clock_get_monotonic (self->clock) + CATCH_UP_US;
      _fb_feed_runner_track_outage (self, state);
    }

  _fb_feed_runner_emit_changed (self);
}

static void
connection_event_cb (FbSseConnection  *connection,
                     const FbSseEvent *event,
                     gpointer          user_data)
{
  FbFeedRunner *self = user_data;
  g_autoptr(FbMessage) message = NULL;

  if (!fb_feed_accepts_type (self->feed, event->type, event->type_len))
    return;

  message = _fb_feed_runner_read_event (self, connection, event);
  if (message != NULL)
    g_signal_emit (self, signals[MESSAGE], 0, message,
                   fb_clock_get_monotonic (self->clock) < self->catch_up_until);
}

static void
resume_from_log (FbFeedRunner    *self,
                 FbSseConnection *connection)
{
  const char *id = fb_event_log_get_last_event_id (self->log);
  const char *param = fb_event_log_get_resume_param (self->log);

  if (id[0] == '\0')
    return;

  if (param != NULL)
    fb_sse_connection_set_query_param (connection, param, id);
  else
    fb_sse_connection_set_last_event_id (connection, id);
}

/* What the network monitor says, except to a feed on loopback, which
 * never waits for a network. */
static void
tell_network (FbFeedRunner    *self,
              FbSseConnection *connection)
{
  fb_sse_connection_set_network_available (connection, self->network_available ||
                                           fb_sse_connection_is_loopback (connection));
}

/* A feed with its own certificate authority gets a session of its own. */
static SoupSession *
dup_session (FbFeedRunner *self)
{
  g_autofree char *ca_file = g_settings_get_string (self->settings, "ca-file");
  g_autoptr(GError) error = NULL;
  SoupSession *session;

  if (ca_file[0] == '\0')
    return g_object_ref (self->session);

  session = fb_session_new (ca_file, &error);
  if (session == NULL)
    {
      g_message ("%s: %s", fb_feed_get_id (self->feed), error->message);
      return g_object_ref (self->session);
    }

  return session;
}

static void
start_connection (FbFeedRunner *self,
                  const char   *authorization)
{
  g_autoptr(FbSseConnection) connection = NULL;
  g_autoptr(SoupSession) session = dup_session (self);

  connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                             "url", fb_feed_get_url (self->feed),
                             "session", session,
                             "idle-timeout", fb_feed_get_idle_timeout (self->feed),
                             NULL);
  /* Followed live, also on an open stream (drop_connection() unbinds it). */
  g_settings_bind (self->settings, "max-event-size", connection, "max-event-size", G_SETTINGS_BIND_GET);
  resume_from_log (self, connection);
  tell_network (self, connection);
  if (authorization != NULL)
    fb_sse_connection_set_authorization (connection, authorization);
  /* Kept for the requests made on the feed's behalf (action buttons, images). */
  g_set_object (&self->stream_session, session);
  g_clear_pointer (&self->authorization, fb_secrets_free);
  self->authorization = g_strdup (authorization);

  fb_sse_connection_set_event_func (connection, connection_event_cb, self, NULL);
  g_signal_connect (connection, "notify::state", G_CALLBACK (connection_notify_cb), self);
  g_signal_connect (connection, "notify::retry-at", G_CALLBACK (connection_notify_cb), self);
  fb_feed_set_connection (self->feed, connection);
  fb_sse_connection_start (connection);
  _fb_feed_runner_emit_changed (self);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbFeedRunner *self;
  char *secret;
  char *header = NULL;

  secret = fb_secrets_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->lookup);

  if (secret != NULL)
    {
      g_autofree char *username = g_settings_get_string (self->settings, "username");
      FbAuth auth = g_settings_get_enum (self->settings, "auth");

      header = fb_secrets_authorization_header (fb_secrets_kind_for_auth (auth), username, secret);
      fb_secrets_free (secret);
    }
  else
    {
      /* Connect anyway: the server's 401 then tells the user what is missing. */
      g_message ("%s: no credentials in the keyring%s%s", fb_feed_get_id (self->feed),
                 error ? ": " : "", error ? error->message : "");
    }

  start_connection (self, header);
  fb_secrets_free (header);
}

/* Stops and drops the connection, so that nothing it does reaches us again. */
static FbSseConnection *
drop_connection (FbFeedRunner *self)
{
  FbSseConnection *old = fb_feed_get_connection (self->feed);

  g_clear_object (&self->stream_session);
  g_clear_pointer (&self->authorization, fb_secrets_free);
  if (old == NULL)
    return NULL;

  g_object_ref (old);
  g_settings_unbind (old, "max-event-size");
  g_signal_handlers_disconnect_by_data (old, self);
  fb_sse_connection_set_event_func (old, NULL, NULL, NULL);
  fb_sse_connection_stop (old);
  fb_feed_set_connection (self->feed, NULL);

  return old;
}

/**
 * fb_feed_runner_restart:
 *
 * (Re)creates the feed's connection from its current settings: credentials
 * first, then the stream.
 */
void
fb_feed_runner_restart (FbFeedRunner *self)
{
  g_autoptr(FbSseConnection) old = NULL;
  const char *kind;

  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  if (self->shut_down)
    return;

  old = drop_connection (self);
  /* A new address is a new stream: its ids mean nothing to the old one. */
  if (old != NULL && g_strcmp0 (fb_sse_connection_get_url (old), fb_feed_get_url (self->feed)) != 0)
    fb_event_log_forget (self->log);
  /* New settings, a new start: an old outage is no longer this feed's. */
  _fb_feed_runner_forget_outage (self);

  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);

  if (!fb_feed_get_enabled (self->feed) || fb_feed_get_url (self->feed)[0] == '\0')
    {
      _fb_feed_runner_emit_changed (self);
      return;
    }

  kind = fb_secrets_kind_for_auth (g_settings_get_enum (self->settings, "auth"));
  if (kind == NULL)
    {
      start_connection (self, NULL);
      return;
    }

  self->lookup = g_cancellable_new ();
  fb_secrets_lookup_async (fb_feed_get_id (self->feed), kind, self->lookup, secret_cb, self);
}

/* --- settings ------------------------------------------------------------ */

static void
feed_notify_cb (FbFeed       *feed,
                GParamSpec   *pspec,
                FbFeedRunner *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "url") || g_str_equal (name, "enabled"))
    {
      fb_feed_runner_restart (self);
    }
  else if (g_str_equal (name, "idle-timeout"))
    {
      FbSseConnection *connection = fb_feed_get_connection (feed);

      if (connection != NULL)
        fb_sse_connection_set_idle_timeout (connection, fb_feed_get_idle_timeout (feed));
    }
  else
    {
      _fb_feed_runner_emit_changed (self);
    }
}

static void
bind_settings (FbFeedRunner *self)
{
  static const char * const keys[] = {
    "name", "url", "enabled", "format", "event-types", "idle-timeout", "muted", "min-priority",
  };
  static const char * const credential_keys[] = {
    "changed::auth", "changed::username", "changed::ca-file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (self->settings, keys[i], self->feed, keys[i], G_SETTINGS_BIND_GET);

  g_signal_connect (self->feed, "notify", G_CALLBACK (feed_notify_cb), self);
  for (guint i = 0; i < G_N_ELEMENTS (credential_keys); i++)
    g_signal_connect_swapped (self->settings, credential_keys[i], G_CALLBACK (fb_feed_runner_restart), self);
  _fb_feed_runner_bind_reading (self);
}

/* --- snooze ------------------------------------------------------------- */

static gboolean
snooze_over_cb (gpointer user_data)
{
  FbFeedRunner *self = user_data;

  self->snooze_id = 0;
  fb_feed_set_snoozed_until (self->feed, 0);

  return G_SOURCE_REMOVE;
}

/**
 * fb_feed_runner_snooze:
 * @seconds: for how long the feed notifies nothing
 *
 * Snoozes the feed; the tray says so when the snooze ends.
 */
void
fb_feed_runner_snooze (FbFeedRunner *self,
                       guint         seconds)
{
  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  fb_clock_clear_timeout (self->clock, &self->snooze_id);
  fb_feed_set_snoozed_until (self->feed,
                             fb_clock_get_real (self->clock) + (gint64) seconds * G_USEC_PER_SEC);
  self->snooze_id = fb_clock_timeout_add (self->clock, (guint) MIN (seconds, G_MAXUINT / 1000) * 1000,
                                          snooze_over_cb, self);
}

void
fb_feed_runner_end_snooze (FbFeedRunner *self)
{
  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  fb_clock_clear_timeout (self->clock, &self->snooze_id);
  fb_feed_set_snoozed_until (self->feed, 0);
}

/* --- what the machine says ---------------------------------------------- */

/**
 * fb_feed_runner_set_network_available:
 *
 * What the network monitor says; a feed on loopback never waits for it.
 */
void
fb_feed_runner_set_network_available (FbFeedRunner *self,
                                      gboolean      available)
{
  FbSseConnection *connection;

  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  self->network_available = available;
  connection = fb_feed_get_connection (self->feed);
  if (connection != NULL)
    tell_network (self, connection);
}

/**
 * fb_feed_runner_reconnect_now:
 *
 * Drops the stream, if any, and connects again at once.
 */
void
fb_feed_runner_reconnect_now (FbFeedRunner *self)
{
  FbSseConnection *connection;

  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  connection = fb_feed_get_connection (self->feed);
  if (connection != NULL)
    fb_sse_connection_reconnect_now (connection);
}

/**
 * fb_feed_runner_flush:
 *
 * Writes the feed's event log now: before the machine sleeps, or on quit.
 */
gboolean
fb_feed_runner_flush (FbFeedRunner  *self,
                      GError       **error)
{
  g_return_val_if_fail (FB_IS_FEED_RUNNER (self), FALSE);

  return fb_event_log_flush (self->log, error);
}

/* --- the type ------------------------------------------------------------ */

/**
 * fb_feed_runner_shutdown:
 *
 * Stops the feed for good: its connection, its keyring lookup, its timers.
 * From here on the runner emits nothing, whoever still holds it.
 */
void
fb_feed_runner_shutdown (FbFeedRunner *self)
{
  g_autoptr(FbSseConnection) old = NULL;

  g_return_if_fail (FB_IS_FEED_RUNNER (self));

  if (self->shut_down)
    return;

  self->shut_down = TRUE;
  g_signal_handlers_disconnect_by_data (self->feed, self);
  g_signal_handlers_disconnect_by_data (self->settings, self);
  old = drop_connection (self);
  _fb_feed_runner_forget_outage (self);
  fb_clock_clear_timeout (self->clock, &self->snooze_id);
  _fb_feed_runner_stop_reading (self);
  g_cancellable_cancel (self->lookup);
  g_clear_object (&self->lookup);
}

static void
fb_feed_runner_dispose (GObject *object)
{
  FbFeedRunner *self = FB_FEED_RUNNER (object);

  fb_feed_runner_shutdown (self);
  g_clear_object (&self->log);
  g_clear_object (&self->settings);
  g_clear_object (&self->app_settings);
  g_clear_object (&self->session);
  g_clear_object (&self->stream_session);
  g_clear_pointer (&self->authorization, fb_secrets_free);
  g_clear_object (&self->feed);
  g_clear_object (&self->clock);
  g_clear_object (&self->reader);
  g_clear_pointer (&self->content_error, g_free);
  g_clear_pointer (&self->last_render_error, g_free);

  G_OBJECT_CLASS (fb_feed_runner_parent_class)->dispose (object);
}

static void
fb_feed_runner_class_init (FbFeedRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_feed_runner_dispose;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, FB_TYPE_MESSAGE, G_TYPE_BOOLEAN);
  signals[NOTE] =
    g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, FB_TYPE_MESSAGE);
}

static void
fb_feed_runner_init (FbFeedRunner *self)
{
  self->network_available = TRUE;
}

/**
 * fb_feed_runner_new:
 * @id: the feed's id
 * @feed_settings: the feed's settings (`io.github.feedbell.Feedbell.Feed`)
 * @app_settings: the app's settings, for `unreachable-note-after`
 * @session: the session its stream shares with other feeds
 * @clock: the clock for its timers
 * @history: (nullable): where its resume position is kept, in step with its
 *   messages (fb_history_attach_event_log()); %NULL: in its own file
 *
 * Returns: (transfer full): a runner that starts the feed on
 *   fb_feed_runner_restart()
 */
FbFeedRunner *
fb_feed_runner_new (const char  *id,
                    GSettings   *feed_settings,
                    GSettings   *app_settings,
                    SoupSession *session,
                    FbClock     *clock,
                    FbHistory   *history)
{
  FbFeedRunner *self;
  g_autofree char *log_path = NULL;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (G_IS_SETTINGS (feed_settings), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (app_settings), NULL);
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (FB_IS_CLOCK (clock), NULL);

  log_path = fb_event_log_path_for_feed (id);
  self = g_object_new (FB_TYPE_FEED_RUNNER, NULL);
  self->feed = fb_feed_new (id);
  self->settings = g_object_ref (feed_settings);
  self->app_settings = g_object_ref (app_settings);
  self->session = g_object_ref (session);
  self->clock = g_object_ref (clock);
  self->log = fb_event_log_new_with_clock (log_path, clock);
  if (history != NULL)
    fb_history_attach_event_log (history, id, self->log);
  bind_settings (self);

  return self;
}

/**
 * fb_feed_runner_get_feed:
 *
 * Returns: (transfer none): the feed it runs
 */
FbFeed *
fb_feed_runner_get_feed (FbFeedRunner *self)
{
  g_return_val_if_fail (FB_IS_FEED_RUNNER (self), NULL);

  return self->feed;
}

/**
 * fb_feed_runner_get_session:
 *
 * Returns: (transfer none): the session of the feed's stream (its own when
 *   it has a CA file), for requests made on the feed's behalf
 */
SoupSession *
fb_feed_runner_get_session (FbFeedRunner *self)
{
  g_return_val_if_fail (FB_IS_FEED_RUNNER (self), NULL);

  return self->stream_session != NULL ? self->stream_session : self->session;
}

/**
 * fb_feed_runner_get_authorization:
 *
 * Returns: (nullable): the `Authorization` value the feed's stream sends,
 *   %NULL without credentials or stream. A secret: only for the feed's own
 *   origin, never logged
 */
const char *
fb_feed_runner_get_authorization (FbFeedRunner *self)
{
  g_return_val_if_fail (FB_IS_FEED_RUNNER (self), NULL);

  return self->authorization;
}
