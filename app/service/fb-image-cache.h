/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-clock.h"

G_BEGIN_DECLS

/* The bound of the cache directory, in bytes (the `image-cache-size` key's
 * default, 50 MiB). */
#define FB_IMAGE_CACHE_DEFAULT_MAX_BYTES     ((guint64) 50 * 1024 * 1024)
/* How much of a response body is read at most (the `image-max-download`
 * key's default, 2 MiB). */
#define FB_IMAGE_CACHE_DEFAULT_MAX_DOWNLOAD  ((gsize) 2 * 1024 * 1024)
/* How long one download may take, redirects included. */
#define FB_IMAGE_CACHE_DEFAULT_TIMEOUT_MS    30000
/* Redirects followed at most. */
#define FB_IMAGE_CACHE_MAX_REDIRECTS         5
/* The largest image decoded: on a side, and in all. */
#define FB_IMAGE_CACHE_MAX_IMAGE_SIDE        8192
#define FB_IMAGE_CACHE_MAX_IMAGE_PIXELS      ((guint64) 40 * 1000 * 1000)

#define FB_IMAGE_CACHE_ERROR (fb_image_cache_error_quark ())

/**
 * FbImageCacheError:
 * @FB_IMAGE_CACHE_ERROR_INVALID_URL: not an http or https address
 * @FB_IMAGE_CACHE_ERROR_REDIRECT: a redirect refused: to another scheme,
 *   from https to http, or too many
 * @FB_IMAGE_CACHE_ERROR_HTTP: a status other than 200
 * @FB_IMAGE_CACHE_ERROR_CONTENT_TYPE: not image/png, image/jpeg, image/gif
 *   or image/webp
 * @FB_IMAGE_CACHE_ERROR_TOO_LARGE: a body above the download limit
 * @FB_IMAGE_CACHE_ERROR_TOO_MANY_PIXELS: an image larger than
 *   %FB_IMAGE_CACHE_MAX_IMAGE_SIDE on a side or
 *   %FB_IMAGE_CACHE_MAX_IMAGE_PIXELS in all, refused before it is decoded
 * @FB_IMAGE_CACHE_ERROR_DECODE: not an image of the type it claims
 *
 * Besides these: %G_IO_ERROR_TIMED_OUT for a download that took too long,
 * %G_IO_ERROR_CANCELLED, the network's errors as libsoup gives them, and
 * %G_FILE_ERROR for a cache that cannot be written.
 */
typedef enum
{
  FB_IMAGE_CACHE_ERROR_INVALID_URL,
  FB_IMAGE_CACHE_ERROR_REDIRECT,
  FB_IMAGE_CACHE_ERROR_HTTP,
  FB_IMAGE_CACHE_ERROR_CONTENT_TYPE,
  FB_IMAGE_CACHE_ERROR_TOO_LARGE,
  FB_IMAGE_CACHE_ERROR_TOO_MANY_PIXELS,
  FB_IMAGE_CACHE_ERROR_DECODE,
} FbImageCacheError;

GQuark        fb_image_cache_error_quark   (void);

#define FB_TYPE_IMAGE_CACHE (fb_image_cache_get_type ())
G_DECLARE_FINAL_TYPE (FbImageCache, fb_image_cache, FB, IMAGE_CACHE, GObject)

char         *fb_image_cache_default_dir   (void);

FbImageCache *fb_image_cache_new           (const char           *dir,
                                            guint64               max_bytes,
                                            FbClock              *clock);

const char   *fb_image_cache_get_dir       (FbImageCache         *self);
guint64       fb_image_cache_get_max_bytes (FbImageCache         *self);
void          fb_image_cache_set_max_bytes (FbImageCache         *self,
                                            guint64               max_bytes);
void          fb_image_cache_set_timeout   (FbImageCache         *self,
                                            guint                 timeout_ms);

void          fb_image_cache_fetch_async   (FbImageCache         *self,
                                            SoupSession          *session,
                                            const char           *url,
                                            const char           *credentials_origin,
                                            const char           *authorization,
                                            gsize                 max_download_bytes,
                                            guint                 max_pixels_side,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
char         *fb_image_cache_fetch_finish  (FbImageCache         *self,
                                            GAsyncResult         *result,
                                            GError              **error);

gboolean      fb_image_cache_is_expired    (gint64                expires_unix_s,
                                            FbClock              *clock);

G_END_DECLS
