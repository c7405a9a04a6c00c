/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-image-cache"

#include "config.h"

#include "fb-image-cache-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The cache directory: its files' names, their access times, and the
 * worker thread that saves an image and then keeps the directory within
 * its bound, least recently used files first.
 */

/* The store thread's task data. */
typedef struct
{
  GdkPixbufLoader *loader;
  char            *dir;
  char            *name;
  guint64          max_bytes;
  gint64           mtime_us;
} StoreJob;

char *
_fb_image_cache_file_name (const char *url,
                           guint       side)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);

  return g_strdup_printf ("%s-%u.png", hash, side);
}

/* Whether @name is one of the cache's files, not a temporary one. */
static gboolean
is_cache_file_name (const char *name)
{
  const char *p = name;

  for (guint i = 0; i < 64; i++, p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  if (*p++ != '-' || !g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;

  return strcmp (p, ".png") == 0;
}

/* Sets a regular file's modification time, its last use: whether it
 * exists. */
gboolean
_fb_image_cache_touch (const char *path,
                       gint64      mtime_us)
{
  struct timespec times[2] = {
    { .tv_sec = 0, .tv_nsec = UTIME_OMIT },
    { .tv_sec = mtime_us / G_USEC_PER_SEC, .tv_nsec = (mtime_us % G_USEC_PER_SEC) * 1000 },
  };
  struct stat st;

  if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;

  return utimensat (AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0;
}

typedef struct
{
  char    *name;
  guint64  size;
  gint64   mtime_us;
} CacheFile;

static void
cache_file_clear (CacheFile *file)
{
  g_free (file->name);
}

static int
compare_by_use (gconstpointer a,
                gconstpointer b)
{
  const CacheFile *fa = a;
  const CacheFile *fb = b;

  if (fa->mtime_us != fb->mtime_us)
    return fa->mtime_us < fb->mtime_us ? -1 : 1;

  return strcmp (fa->name, fb->name);
}

/* Removes the least recently used files of @dir, never @keep, until they
 * hold at most @max_bytes. */
static void
evict (const char *dir,
       guint64     max_bytes,
       const char *keep)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GArray) files = NULL;
  guint64 total = 0;
  const char *name;

  listing = g_dir_open (dir, 0, NULL);
  if (listing == NULL)
    return;

  files = g_array_new (FALSE, FALSE, sizeof (CacheFile));
  g_array_set_clear_func (files, (GDestroyNotify) cache_file_clear);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = NULL;
      CacheFile file;
      struct stat st;

      if (!is_cache_file_name (name))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;

      file.name = g_strdup (name);
      file.size = st.st_size;
      file.mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
      g_array_append_val (files, file);
      total += file.size;
    }

  g_array_sort (files, compare_by_use);
  for (guint i = 0; i < files->len && total > max_bytes; i++)
    {
      CacheFile *file = &g_array_index (files, CacheFile, i);
      g_autofree char *path = NULL;

      if (strcmp (file->name, keep) == 0)
        continue;
      path = g_build_filename (dir, file->name, NULL);
      if (g_unlink (path) == 0)
        g_debug ("evicted %s", file->name);
      else if (errno != ENOENT)
        continue;
      total -= file->size;
    }
}

static void
store_job_free (StoreJob *job)
{
  g_clear_object (&job->loader);
  g_free (job->dir);
  g_free (job->name);
  g_free (job);
}

/* In a worker thread: the image scaled (by its loader), saved as PNG, the
 * cache kept within its bound. The loader is closed and this thread's
 * alone. */
static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FbImageCache *self = source_object;
  StoreJob *job = task_data;
  g_autofree char *path = g_build_filename (job->dir, job->name, NULL);
  g_autofree char *png = NULL;
  gsize png_len = 0;
  GError *error = NULL;
  GdkPixbuf *pixbuf;

  pixbuf = gdk_pixbuf_loader_get_pixbuf (job->loader);
  if (pixbuf == NULL)
    {
      g_task_return_new_error (task, FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_DECODE,
                               _("The image cannot be read: %s"), _("no image in the data"));
      return;
    }

  /* Only the pixels: no text or profile of the original is written. */
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &png, &png_len, "png", &error, NULL))
    {
      g_task_return_error (task, error);
      return;
    }

  if (g_mkdir_with_parents (job->dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               _("Cannot make the image cache %s: %s"),
                               job->dir, g_strerror (saved_errno));
      return;
    }

  if (!g_file_set_contents_full (path, png, png_len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _fb_image_cache_touch (path, job->mtime_us);

  g_mutex_lock (&self->evict_lock);
  evict (job->dir, job->max_bytes, job->name);
  g_mutex_unlock (&self->evict_lock);

  g_task_return_pointer (task, g_steal_pointer (&path), g_free);
}

/* Saves the image of a closed @loader as @name, in a worker thread: the
 * loader is the thread's alone from now on. */
void
_fb_image_cache_store_async (FbImageCache        *self,
                             GdkPixbufLoader     *loader,
                             const char          *name,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StoreJob *job;

  job = g_new0 (StoreJob, 1);
  job->loader = loader;
  job->dir = g_strdup (self->dir);
  job->name = g_strdup (name);
  job->max_bytes = self->max_bytes;
  job->mtime_us = fb_clock_get_real (self->clock);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, _fb_image_cache_store_async);
  g_task_set_task_data (task, job, (GDestroyNotify) store_job_free);
  g_task_run_in_thread (task, store_thread);
}

/* Returns: (transfer full): the saved file's path, or %NULL */
char *
_fb_image_cache_store_finish (FbImageCache  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
