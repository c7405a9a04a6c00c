/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-image-cache"

#include "config.h"

#include "fb-image-cache-private.h"

#include <glib/gi18n.h>

#include "fb-url.h"

/*
 * One image's request, as a hostile server would meet it: redirects
 * followed by hand (at most FB_IMAGE_CACHE_MAX_REDIRECTS, never from https
 * to http, never to another scheme, the credentials dropped as soon as a
 * hop leaves their origin), one timeout for the whole of it, a body read in
 * chunks and given up past the download limit (or refused at once when its
 * Content-Length says so), and decoded as it arrives by the one
 * gdk-pixbuf loader of the type the server declared, which must be one of
 * four. The decoder says the image's size before it allocates anything:
 * too many pixels end the load there; otherwise it is asked to scale the
 * image to fit the side the caller wants.
 */

static const char * const image_types[] = {
  "image/png", "image/jpeg", "image/gif", "image/webp",
};

/* gdk-pixbuf's names of the same formats. */
static const char * const image_formats[] = {
  "png", "jpeg", "gif", "webp",
};

static gboolean
is_https (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
}

static int
origin_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;

  return is_https (uri) ? 443 : 80;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         origin_port (a) == origin_port (b);
}

/* Ends the request and hands the outcome to the cache. */
static void
finish (FbImageDownload *self,
        GdkPixbufLoader *loader,
        GError          *error)
{
  fb_clock_clear_timeout (self->cache->clock, &self->timeout_id);
  /* A body left unread: libsoup closes its connection rather than read
   * the rest. */
  if (error != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  if (self->loader != NULL)
    {
      /* A loader must be closed before it goes; what it says now is moot. */
      gdk_pixbuf_loader_close (self->loader, NULL);
      g_clear_object (&self->loader);
    }

  _fb_image_cache_downloaded (self, loader, error);
}

/* @error from an operation of the request: a cancellation the timeout
 * made is said as such. */
static void
fail (FbImageDownload *self,
      GError          *error)
{
  guint seconds;

  if (self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      seconds = (self->timeout_ms + 999) / 1000;
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           ngettext ("The image did not arrive within %u second",
                                     "The image did not arrive within %u seconds", seconds),
                           seconds);
    }

  finish (self, NULL, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  FbImageDownload *self = user_data;

  self->timeout_id = 0;
  self->timed_out = TRUE;
  /* The operation in flight fails with G_IO_ERROR_CANCELLED, and libsoup
   * closes its connection. */
  g_cancellable_cancel (self->cancellable);

  return G_SOURCE_REMOVE;
}

static void send_request (FbImageDownload *self);

static void
follow_redirect (FbImageDownload *self)
{
  g_autoptr(GUri) target = NULL;
  g_autofree char *target_url = NULL;
  const char *location;

  location = soup_message_headers_get_one (soup_message_get_response_headers (self->message),
                                           "Location");
  if (location != NULL)
    target = g_uri_parse_relative (self->uri, location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target != NULL)
    target_url = g_uri_to_string (target);

  if (target == NULL || !fb_url_is_http (target_url))
    {
      finish (self, NULL,
              g_error_new_literal (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_REDIRECT,
                                   _("The server redirected the image to an address that is "
                                     "not http or https")));
      return;
    }

  if (is_https (self->uri) && !is_https (target))
    {
      finish (self, NULL,
              g_error_new_literal (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_REDIRECT,
                                   _("The server redirected the image from a secure https "
                                     "address to an insecure http one")));
      return;
    }

  if (++self->n_redirects > FB_IMAGE_CACHE_MAX_REDIRECTS)
    {
      finish (self, NULL,
              g_error_new_literal (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_REDIRECT,
                                   _("The server redirected the image too many times")));
      return;
    }

  /* Once the credentials have left their origin they stay behind, even if
   * a later hop comes back to it. */
  if (self->authorization != NULL && !same_origin (target, self->credentials_origin))
    {
      g_debug ("%s: redirected to another origin, without the credentials", self->log_url);
      g_clear_pointer (&self->authorization, g_free);
    }

  g_clear_object (&self->stream);
  g_clear_object (&self->message);
  g_clear_pointer (&self->uri, g_uri_unref);
  self->uri = g_steal_pointer (&target);
  send_request (self);
}

static GError *
decode_error (FbImageDownload *self,
              const GError    *error)
{
  if (self->too_many_pixels)
    return g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_MANY_PIXELS,
                        _("The image is %d × %d pixels, larger than Feedbell shows"),
                        self->width, self->height);

  return g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_DECODE,
                      _("The image cannot be read: %s"),
                      error != NULL ? error->message : _("no image in the data"));
}

/* Called by the decoder once it knows the image's size, before it
 * allocates anything for the pixels. */
static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  FbImageDownload *self)
{
  int side = (int) self->max_side;

  self->width = width;
  self->height = height;

  if (width <= 0 || height <= 0 ||
      width > FB_IMAGE_CACHE_MAX_IMAGE_SIDE || height > FB_IMAGE_CACHE_MAX_IMAGE_SIDE ||
      (guint64) width * (guint64) height > FB_IMAGE_CACHE_MAX_IMAGE_PIXELS)
    {
      /* A size of zero makes gdk-pixbuf's loaders stop before allocating. */
      self->too_many_pixels = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }

  /* Scaled to fit while decoding: a JPEG decoder reads it at a fraction
   * of its size, the others are scaled when the pixbuf is asked for. */
  if (width > side || height > side)
    {
      if (width >= height)
        gdk_pixbuf_loader_set_size (loader, side,
                                    MAX (1, (int) (((gint64) height * side + width / 2) / width)));
      else
        gdk_pixbuf_loader_set_size (loader,
                                    MAX (1, (int) (((gint64) width * side + height / 2) / height)),
                                    side);
    }
}

/* The body is whole: the image decoded, checked, handed on. */
static void
end_of_body (FbImageDownload *self)
{
  g_autoptr(GError) error = NULL;
  GdkPixbufFormat *format;
  g_autofree char *name = NULL;
  gboolean known = FALSE;

  if (!gdk_pixbuf_loader_close (self->loader, &error) || self->too_many_pixels ||
      gdk_pixbuf_loader_get_animation (self->loader) == NULL)
    {
      finish (self, NULL, decode_error (self, error));
      return;
    }

  format = gdk_pixbuf_loader_get_format (self->loader);
  name = format != NULL ? gdk_pixbuf_format_get_name (format) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (image_formats); i++)
    known |= g_strcmp0 (name, image_formats[i]) == 0;
  if (!known)
    {
      finish (self, NULL, decode_error (self, NULL));
      return;
    }

  finish (self, g_steal_pointer (&self->loader), NULL);
}

static void read_next (FbImageDownload *self);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  FbImageDownload *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n < 0)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      end_of_body (self);
      return;
    }

  self->n_read += n;
  if (self->n_read > self->max_download)
    {
      g_autofree char *limit = g_format_size (self->max_download);

      finish (self, NULL,
              g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_LARGE,
                           _("The image is larger than %s"), limit));
      return;
    }

  if (!gdk_pixbuf_loader_write (self->loader, self->buffer, n, &error) || self->too_many_pixels)
    {
      finish (self, NULL, decode_error (self, error));
      return;
    }

  read_next (self);
}

static void
read_next (FbImageDownload *self)
{
  /* One byte past the limit at most: enough to know the body goes on. */
  gsize count = MIN (sizeof self->buffer, self->max_download - self->n_read + 1);

  g_input_stream_read_async (self->stream, self->buffer, count, G_PRIORITY_DEFAULT,
                             self->cancellable, read_cb, self);
}

static int
find_image_type (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_types); i++)
    if (type != NULL && g_ascii_strcasecmp (type, image_types[i]) == 0)
      return i;

  return -1;
}

/* A 200: its type and length checked before a byte of the body is read. */
static void
start_body (FbImageDownload *self)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (self->message);
  g_autoptr(GError) error = NULL;
  const char *type;
  int index;

  type = soup_message_headers_get_content_type (headers, NULL);
  index = find_image_type (type);
  if (index < 0)
    {
      finish (self, NULL,
              g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_CONTENT_TYPE,
                           _("The server sent %s, not a PNG, JPEG, GIF or WebP image"),
                           type != NULL ? type : _("no content type")));
      return;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) self->max_download)
    {
      g_autofree char *limit = g_format_size (self->max_download);

      finish (self, NULL,
              g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_LARGE,
                           _("The image is larger than %s"), limit));
      return;
    }

  /* The loader of the declared type alone: no other decoder ever sees
   * what this server sends. */
  self->loader = gdk_pixbuf_loader_new_with_mime_type (image_types[index], &error);
  if (self->loader == NULL)
    {
      finish (self, NULL,
              g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_DECODE,
                           _("Feedbell cannot read %s images here"), image_types[index]));
      return;
    }
  g_signal_connect (self->loader, "size-prepared", G_CALLBACK (size_prepared_cb), self);

  read_next (self);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  FbImageDownload *self = user_data;
  g_autoptr(GError) error = NULL;
  guint status;

  self->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (self->stream == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (self->message);
  switch (status)
    {
    case SOUP_STATUS_OK:
      start_body (self);
      return;

    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      follow_redirect (self);
      return;

    default:
      finish (self, NULL,
              g_error_new (FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_HTTP,
                           _("The server answered %u for the image"), status));
      return;
    }
}

static void
send_request (FbImageDownload *self)
{
  SoupMessageHeaders *headers;

  self->message = soup_message_new_from_uri (SOUP_METHOD_GET, self->uri);
  /* Redirects are followed by hand, each hop checked. */
  soup_message_add_flags (self->message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (self->message);
  soup_message_headers_replace (headers, "Accept", "image/png, image/jpeg, image/gif, image/webp");
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);

  soup_session_send_async (self->session, self->message, G_PRIORITY_DEFAULT,
                           self->cancellable, send_cb, self);
}

void
_fb_image_download_start (FbImageDownload *self)
{
  g_assert (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  self->timeout_ms = self->cache->timeout_ms;
  self->timeout_id = fb_clock_timeout_add (self->cache->clock, self->timeout_ms,
                                           timeout_cb, self);
  /* The credentials go only where they came from. */
  if (self->authorization != NULL &&
      (self->credentials_origin == NULL || !same_origin (self->uri, self->credentials_origin)))
    g_clear_pointer (&self->authorization, g_free);

  send_request (self);
}

void
_fb_image_download_cancel (FbImageDownload *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}
