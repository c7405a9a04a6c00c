/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-event-log"

#include "config.h"

#include "fb-event-log-private.h"

#include "fb-clock.h"

/*
 * Where a feed resumes, and which messages it has already shown.
 *
 * One small JSON file per feed: the last event id (sent back as
 * Last-Event-ID, or ntfy's `since=`) and the most recent ids, so a server
 * that replays an event after a reconnect is not shown twice. Writes are
 * atomic (write a temporary file, rename) and debounced; dispose flushes.
 * A file that cannot be read is set aside, never fatal: the feed starts
 * fresh and says so in the log.
 *
 * Every time it reads and every timer it arms is on its FbClock, so the
 * debounce can be tested exactly on a manual clock.
 */

G_DEFINE_FINAL_TYPE (FbEventLog, fb_event_log, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Adds @id to the seen set, the oldest dropped past FB_EVENT_LOG_SEEN_MAX. */
void
_fb_event_log_remember (FbEventLog *self,
                        const char *id)
{
  char *copy;

  if (g_hash_table_contains (self->seen, id))
    return;

  copy = g_strdup (id);
  g_queue_push_tail (&self->order, copy);
  g_hash_table_add (self->seen, copy);

  while (g_queue_get_length (&self->order) > FB_EVENT_LOG_SEEN_MAX)
    {
      char *oldest = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->seen, oldest);
      g_free (oldest);
    }
}

static void
save_now (FbEventLog *self)
{
  g_autoptr(GError) error = NULL;

  if (!fb_event_log_flush (self, &error) && !self->told_write_error)
    {
      self->told_write_error = TRUE;
      g_message ("Could not save %s: %s", self->path, error->message);
    }
}

static gboolean
save_cb (gpointer user_data)
{
  FbEventLog *self = user_data;

  self->save_id = 0;
  save_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_save (FbEventLog *self)
{
  gint64 now = fb_clock_get_monotonic (self->clock);

  self->dirty = TRUE;

  /* A stream that never pauses can keep the main loop too busy for the
   * timer to fire on time: past the debounce window, save right here, so
   * what a crash can replay stays bounded by the window whatever the load. */
  if (self->save_id != 0 && now >= self->save_due)
    {
      save_now (self);
      return;
    }

  if (self->save_id == 0)
    {
      self->save_due = now + (gint64) FB_EVENT_LOG_DEBOUNCE_MS * 1000;
      self->save_id = fb_clock_timeout_add (self->clock, FB_EVENT_LOG_DEBOUNCE_MS, save_cb, self);
    }
}

static void
fb_event_log_dispose (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);
  g_autoptr(GError) error = NULL;

  if (self->dirty && !fb_event_log_flush (self, &error))
    g_message ("Could not save %s: %s", self->path, error->message);
  fb_clock_clear_timeout (self->clock, &self->save_id);

  if (self->save_destroy != NULL)
    self->save_destroy (self->save_data);
  self->save_func = NULL;
  self->save_data = NULL;
  self->save_destroy = NULL;

  G_OBJECT_CLASS (fb_event_log_parent_class)->dispose (object);
}

static void
fb_event_log_finalize (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  g_clear_object (&self->clock);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->resume_param, g_free);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_queue_clear_full (&self->order, g_free);

  G_OBJECT_CLASS (fb_event_log_parent_class)->finalize (object);
}

static void
fb_event_log_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_event_log_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      /* Construct-only: a pending save stays on the clock that armed it. */
      self->clock = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_event_log_constructed (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  G_OBJECT_CLASS (fb_event_log_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (fb_clock_get_default ());
}

static void
fb_event_log_class_init (FbEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_event_log_dispose;
  object_class->finalize = fb_event_log_finalize;
  object_class->get_property = fb_event_log_get_property;
  object_class->set_property = fb_event_log_set_property;
  object_class->constructed = fb_event_log_constructed;

  /**
   * FbEventLog:clock:
   *
   * The time of last-seen stamps and of the debounced save: the system's
   * unless a test gives a manual one.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         FB_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_event_log_init (FbEventLog *self)
{
  self->seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->order);
}

/**
 * fb_event_log_new:
 * @path: the state file; read now if it exists
 *
 * Returns: (transfer full): the log, on the system's clock
 */
FbEventLog *
fb_event_log_new (const char *path)
{
  return fb_event_log_new_with_clock (path, NULL);
}

/**
 * fb_event_log_new_with_clock:
 * @path: the state file; read now if it exists
 * @clock: (nullable): the clock for its times and its save timer; %NULL
 *   for fb_clock_get_default()
 *
 * Returns: (transfer full): the log
 */
FbEventLog *
fb_event_log_new_with_clock (const char *path,
                             FbClock    *clock)
{
  FbEventLog *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (clock == NULL || FB_IS_CLOCK (clock), NULL);

  self = g_object_new (FB_TYPE_EVENT_LOG, "clock", clock, NULL);
  self->path = g_strdup (path);
  _fb_event_log_load (self);

  return self;
}

/**
 * fb_event_log_get_last_event_id:
 *
 * Returns: the id to resume after, "" when none
 */
const char *
fb_event_log_get_last_event_id (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->last_event_id ? self->last_event_id : "";
}

/**
 * fb_event_log_get_last_seen:
 *
 * Returns: the wall-clock time (µs) of the last recorded event, 0 if never
 */
gint64
fb_event_log_get_last_seen (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), 0);

  return self->last_seen;
}

/**
 * fb_event_log_has_seen:
 * @id: (nullable): an event's id
 *
 * Returns: whether this id was recorded recently; events without an id are never "seen"
 */
gboolean
fb_event_log_has_seen (FbEventLog *self,
                       const char *id)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  return id != NULL && id[0] != '\0' && g_hash_table_contains (self->seen, id);
}

/**
 * fb_event_log_get_resume_param:
 *
 * Returns: (nullable): the query parameter that carries the id on reconnect
 *   (ntfy's "since"), or %NULL when it goes in Last-Event-ID
 */
const char *
fb_event_log_get_resume_param (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->resume_param;
}

/**
 * fb_event_log_forget:
 *
 * Starts afresh: for a feed whose address changed.
 */
void
fb_event_log_forget (FbEventLog *self)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->resume_param, g_free);
  self->last_seen = 0;
  g_hash_table_remove_all (self->seen);
  g_queue_clear_full (&self->order, g_free);
  g_queue_init (&self->order);
  schedule_save (self);
}

/**
 * fb_event_log_record:
 * @id: (nullable): the id of an event that was just delivered
 * @resume_param: (nullable): how the server takes it back: %NULL for
 *   Last-Event-ID, or a query parameter such as "since"
 *
 * Makes @id the point to resume after and remembers it; saved soon.
 */
void
fb_event_log_record (FbEventLog *self,
                     const char *id,
                     const char *resume_param)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (id == NULL || id[0] == '\0')
    return;

  _fb_event_log_remember (self, id);
  g_free (self->last_event_id);
  self->last_event_id = g_strdup (id);
  if (g_strcmp0 (self->resume_param, resume_param) != 0)
    {
      g_free (self->resume_param);
      self->resume_param = g_strdup (resume_param);
    }
  self->last_seen = fb_clock_get_real (self->clock);
  schedule_save (self);
}

/* Message keys share the seen set with SSE ids under a prefix no id has,
 * so that a key such as "42" is not taken for the SSE id "42". */
#define KEY_PREFIX "key\x1f"

/**
 * fb_event_log_remember_key:
 * @key: a message's own key (a mapping's message key)
 *
 * Remembers @key among the messages shown, without moving the point to
 * resume after; saved soon.
 */
void
fb_event_log_remember_key (FbEventLog *self,
                           const char *key)
{
  g_autofree char *seen = NULL;

  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (key == NULL || key[0] == '\0')
    return;

  seen = g_strconcat (KEY_PREFIX, key, NULL);
  _fb_event_log_remember (self, seen);
  schedule_save (self);
}

/**
 * fb_event_log_has_seen_key:
 * @key: (nullable): a message's own key
 *
 * Returns: whether fb_event_log_remember_key() was given @key recently
 */
gboolean
fb_event_log_has_seen_key (FbEventLog *self,
                           const char *key)
{
  g_autofree char *seen = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  if (key == NULL || key[0] == '\0')
    return FALSE;

  seen = g_strconcat (KEY_PREFIX, key, NULL);
  return fb_event_log_has_seen (self, seen);
}

/**
 * fb_event_log_get_n_writes:
 *
 * Returns: how many times the file was written (for tests)
 */
guint
fb_event_log_get_n_writes (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), 0);

  return self->n_writes;
}
