/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench"

#include "config.h"

#include "fb-bench-util.h"

#include <stdio.h>
#include <string.h>

/* The emitter as a child process: its ports, its log lines, its commands. */

#define EMITTER_READY_MS 10000

struct _FbBenchEmitter
{
  GSubprocess  *process;
  GOutputStream *control;
  GThread      *reader;
  GAsyncQueue  *lines;
  GMutex        mutex;
  GPtrArray    *history;
  GArray       *ports;
};

static gpointer
emitter_reader_thread (gpointer user_data)
{
  FbBenchEmitter *self = user_data;
  g_autoptr(GDataInputStream) in = NULL;
  char *line;

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_mutex_lock (&self->mutex);
      g_ptr_array_add (self->history, g_strdup (line));
      g_mutex_unlock (&self->mutex);
      g_async_queue_push (self->lines, line);
    }
  g_async_queue_push (self->lines, g_strdup ("eof"));

  return NULL;
}

FbBenchEmitter *
fb_bench_emitter_start (const char * const  *args,
                        GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(FbBenchEmitter) self = g_new0 (FbBenchEmitter, 1);
  char *line;

  g_ptr_array_add (argv, (char *) fb_bench_env_path ("FB_BENCH_EMITTER", FB_BENCH_EMITTER_PATH));
  g_ptr_array_add (argv, "--control");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_mutex_init (&self->mutex);
  self->history = g_ptr_array_new_with_free_func (g_free);
  self->lines = g_async_queue_new_full (g_free);
  self->ports = g_array_new (FALSE, FALSE, sizeof (guint));
  self->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     error);
  if (self->process == NULL)
    return NULL;
  self->control = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->reader = g_thread_new ("emitter-reader", emitter_reader_thread, self);

  for (;;)
    {
      line = g_async_queue_timeout_pop (self->lines, (guint64) EMITTER_READY_MS * 1000);
      if (line == NULL || g_str_equal (line, "eof"))
        {
          g_free (line);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the emitter did not start");
          return NULL;
        }
      if (g_str_has_prefix (line, "port "))
        {
          guint port = 0;

          sscanf (line, "port %*u %u", &port);
          g_array_append_val (self->ports, port);
        }
      if (g_str_equal (line, "ready"))
        {
          g_free (line);
          break;
        }
      g_free (line);
    }

  return g_steal_pointer (&self);
}

guint
fb_bench_emitter_get_n_ports (FbBenchEmitter *self)
{
  return self->ports->len;
}

guint
fb_bench_emitter_get_port (FbBenchEmitter *self,
                           guint           index)
{
  g_return_val_if_fail (index < self->ports->len, 0);

  return g_array_index (self->ports, guint, index);
}

char *
fb_bench_emitter_dup_url (FbBenchEmitter *self,
                          guint           index)
{
  return g_strdup_printf ("http://127.0.0.1:%u/events", fb_bench_emitter_get_port (self, index));
}

void
fb_bench_emitter_command (FbBenchEmitter *self,
                          const char     *format,
                          ...)
{
  g_autofree char *command = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  command = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (command, "\n", NULL);
  g_output_stream_write_all (self->control, line, strlen (line), NULL, NULL, NULL);
  g_output_stream_flush (self->control, NULL, NULL);
}

char *
fb_bench_emitter_wait_line (FbBenchEmitter *self,
                            const char     *prefix,
                            guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      char *line;

      if (left <= 0)
        return NULL;
      line = g_async_queue_timeout_pop (self->lines, left);
      if (line == NULL)
        return NULL;
      if (g_str_equal (line, "eof"))
        {
          /* Keep it for later waits: the emitter is gone for good. */
          g_async_queue_push_front (self->lines, line);
          return NULL;
        }
      if (g_str_has_prefix (line, prefix))
        return line;
      g_free (line);
    }
}

GPtrArray *
fb_bench_emitter_dup_history (FbBenchEmitter *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->history->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (self->history, i)));
  g_mutex_unlock (&self->mutex);

  return copy;
}

void
fb_bench_emitter_free (FbBenchEmitter *self)
{
  if (self == NULL)
    return;

  if (self->control != NULL)
    {
      /* End of its stdin: the emitter closes everything and exits. */
      g_output_stream_close (self->control, NULL, NULL);
      g_clear_object (&self->control);
    }
  if (self->process != NULL && !g_subprocess_wait (self->process, NULL, NULL))
    g_subprocess_force_exit (self->process);
  if (self->reader != NULL)
    g_thread_join (self->reader);
  g_clear_object (&self->process);
  g_clear_pointer (&self->lines, g_async_queue_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->ports, g_array_unref);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

