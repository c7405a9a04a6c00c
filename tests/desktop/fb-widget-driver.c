/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-widget-driver.h"

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "fb-desktop-session.h"
#include "fb-test-utils.h"

/*
 * The C side of fb-atspi-driver.py: one JSON command per line on its stdin,
 * one JSON answer per line on its stdout. The script waits for each widget
 * with the command's deadline; we wait a little longer for its answer, and
 * end it if none comes.
 */

#define DEFAULT_TIMEOUT_MS  30000
#define ANSWER_SLACK_MS     5000
#define EXIT_MS             5000

struct _FbWidgetDriver
{
  GSubprocess      *process;
  GDataInputStream *output;
  char             *log_path;
  FbWidgetDumpFunc  dump;        /* fb_widget_driver_start()'s */
  gpointer          dump_data;
};

gboolean
fb_widget_driver_is_available (char **why_not)
{
  const char *python = g_getenv ("FEEDBELL_PYTHON");
  const char *argv[] = { python, "-c", "import pyatspi", NULL };
  int status = -1;

  if (python == NULL || g_getenv ("FEEDBELL_ATSPI_DRIVER") == NULL)
    *why_not = g_strdup ("FEEDBELL_PYTHON or FEEDBELL_ATSPI_DRIVER is not set");
  else if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                          NULL, NULL, NULL, NULL, &status, NULL) ||
           !g_spawn_check_wait_status (status, NULL))
    *why_not = g_strdup_printf ("%s cannot import pyatspi (Debian: python3-pyatspi)", python);

  return *why_not == NULL;
}

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* Async-signal-safe: the driver does not outlive a test that aborts. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

FbWidgetDriver *
fb_widget_driver_new (const char  *app_name,
                      const char  *log_path,
                      GError     **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(FbWidgetDriver) self = g_new0 (FbWidgetDriver, 1);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  self->process = g_subprocess_launcher_spawn (launcher, error, g_getenv ("FEEDBELL_PYTHON"),
                                               g_getenv ("FEEDBELL_ATSPI_DRIVER"), app_name, NULL);
  if (self->process == NULL)
    return NULL;

  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  self->log_path = g_strdup (log_path);
  return g_steal_pointer (&self);
}

void
fb_widget_driver_free (FbWidgetDriver *self)
{
  if (self == NULL)
    return;

  if (self->process != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
      if (fb_desktop_session_wait_exit (self->process, EXIT_MS) != 0)
        g_subprocess_force_exit (self->process);
    }
  g_clear_object (&self->output);
  g_clear_object (&self->process);
  g_free (self->log_path);
  g_free (self);
}

static void
add_members (JsonBuilder       *builder,
             const char * const (*members)[2],
             guint              n_members)
{
  for (guint i = 0; i < n_members; i++)
    if (members[i][1] != NULL)
      {
        json_builder_set_member_name (builder, members[i][0]);
        json_builder_add_string_value (builder, members[i][1]);
      }
}

static char *
command_to_json (const FbWidgetCommand *command)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char * const fields[][2] = {
    { "op", command->op }, { "window", command->window }, { "window_role", command->window_role },
    { "row", command->row }, { "text", command->text }, { "item", command->item },
  };
  const char * const target[][2] = {
    { "role", command->role }, { "name", command->name }, { "label", command->label },
    { "name_contains", command->name_contains },
  };

  json_builder_begin_object (builder);
  add_members (builder, fields, G_N_ELEMENTS (fields));
  json_builder_set_member_name (builder, "timeout_ms");
  json_builder_add_int_value (builder, command->timeout_ms ? command->timeout_ms : DEFAULT_TIMEOUT_MS);
  json_builder_set_member_name (builder, "target");
  json_builder_begin_object (builder);
  add_members (builder, target, G_N_ELEMENTS (target));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Plain quotes: the log may be read in the C locale. */
char *
fb_widget_command_describe (const FbWidgetCommand *command)
{
  GString *text = g_string_new (command->op);

  if (command->role != NULL)
    g_string_append_printf (text, " %s", command->role);
  if (command->name != NULL)
    g_string_append_printf (text, " '%s'", command->name);
  if (command->name_contains != NULL)
    g_string_append_printf (text, " whose name contains '%s'", command->name_contains);
  if (command->label != NULL)
    g_string_append_printf (text, " labelled '%s'", command->label);
  if (command->item != NULL)
    g_string_append_printf (text, " item '%s'", command->item);
  if (command->row != NULL)
    g_string_append_printf (text, " in the row of '%s'", command->row);
  if (command->window != NULL)
    g_string_append_printf (text, " in the window '%s'", command->window);
  if (command->window_role != NULL)
    g_string_append_printf (text, " in the %s", command->window_role);

  return g_string_free (text, FALSE);
}

typedef struct
{
  gboolean  done;
  char     *line;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, NULL);
  read->done = TRUE;
}

static gboolean
line_read_done_cb (gpointer user_data)
{
  return ((LineRead *) user_data)->done;
}

/* The next line of the driver's output; NULL if none came in time (the
 * driver is then ended) or it has gone. */
static char *
read_line (FbWidgetDriver *self,
           guint           timeout_ms)
{
  LineRead read = { FALSE, NULL };

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, NULL, line_read_cb, &read);
  if (!fb_desktop_session_wait (line_read_done_cb, &read, timeout_ms))
    {
      /* Its pipe closes: the read ends, and @read may go. */
      g_subprocess_force_exit (self->process);
      fb_test_wait_until (line_read_done_cb, &read, G_MAXINT);
    }

  return read.line;
}

static JsonObject *
parse_answer (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (line == NULL || !json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonObject *
fb_widget_driver_run (FbWidgetDriver         *self,
                      const FbWidgetCommand  *command,
                      char                  **tree,
                      GError                **error)
{
  g_autofree char *json = command_to_json (command);
  g_autofree char *line = NULL;
  g_autoptr(GString) request = g_string_new (json);
  g_autoptr(JsonObject) answer = NULL;
  guint timeout_ms = (command->timeout_ms ? command->timeout_ms : DEFAULT_TIMEOUT_MS) + ANSWER_SLACK_MS;

  g_return_val_if_fail (self != NULL, NULL);

  g_string_append_c (request, '\n');
  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (self->process), request->str, request->len,
                                  NULL, NULL, error))
    return NULL;

  line = read_line (self, timeout_ms);
  answer = parse_answer (line);
  if (answer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "no answer within %u ms", timeout_ms);
      return NULL;
    }

  if (!json_object_get_boolean_member_with_default (answer, "ok", FALSE))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           json_object_get_string_member_with_default (answer, "error", "?"));
      if (tree != NULL)
        *tree = g_strdup (json_object_get_string_member_with_default (answer, "tree", ""));
      return NULL;
    }

  return g_steal_pointer (&answer);
}

FbWidgetDriver *
fb_widget_driver_start (FbDesktopSession *session,
                        FbWidgetDumpFunc  dump,
                        gpointer          dump_data)
{
  g_autofree char *log_path = NULL;
  g_autoptr(GError) error = NULL;
  FbWidgetDriver *self;

  g_return_val_if_fail (session != NULL, NULL);

  /* In the session's directory: gone with it, and searched with it by the
   * tests that look for a secret on disk. */
  log_path = g_build_filename (fb_desktop_session_get_dir (session), "atspi-driver.log", NULL);
  self = fb_widget_driver_new ("feedbell", log_path, &error);
  g_assert_no_error (error);
  self->dump = dump;
  self->dump_data = dump_data;

  return self;
}

JsonObject *
fb_widget_driver_drive (FbWidgetDriver        *self,
                        const FbWidgetCommand *command)
{
  g_autofree char *what = fb_widget_command_describe (command);
  g_autofree char *tree = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *answer;

  g_return_val_if_fail (self != NULL, NULL);

  answer = fb_widget_driver_run (self, command, &tree, &error);
  if (answer == NULL)
    {
      g_autofree char *message = g_strdup_printf ("The AT-SPI driver could not %s: %s", what,
                                                  error->message);

      if (tree != NULL)
        g_test_message ("The app's widgets:\n%s", tree);
      if (self->dump != NULL)
        self->dump (self->dump_data);
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }

  g_test_message ("Driver: %s", what);
  return answer;
}

void
fb_widget_driver_print_log (FbWidgetDriver *self)
{
  g_autofree char *log = NULL;

  if (self == NULL || self->log_path == NULL)
    return;

  if (g_file_get_contents (self->log_path, &log, NULL, NULL) && log[0] != '\0')
    g_test_message ("AT-SPI driver's stderr:\n%s", log);
}
