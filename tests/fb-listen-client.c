/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-listen-client.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#define READ_BLOCK   (64 * 1024)
#define STDERR_KEEP  (16 * 1024)

struct _FbListenClient
{
  gint             ref_count;   /* one for the owner, one per operation in flight */
  gboolean         freed;
  GSubprocess     *process;
  GCancellable    *cancellable;
  GInputStream    *out;
  GInputStream    *err;
  guint8          *out_buf;
  guint8          *err_buf;
  GString         *partial;     /* stdout after the last newline */
  GString         *err_text;    /* the tail of stderr */
  FbListenLineFunc  line_func;
  FbListenDoneFunc  done_func;
  gpointer         user_data;
  guint64          n_lines;
  gint64           started_at;
  gboolean         out_done;
  gboolean         err_done;
  gboolean         exited;
  gboolean         told_done;
  guint            done_idle_id;
};

static FbListenClient *
client_ref (FbListenClient *self)
{
  self->ref_count++;
  return self;
}

static void
client_unref (FbListenClient *self)
{
  if (--self->ref_count > 0)
    return;

  g_clear_object (&self->out);
  g_clear_object (&self->err);
  g_clear_object (&self->process);
  g_clear_object (&self->cancellable);
  g_free (self->out_buf);
  g_free (self->err_buf);
  g_string_free (self->partial, TRUE);
  g_string_free (self->err_text, TRUE);
  g_free (self);
}

static gboolean
done_idle_cb (gpointer user_data)
{
  FbListenClient *self = user_data;

  self->done_idle_id = 0;
  if (self->done_func != NULL)
    self->done_func (self, self->user_data);

  return G_SOURCE_REMOVE;
}

/* The done callback runs from an idle, so it may free the client. */
static void
maybe_done (FbListenClient *self)
{
  if (self->told_done || !fb_listen_client_is_done (self))
    return;

  self->told_done = TRUE;
  self->done_idle_id = g_idle_add (done_idle_cb, self);
}

/* @buf is ours until the next read: lines are NUL-terminated in place. */
static void
split_lines (FbListenClient *self,
             guint8         *buf,
             gsize           len,
             gint64          now)
{
  guint8 *end = buf + len;

  while (buf < end)
    {
      guint8 *nl = memchr (buf, '\n', end - buf);

      if (nl == NULL)
        {
          g_string_append_len (self->partial, (const char *) buf, end - buf);
          return;
        }

      self->n_lines++;
      *nl = '\0';
      if (self->partial->len > 0)
        {
          g_string_append_len (self->partial, (const char *) buf, nl - buf);
          self->line_func (self, self->partial->str, self->partial->len, now, self->user_data);
          g_string_truncate (self->partial, 0);
        }
      else
        {
          self->line_func (self, (const char *) buf, nl - buf, now, self->user_data);
        }
      buf = nl + 1;
    }
}

static void read_out (FbListenClient *self);
static void read_err (FbListenClient *self);


static void
out_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbListenClient *self = user_data;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (self->freed)
    ;
  else if (n <= 0)
    {
      self->out_done = TRUE;
      maybe_done (self);
    }
  else
    {
      split_lines (self, self->out_buf, n, g_get_monotonic_time ());
      read_out (self);
    }
  client_unref (self);
}

static void
read_out (FbListenClient *self)
{
  g_input_stream_read_async (self->out, self->out_buf, READ_BLOCK, G_PRIORITY_DEFAULT,
                             self->cancellable, out_read_cb, client_ref (self));
}

static void
err_read_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbListenClient *self = user_data;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (self->freed)
    ;
  else if (n <= 0)
    {
      self->err_done = TRUE;
      maybe_done (self);
    }
  else
    {
      g_string_append_len (self->err_text, (const char *) self->err_buf, n);
      if (self->err_text->len > STDERR_KEEP)
        g_string_erase (self->err_text, 0, self->err_text->len - STDERR_KEEP / 2);
      read_err (self);
    }
  client_unref (self);
}

static void
read_err (FbListenClient *self)
{
  g_input_stream_read_async (self->err, self->err_buf, 4096, G_PRIORITY_DEFAULT,
                             self->cancellable, err_read_cb, client_ref (self));
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbListenClient *self = user_data;

  if (g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error) && !self->freed)
    {
      self->exited = TRUE;
      maybe_done (self);
    }
  client_unref (self);
}

/* A test that crashes must not leave its clients running. */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * fb_listen_client_spawn:
 * @args: arguments after the program name, NULL-terminated
 *
 * Returns: (transfer full): the running client, or %NULL with @error set
 */
FbListenClient *
fb_listen_client_spawn (const char * const *args,
                        FbListenLineFunc    line_func,
                        FbListenDoneFunc    done_func,
                        gpointer            user_data,
                        GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) argv = NULL;
  const char *program = g_getenv ("FEEDBELL_LISTEN");
  FbListenClient *self;
  GSubprocess *process;

  g_return_val_if_fail (program != NULL, NULL);

  g_strv_builder_add (builder, program);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (process == NULL)
    return NULL;

  self = g_new0 (FbListenClient, 1);
  self->ref_count = 1;
  self->process = process;
  self->started_at = g_get_monotonic_time ();
  self->cancellable = g_cancellable_new ();
  self->out = g_object_ref (g_subprocess_get_stdout_pipe (process));
  self->err = g_object_ref (g_subprocess_get_stderr_pipe (process));
  self->out_buf = g_malloc (READ_BLOCK + 1);
  self->err_buf = g_malloc (4096);
  self->partial = g_string_new (NULL);
  self->err_text = g_string_new (NULL);
  self->line_func = line_func;
  self->done_func = done_func;
  self->user_data = user_data;

  read_out (self);
  read_err (self);
  g_subprocess_wait_async (process, self->cancellable, wait_cb, client_ref (self));

  return self;
}

void
fb_listen_client_free (FbListenClient *self)
{
  if (self == NULL)
    return;

  if (!self->exited)
    g_subprocess_force_exit (self->process);
  self->freed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->done_idle_id, g_source_remove);
  /* The operations still in flight hold their references until they return. */
  client_unref (self);
}

gboolean
fb_listen_client_is_done (FbListenClient *self)
{
  return self->exited && self->out_done && self->err_done;
}

gboolean
fb_listen_client_has_exited (FbListenClient *self)
{
  return self->exited;
}

int
fb_listen_client_get_status (FbListenClient *self)
{
  g_return_val_if_fail (self->exited, G_MININT);

  if (g_subprocess_get_if_signaled (self->process))
    return -g_subprocess_get_term_sig (self->process);

  return g_subprocess_get_exit_status (self->process);
}

const char *
fb_listen_client_get_identifier (FbListenClient *self)
{
  return g_subprocess_get_identifier (self->process);
}

void
fb_listen_client_send_signal (FbListenClient *self,
                              int             signum)
{
  /* Our own child, by its id (GSubprocess does nothing once it was reaped). */
  g_subprocess_send_signal (self->process, signum);
}

const char *
fb_listen_client_get_stderr (FbListenClient *self)
{
  return self->err_text->str;
}

gsize
fb_listen_client_get_torn_bytes (FbListenClient *self)
{
  return self->partial->len;
}

guint64
fb_listen_client_get_n_lines (FbListenClient *self)
{
  return self->n_lines;
}

gint64
fb_listen_client_get_started_at (FbListenClient *self)
{
  return self->started_at;
}

/* A number after "\n@key" in /proc/PID/@file. */
static guint64
read_proc_number (FbListenClient *self,
                  const char     *file,
                  const char     *key)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *needle = g_strconcat ("\n", key, NULL);
  const char *pid = fb_listen_client_get_identifier (self);
  const char *found;

  if (pid == NULL)
    return 0;

  path = g_strdup_printf ("/proc/%s/%s", pid, file);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;

  /* The first line has no newline before it. */
  if (g_str_has_prefix (contents, key))
    found = contents - 1;
  else if ((found = strstr (contents, needle)) == NULL)
    return 0;

  return g_ascii_strtoull (found + strlen (needle), NULL, 10);
}

guint64
fb_listen_client_read_vm_hwm_kb (FbListenClient *self)
{
  return read_proc_number (self, "status", "VmHWM:");
}

static void
drop_log_cb (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
}

void
fb_listen_client_silence_gio_debug (void)
{
  g_log_set_handler ("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log_cb, NULL);
}
