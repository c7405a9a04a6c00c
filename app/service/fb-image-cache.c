/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-image-cache"

#include "config.h"

#include "fb-image-cache-private.h"

#include <glib/gi18n.h>

#include "fb-url.h"

/*
 * The images of notifications (ntfy's icons and attached pictures), fetched
 * once and kept as PNG files in a bounded directory, so that the display
 * only ever opens a file Feedbell wrote.
 *
 * An image's file is named by the SHA-256 of its URL and the side it was
 * scaled to fit: "<64 hex digits>-<side>.png". A fetch of a file that
 * exists is a hit: no request, the file's modification time set to now
 * (the cache's clock), which is what "recently used" means here. A miss
 * joins the download of the same file already in flight, or starts one
 * (fb-image-cache-download.c). The image it brings back is scaled, encoded
 * and saved in a worker thread, which then evicts the least recently used
 * files until the directory holds at most max_bytes (the file just saved
 * is never evicted: it may stay above the bound by that one file); see
 * fb-image-cache-store.c.
 */

G_DEFINE_QUARK (fb-image-cache-error-quark, fb_image_cache_error)

G_DEFINE_FINAL_TYPE (FbImageCache, fb_image_cache, G_TYPE_OBJECT)

/* One fetch's task data. */
typedef struct
{
  FbImageDownload *download;     /* NULL once the fetch has returned */
  gulong           cancelled_id;
} Waiter;

static void
fb_image_cache_finalize (GObject *object)
{
  FbImageCache *self = FB_IMAGE_CACHE (object);

  /* Every download holds the cache: none is left. */
  g_assert (g_hash_table_size (self->downloads) == 0);
  g_hash_table_unref (self->downloads);
  g_clear_object (&self->clock);
  g_free (self->dir);
  g_mutex_clear (&self->evict_lock);

  G_OBJECT_CLASS (fb_image_cache_parent_class)->finalize (object);
}

static void
fb_image_cache_class_init (FbImageCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fb_image_cache_finalize;
}

static void
fb_image_cache_init (FbImageCache *self)
{
  self->downloads = g_hash_table_new (g_str_hash, g_str_equal);
  self->timeout_ms = FB_IMAGE_CACHE_DEFAULT_TIMEOUT_MS;
  g_mutex_init (&self->evict_lock);
}

/**
 * fb_image_cache_default_dir:
 *
 * Returns: (transfer full): `$XDG_CACHE_HOME/feedbell/images`
 */
char *
fb_image_cache_default_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "feedbell", "images", NULL);
}

/**
 * fb_image_cache_new:
 * @dir: (nullable): the cache directory, made when first written; %NULL
 *   for fb_image_cache_default_dir()
 * @max_bytes: the directory's bound, 0 for %FB_IMAGE_CACHE_DEFAULT_MAX_BYTES
 * @clock: (nullable): the clock of the timeouts and of the access times;
 *   %NULL for the system's
 *
 * Returns: (transfer full): a cache of images
 */
FbImageCache *
fb_image_cache_new (const char *dir,
                    guint64     max_bytes,
                    FbClock    *clock)
{
  FbImageCache *self;

  g_return_val_if_fail (clock == NULL || FB_IS_CLOCK (clock), NULL);

  self = g_object_new (FB_TYPE_IMAGE_CACHE, NULL);
  self->dir = dir != NULL ? g_strdup (dir) : fb_image_cache_default_dir ();
  self->max_bytes = max_bytes > 0 ? max_bytes : FB_IMAGE_CACHE_DEFAULT_MAX_BYTES;
  self->clock = g_object_ref (clock != NULL ? clock : fb_clock_get_default ());

  return self;
}

const char *
fb_image_cache_get_dir (FbImageCache *self)
{
  g_return_val_if_fail (FB_IS_IMAGE_CACHE (self), NULL);

  return self->dir;
}

guint64
fb_image_cache_get_max_bytes (FbImageCache *self)
{
  g_return_val_if_fail (FB_IS_IMAGE_CACHE (self), 0);

  return self->max_bytes;
}

/**
 * fb_image_cache_set_max_bytes:
 * @max_bytes: the directory's bound, > 0
 *
 * Applies from the next image saved (the `image-cache-size` key).
 */
void
fb_image_cache_set_max_bytes (FbImageCache *self,
                              guint64       max_bytes)
{
  g_return_if_fail (FB_IS_IMAGE_CACHE (self));
  g_return_if_fail (max_bytes > 0);

  self->max_bytes = max_bytes;
}

/**
 * fb_image_cache_set_timeout:
 * @timeout_ms: how long a download may take, redirects included, > 0
 *
 * Applies to the downloads started from now on;
 * %FB_IMAGE_CACHE_DEFAULT_TIMEOUT_MS until then.
 */
void
fb_image_cache_set_timeout (FbImageCache *self,
                            guint         timeout_ms)
{
  g_return_if_fail (FB_IS_IMAGE_CACHE (self));
  g_return_if_fail (timeout_ms > 0);

  self->timeout_ms = timeout_ms;
}

/**
 * fb_image_cache_is_expired:
 * @expires_unix_s: when an attachment expires (ntfy's `attachment.expires`,
 *   Unix seconds), 0 or less for never
 * @clock: (nullable): the clock, %NULL for the system's
 *
 * An expired attachment is gone from its server: not worth a request.
 *
 * Returns: whether that time has come
 */
gboolean
fb_image_cache_is_expired (gint64   expires_unix_s,
                           FbClock *clock)
{
  g_return_val_if_fail (clock == NULL || FB_IS_CLOCK (clock), FALSE);

  if (expires_unix_s <= 0)
    return FALSE;
  if (clock == NULL)
    clock = fb_clock_get_default ();

  return fb_clock_get_real (clock) / G_USEC_PER_SEC >= expires_unix_s;
}
/* --- fetches ---------------------------------------------------------------- */

static void
download_free (FbImageDownload *download)
{
  g_assert (download->waiters->len == 0);
  g_assert (download->loader == NULL && download->stream == NULL && download->message == NULL);

  g_ptr_array_unref (download->waiters);
  g_clear_object (&download->session);
  g_clear_pointer (&download->uri, g_uri_unref);
  g_clear_pointer (&download->credentials_origin, g_uri_unref);
  g_clear_pointer (&download->authorization, g_free);
  g_clear_object (&download->cancellable);
  g_free (download->log_url);
  g_free (download->name);
  g_clear_object (&download->cache);
  g_free (download);
}

/* Returns every waiting fetch @path, or @error, and ends @download. */
static void
complete (FbImageDownload *download,
          const char      *path,
          GError          *error)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Image %s not fetched: %s", download->log_url, error->message);
  else if (error != NULL)
    g_debug ("Image %s: nobody waits for it any more", download->log_url);

  /* A fetch's callback may fetch the same image again: a hit now. */
  g_hash_table_remove (download->cache->downloads, download->name);
  waiters = g_steal_pointer (&download->waiters);
  download->waiters = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      Waiter *waiter = g_task_get_task_data (task);

      g_clear_signal_handler (&waiter->cancelled_id, g_task_get_cancellable (task));
      waiter->download = NULL;
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (path), g_free);
    }

  g_clear_error (&error);
  download_free (download);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  FbImageDownload *download = user_data;
  GError *error = NULL;
  g_autofree char *path = NULL;

  path = _fb_image_cache_store_finish (FB_IMAGE_CACHE (object), result, &error);
  complete (download, path, error);
}

void
_fb_image_cache_downloaded (FbImageDownload *download,
                            GdkPixbufLoader *loader,
                            GError          *error)
{
  if (loader == NULL)
    complete (download, NULL, error);
  else
    _fb_image_cache_store_async (download->cache, loader, download->name, store_cb, download);
}

static void
waiter_free (Waiter *waiter)
{
  g_assert (waiter->download == NULL && waiter->cancelled_id == 0);
  g_free (waiter);
}

/* A fetch cancelled: it returns at once; the download goes on for the
 * others, or stops if it was the last. */
static gboolean
waiter_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  Waiter *waiter = g_task_get_task_data (task);
  FbImageDownload *download = waiter->download;

  if (download == NULL)
    return G_SOURCE_REMOVE;

  g_clear_signal_handler (&waiter->cancelled_id, g_task_get_cancellable (task));
  waiter->download = NULL;
  g_task_return_error_if_cancelled (task);
  /* Last, as it drops the array's reference on @task. */
  g_ptr_array_remove (download->waiters, task);

  if (download->waiters->len == 0)
    _fb_image_download_cancel (download);

  return G_SOURCE_REMOVE;
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     GTask        *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Not from the signal, which may come while the caller holds locks. */
  g_source_set_callback (source, waiter_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_attach (source, g_task_get_context (task));
}

static void
add_waiter (FbImageDownload *download,
            GTask           *task)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->download = download;
  g_task_set_task_data (task, waiter, (GDestroyNotify) waiter_free);
  if (cancellable != NULL)
    waiter->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                             G_CALLBACK (waiter_cancelled_cb), task);
  g_ptr_array_add (download->waiters, g_object_ref (task));
}

static char *
url_for_log (GUri *uri)
{
  return g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_QUERY |
                                       G_URI_HIDE_FRAGMENT);
}

/**
 * fb_image_cache_fetch_async:
 * @session: the session of the feed the image comes with
 * @url: the image's address, http or https
 * @credentials_origin: (nullable): `scheme://host:port` of the feed
 * @authorization: (nullable): the feed's `Authorization` header value, sent
 *   only while the request stays at @credentials_origin
 * @max_download_bytes: how much of the body is read at most, 0 for
 *   %FB_IMAGE_CACHE_DEFAULT_MAX_DOWNLOAD
 * @max_pixels_side: the side the image is scaled to fit, at most
 *   %FB_IMAGE_CACHE_MAX_IMAGE_SIDE
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the PNG file's path or an error
 * @user_data: data for @callback
 *
 * Fetches an image into the cache, unless it is there already. Fetches of
 * the same image at once share one download (made with the first one's
 * session, credentials and limit).
 */
void
fb_image_cache_fetch_async (FbImageCache        *self,
                            SoupSession         *session,
                            const char          *url,
                            const char          *credentials_origin,
                            const char          *authorization,
                            gsize                max_download_bytes,
                            guint                max_pixels_side,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GUri) uri = NULL;
  FbImageDownload *download;

  g_return_if_fail (FB_IS_IMAGE_CACHE (self));
  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (url != NULL);
  g_return_if_fail (max_pixels_side > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_image_cache_fetch_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (fb_url_is_http (url))
    uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL)
    {
      g_message ("Image not fetched: not an http or https address");
      g_task_return_new_error (task, FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_INVALID_URL,
                               _("The image’s address is not an http or https address"));
      return;
    }

  max_pixels_side = MIN (max_pixels_side, FB_IMAGE_CACHE_MAX_IMAGE_SIDE);
  name = _fb_image_cache_file_name (url, max_pixels_side);

  download = g_hash_table_lookup (self->downloads, name);
  if (download != NULL)
    {
      add_waiter (download, task);
      return;
    }

  path = g_build_filename (self->dir, name, NULL);
  if (_fb_image_cache_touch (path, fb_clock_get_real (self->clock)))
    {
      g_task_return_pointer (task, g_steal_pointer (&path), g_free);
      return;
    }

  download = g_new0 (FbImageDownload, 1);
  download->cache = g_object_ref (self);
  download->name = g_steal_pointer (&name);
  download->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  download->session = g_object_ref (session);
  download->log_url = url_for_log (uri);
  download->uri = g_steal_pointer (&uri);
  if (credentials_origin != NULL)
    download->credentials_origin = g_uri_parse (credentials_origin, SOUP_HTTP_URI_FLAGS, NULL);
  if (download->credentials_origin != NULL && !fb_uri_is_http (download->credentials_origin))
    g_clear_pointer (&download->credentials_origin, g_uri_unref);
  download->authorization = g_strdup (authorization);
  download->max_download = max_download_bytes > 0 ? max_download_bytes
                                                  : FB_IMAGE_CACHE_DEFAULT_MAX_DOWNLOAD;
  download->max_side = max_pixels_side;

  g_hash_table_insert (self->downloads, download->name, download);
  add_waiter (download, task);
  _fb_image_download_start (download);
}

/**
 * fb_image_cache_fetch_finish:
 *
 * Returns: (transfer full): the path of the image, a PNG file no larger
 *   than the side asked for, or %NULL with @error set
 */
char *
fb_image_cache_fetch_finish (FbImageCache  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (FB_IS_IMAGE_CACHE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_image_cache_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
