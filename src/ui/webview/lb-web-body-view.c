/* lb-web-body-view.c: the message body in WebKitGTK, as a loadable module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The only code that touches WebKit.  It is built as a module (see lb-body-view.c for why)
 * and implements LbBodyView, whose type it gets from the application at registration, so it
 * links GTK and WebKit but nothing of the application or the engine.
 *
 * JavaScript is off and a content filter blocks every http(s), ftp and WebSocket load, so
 * that opening a message tells nobody that it was read.  Inline images come from the
 * message itself through the "cid" URI scheme.  Links never load in the view: a click
 * opens them in the browser.
 */
#include "config.h"

#include <gmodule.h>
#include <webkit/webkit.h>

#include "lb-body-view.h"

/* The application's interface type, handed over by lb_body_view_module_register(): the
 * module must not reference lb_body_view_get_type(), which lives in the executable. */
static GType body_view_iface_type;
#undef LB_TYPE_BODY_VIEW
#define LB_TYPE_BODY_VIEW body_view_iface_type

#define LB_TYPE_WEB_BODY_VIEW (lb_web_body_view_get_type ())
G_DECLARE_FINAL_TYPE (LbWebBodyView, lb_web_body_view, LB, WEB_BODY_VIEW, GtkWidget)

/* A base URI that cannot reach anything: relative references resolve to a scheme nobody
 * serves, so they fail locally instead of going to a server. */
#define BODY_BASE_URI     "letterbox-message:///"
#define FILTER_ID         "letterbox-block-remote-v2"

/* Everything that would make a network connection, and local files.  WebKit matches
 * url-filter against the whole URL, so anchoring at the start catches the scheme only.
 * Changing the rules needs a new FILTER_ID, or the copy compiled before is used. */
static const char filter_source[] =
  "[{\"trigger\":{\"url-filter\":\"^https?:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^ftp:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^wss?:\"},\"action\":{\"type\":\"block\"}},"
  "{\"trigger\":{\"url-filter\":\"^file:\"},\"action\":{\"type\":\"block\"}}]";

/* Typography for every message: readable line length and the system font. */
static const char base_css[] =
  "html { font-family: sans-serif; }\n"
  "body { margin: 16px 18px; overflow-wrap: break-word; }\n"
  "body.lb-plain { max-width: 50em; line-height: 1.5; font-size: 11pt; }\n"
  "body.lb-plain .quote { opacity: 0.65; border-left: 3px solid currentColor;"
  " padding-left: 10px; margin: 4px 0; }\n"
  "a { color: #1c71d8; }\n";

/* Fit to width: a newsletter laid out for a fixed width (600-800 px tables) wider than
 * the reader would scroll sideways.  Where the reader is narrower than that, images and
 * tables give up their fixed widths and shrink to the view, as on a phone.  Only there:
 * in a wide reader the message keeps the layout it was designed with.  (JavaScript is
 * off, so the page cannot be measured and scaled.)  !important, as a user style sheet
 * otherwise loses to the message's width attributes. */
static const char fit_width_css[] =
  "@media (max-width: 820px) {\n"
  "  img { max-width: 100% !important; height: auto !important; }\n"
  "  table { max-width: 100% !important; }\n"
  "  table, td, th { width: auto !important; min-width: 0 !important; }\n"
  "  pre { white-space: pre-wrap !important; }\n"
  "}\n";

/* HTML that sets colours of its own was designed for a light page: it keeps one, in dark
 * mode too (shown as a sheet of paper, see paper_css), since any colour it does not set
 * would otherwise clash with those it does (dark text on a dark page, white on white).
 * The page is the view's background colour: a background on html would stop the body's
 * own (bgcolor) from covering the whole page. */
static const char light_page_css[] =
  "html { color: #000000; color-scheme: light; }\n";

/* Plain text, and HTML without colours of its own, follow the style: libadwaita's view
 * colours.  User style sheets come before the message's own rules in the cascade, so these
 * apply only where the message is silent. */
static const char light_css[] =
  "html { background-color: #ffffff; color: #1e1e1e; }\n";

static const char dark_css[] =
  "html { background-color: #1e1e1e; color: #ffffff; color-scheme: dark; }\n"
  "a { color: #78aeed; }\n"
  "blockquote { border-color: #5e5c64; }\n";

/* A light page inside the dark window reads as a sheet of paper, not as a hole. */
static const char paper_css[] =
  "lb-web-body-view.lb-paper { margin: 6px 12px 12px 12px; border-radius: 8px; }\n";

struct _LbWebBodyView
{
  GtkWidget                 parent_instance;

  WebKitWebView            *web_view;
  WebKitUserContentManager *content_manager;

  LbBodyViewCidFunc         cid_func;
  gpointer                  cid_data;
  GDestroyNotify            cid_destroy;

  /* What to show once the filter is ready (it is compiled asynchronously, once). */
  gboolean                  pending;
  char                     *pending_html;
  char                     *pending_plain;
  LbBodyFlags               pending_flags;
  gboolean                  filter_added;
  /* A body was handed to the view since it was made or cleared: "body-loaded" is for its
   * load, not for the empty page lb_body_view_prepare() loads. */
  gboolean                  body_requested;
  gboolean                  used;
};

static void lb_web_body_view_iface_init (LbBodyViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LbWebBodyView, lb_web_body_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (LB_TYPE_BODY_VIEW,
                                                      lb_web_body_view_iface_init))

/* WebKit starts its web and network processes (half a second or more, through the
 * sandbox) at the first load: an empty page now, so that they are up when the body comes. */
static void
start_web_processes (LbWebBodyView *self)
{
  if (self->used)
    return;
  self->used = TRUE;
  webkit_web_view_load_html (self->web_view, "", BODY_BASE_URI);
}

static void show_body (LbWebBodyView *self,
                       const char    *html,
                       const char    *plain_document,
                       LbBodyFlags    flags);

/* ---- Process-wide WebKit state ------------------------------------------------------- */

/* One web context (for the "cid" scheme, which can be registered only once per context)
 * and one ephemeral network session (nothing remote is ever written to disk) for all
 * views.  Both live as long as the process. */
static WebKitWebContext        *shared_context;
static WebKitNetworkSession    *shared_session;
static WebKitUserContentFilter *shared_filter;
static gboolean                 filter_failed;
static GPtrArray               *live_views;

static void
handle_cid_request (WebKitURISchemeRequest *request,
                    gpointer                user_data)
{
  WebKitWebView *web_view = webkit_uri_scheme_request_get_web_view (request);
  LbWebBodyView *self = web_view != NULL ? g_object_get_data (G_OBJECT (web_view), "lb-body-view")
                                         : NULL;
  const char *uri = webkit_uri_scheme_request_get_uri (request);
  const char *mime_type = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;

  if (self != NULL && self->cid_func != NULL)
    bytes = self->cid_func (uri, &mime_type, self->cid_data);

  if (bytes == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                             "no part for %s", uri);

      webkit_uri_scheme_request_finish_error (request, error);
      return;
    }

  stream = g_memory_input_stream_new_from_bytes (bytes);
  webkit_uri_scheme_request_finish (request, stream, (gint64) g_bytes_get_size (bytes),
                                    mime_type != NULL ? mime_type : "application/octet-stream");
}

static void
filter_ready (void)
{
  for (guint i = 0; live_views != NULL && i < live_views->len; i++)
    {
      LbWebBodyView *self = g_ptr_array_index (live_views, i);
      g_autofree char *html = NULL;
      g_autofree char *plain = NULL;

      if (!self->pending)
        continue;
      self->pending = FALSE;
      html = g_steal_pointer (&self->pending_html);
      plain = g_steal_pointer (&self->pending_plain);
      show_body (self, html, plain, self->pending_flags);
    }
}

static void
on_filter_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  WebKitUserContentFilterStore *store = WEBKIT_USER_CONTENT_FILTER_STORE (source);
  g_autoptr(GError) error = NULL;

  shared_filter = webkit_user_content_filter_store_save_finish (store, result, &error);
  if (shared_filter == NULL)
    {
      /* Without the filter no HTML is shown (see show_body), so this is safe, only plainer. */
      g_warning ("Could not compile the remote-content filter: %s", error->message);
      filter_failed = TRUE;
    }
  filter_ready ();
}

static void
on_filter_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WebKitUserContentFilterStore *store = WEBKIT_USER_CONTENT_FILTER_STORE (source);
  g_autoptr(GBytes) json = NULL;

  shared_filter = webkit_user_content_filter_store_load_finish (store, result, NULL);
  if (shared_filter != NULL)
    {
      filter_ready ();
      return;
    }

  /* Not compiled yet (first run, or a WebKit update dropped the old one). */
  json = g_bytes_new_static (filter_source, strlen (filter_source));
  webkit_user_content_filter_store_save (store, FILTER_ID, json, NULL, on_filter_saved, NULL);
}

static void
ensure_shared_state (void)
{
  g_autoptr(WebKitUserContentFilterStore) store = NULL;
  g_autoptr(GtkCssProvider) provider = NULL;
  g_autofree char *path = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (shared_context != NULL)
    return;

  shared_context = webkit_web_context_new ();
  webkit_web_context_set_cache_model (shared_context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  webkit_web_context_register_uri_scheme (shared_context, "cid", handle_cid_request, NULL, NULL);
  shared_session = webkit_network_session_new_ephemeral ();
  live_views = g_ptr_array_new ();

  path = g_build_filename (g_get_user_cache_dir (), "letterbox", "content-filters", NULL);
  store = webkit_user_content_filter_store_new (path);
  webkit_user_content_filter_store_load (store, FILTER_ID, NULL, on_filter_loaded, NULL);

  if (display != NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_css_provider_load_from_data (provider, paper_css, -1);
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
}

/* ---- Body ------------------------------------------------------------------------------- */

static void
add_style_sheet (LbWebBodyView *self,
                 const char    *css)
{
  g_autoptr(WebKitUserStyleSheet) sheet = NULL;

  sheet = webkit_user_style_sheet_new (css, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                                       WEBKIT_USER_STYLE_LEVEL_USER, NULL, NULL);
  webkit_user_content_manager_add_style_sheet (self->content_manager, sheet);
}

static void
set_filter_active (LbWebBodyView *self,
                   gboolean       active)
{
  if (active && !self->filter_added)
    webkit_user_content_manager_add_filter (self->content_manager, shared_filter);
  else if (!active && self->filter_added)
    webkit_user_content_manager_remove_filter (self->content_manager, shared_filter);
  self->filter_added = active;
}

static void
show_body (LbWebBodyView *self,
           const char    *html,
           const char    *plain_document,
           LbBodyFlags    flags)
{
  g_autoptr(GBytes) bytes = NULL;
  gboolean is_html;
  gboolean dark = (flags & LB_BODY_DARK) != 0;
  gboolean light_page;
  GdkRGBA background;

  if (shared_filter == NULL && !filter_failed)
    {
      /* The filter is still loading or compiling; filter_ready() calls back.  WebKit's
       * processes can start meanwhile (an empty page loads nothing). */
      start_web_processes (self);
      self->pending = TRUE;
      g_free (self->pending_html);
      g_free (self->pending_plain);
      self->pending_html = g_strdup (html);
      self->pending_plain = g_strdup (plain_document);
      self->pending_flags = flags;
      return;
    }

  /* HTML only with the filter: without it, the text version, which loads nothing. */
  is_html = html != NULL && shared_filter != NULL;
  if (shared_filter != NULL)
    set_filter_active (self, !(is_html && (flags & LB_BODY_ALLOW_REMOTE)));
  if (is_html)
    bytes = g_bytes_new (html, strlen (html));
  else
    bytes = g_bytes_new (plain_document, strlen (plain_document));

  light_page = is_html && (flags & LB_BODY_OWN_COLOURS) != 0;
  webkit_user_content_manager_remove_all_style_sheets (self->content_manager);
  add_style_sheet (self, base_css);
  if (is_html)
    add_style_sheet (self, fit_width_css);
  if (light_page)
    add_style_sheet (self, light_page_css);
  else
    add_style_sheet (self, dark ? dark_css : light_css);

  if (dark && !light_page)
    gdk_rgba_parse (&background, "#1e1e1e");
  else
    gdk_rgba_parse (&background, "#ffffff");
  webkit_web_view_set_background_color (self->web_view, &background);
  if (dark && light_page)
    gtk_widget_add_css_class (GTK_WIDGET (self), "lb-paper");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "lb-paper");

  self->body_requested = TRUE;
  self->used = TRUE;
  webkit_web_view_load_bytes (self->web_view, bytes, "text/html", "UTF-8", BODY_BASE_URI);
  g_signal_emit_by_name (self, "body-shown", is_html);
}

/* Only our own document loads in the view; every other navigation is a link for the
 * browser, opened only when the user clicked it. */
static gboolean
on_decide_policy (WebKitWebView            *view,
                  WebKitPolicyDecision     *decision,
                  WebKitPolicyDecisionType  type,
                  LbWebBodyView            *self)
{
  WebKitNavigationPolicyDecision *navigation;
  WebKitNavigationAction *action;
  WebKitNavigationType navigation_type;
  WebKitURIRequest *request;
  const char *uri;
  g_autofree char *scheme = NULL;

  if (type == WEBKIT_POLICY_DECISION_TYPE_RESPONSE)
    {
      webkit_policy_decision_use (decision);
      return TRUE;
    }

  navigation = WEBKIT_NAVIGATION_POLICY_DECISION (decision);
  action = webkit_navigation_policy_decision_get_navigation_action (navigation);
  navigation_type = webkit_navigation_action_get_navigation_type (action);
  request = webkit_navigation_action_get_request (action);
  uri = webkit_uri_request_get_uri (request);

  /* Our own load of the body, and jumps to an anchor inside it. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION
      && (g_str_has_prefix (uri, BODY_BASE_URI "#")
          || (g_str_equal (uri, BODY_BASE_URI)
              && navigation_type != WEBKIT_NAVIGATION_TYPE_LINK_CLICKED
              && !webkit_navigation_action_is_user_gesture (action))))
    {
      webkit_policy_decision_use (decision);
      return TRUE;
    }

  webkit_policy_decision_ignore (decision);

  /* Only a clicked link goes to the browser: not form submissions (they would send data
   * the message chose) and not redirects or refreshes the message started by itself. */
  if (navigation_type != WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
    return TRUE;

  scheme = g_uri_parse_scheme (uri);
  if (scheme != NULL
      && (g_ascii_strcasecmp (scheme, "http") == 0
          || g_ascii_strcasecmp (scheme, "https") == 0
          || g_ascii_strcasecmp (scheme, "mailto") == 0))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

      gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
    }
  return TRUE;
}

/* "Open Link in New Window" and the like would bypass decide-policy's intent. */
static GtkWidget *
on_create (WebKitWebView          *view,
           WebKitNavigationAction *action,
           LbWebBodyView          *self)
{
  return NULL;
}

static gboolean
on_context_menu (WebKitWebView       *view,
                 WebKitContextMenu   *menu,
                 WebKitHitTestResult *hit,
                 LbWebBodyView       *self)
{
  GList *items = g_list_copy (webkit_context_menu_get_items (menu));

  for (GList *l = items; l != NULL; l = l->next)
    {
      WebKitContextMenuAction action = webkit_context_menu_item_get_stock_action (l->data);

      switch ((int) action)
        {
        case WEBKIT_CONTEXT_MENU_ACTION_COPY:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
        case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
          break;
        default:
          webkit_context_menu_remove (menu, l->data);
          break;
        }
    }
  g_list_free (items);
  return webkit_context_menu_get_n_items (menu) == 0;
}

static void
on_load_changed (WebKitWebView   *view,
                 WebKitLoadEvent  event,
                 LbWebBodyView   *self)
{
  /* An earlier load that the body's load cancelled finishes too, while the body still
   * loads. */
  if (event == WEBKIT_LOAD_FINISHED && self->body_requested && !webkit_web_view_is_loading (view))
    {
      self->body_requested = FALSE;
      g_signal_emit_by_name (self, "body-loaded");
    }
}

static void
on_web_process_terminated (WebKitWebView                     *view,
                           WebKitWebProcessTerminationReason  reason,
                           LbWebBodyView                     *self)
{
  g_signal_emit_by_name (self, "failed");
}

/* ---- LbBodyView ------------------------------------------------------------------------- */

static void
lb_web_body_view_set_cid_func (LbBodyView        *view,
                               LbBodyViewCidFunc  func,
                               gpointer           user_data,
                               GDestroyNotify     destroy)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (view);

  if (self->cid_destroy != NULL)
    self->cid_destroy (self->cid_data);
  self->cid_func = func;
  self->cid_data = user_data;
  self->cid_destroy = destroy;
}

static void
lb_web_body_view_show (LbBodyView  *view,
                       const char  *html,
                       const char  *plain_document,
                       LbBodyFlags  flags)
{
  show_body (LB_WEB_BODY_VIEW (view), html, plain_document, flags);
}

static void
lb_web_body_view_clear (LbBodyView *view)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (view);

  self->pending = FALSE;
  self->body_requested = FALSE;
  g_clear_pointer (&self->pending_html, g_free);
  g_clear_pointer (&self->pending_plain, g_free);
  webkit_web_view_load_html (self->web_view, "", BODY_BASE_URI);
}

static void
lb_web_body_view_prepare (LbBodyView *view)
{
  start_web_processes (LB_WEB_BODY_VIEW (view));
}

static void
lb_web_body_view_set_zoom (LbBodyView *view,
                           double      zoom)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (view);

  webkit_web_view_set_zoom_level (self->web_view, zoom);
}

/* ---- Printing --------------------------------------------------------------------------- */

typedef struct {
  LbBodyViewPrintDone done;
  gpointer            user_data;
  gboolean            called;
} PrintCall;

static void
print_call_finish (PrintCall    *call,
                   const GError *error)
{
  if (call->called)
    return;
  call->called = TRUE;
  call->done (error, call->user_data);
}

static void
on_print_failed (WebKitPrintOperation *op,
                 GError               *error,
                 PrintCall            *call)
{
  print_call_finish (call, error);
}

/* The operation's last signal: it was referenced for the print, until now. */
static void
on_print_finished (WebKitPrintOperation *op,
                   PrintCall            *call)
{
  print_call_finish (call, NULL);
  g_object_unref (op);
}

/* Without a dialog, to a PDF file: GTK's print-to-file printer, as the tests use it.
 * WebKit finds the printer by name, and GTK translates that name. */
static GtkPrintSettings *
export_settings (const char *export_pdf)
{
  GtkPrintSettings *settings = gtk_print_settings_new ();
  g_autofree char *uri = g_filename_to_uri (export_pdf, NULL, NULL);

  gtk_print_settings_set_printer (settings, g_dgettext ("gtk40", "Print to File"));
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT, "pdf");
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_URI, uri);
  return settings;
}

static void
lb_web_body_view_print (LbBodyView          *view,
                        GtkWindow           *parent,
                        const char          *export_pdf,
                        LbBodyViewPrintDone  done,
                        gpointer             user_data)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (view);
  WebKitPrintOperation *op = webkit_print_operation_new (self->web_view);
  PrintCall *call = g_new0 (PrintCall, 1);

  call->done = done;
  call->user_data = user_data;
  /* The operation lives until it finished (or failed), and the call with it. */
  g_object_set_data_full (G_OBJECT (op), "lb-print-call", call, g_free);
  g_signal_connect (op, "failed", G_CALLBACK (on_print_failed), call);
  g_signal_connect (op, "finished", G_CALLBACK (on_print_finished), call);
  if (export_pdf != NULL)
    {
      g_autoptr(GtkPrintSettings) settings = export_settings (export_pdf);

      webkit_print_operation_set_print_settings (op, settings);
      webkit_print_operation_print (op);
    }
  else
    {
      /* Held across the dialog, which may finish the operation before it returns. */
      g_autoptr(WebKitPrintOperation) hold = g_object_ref (op);

      if (webkit_print_operation_run_dialog (op, parent) == WEBKIT_PRINT_OPERATION_RESPONSE_CANCEL
          && !call->called)
        {
          /* Cancelled in the dialog: nothing printed and no error to show. */
          print_call_finish (call, NULL);
          g_object_unref (op);
        }
    }
}

static void
lb_web_body_view_iface_init (LbBodyViewInterface *iface)
{
  iface->set_cid_func = lb_web_body_view_set_cid_func;
  iface->show = lb_web_body_view_show;
  iface->clear = lb_web_body_view_clear;
  iface->prepare = lb_web_body_view_prepare;
  iface->set_zoom = lb_web_body_view_set_zoom;
  iface->print = lb_web_body_view_print;
}

/* ---- GObject ---------------------------------------------------------------------------- */

static void
lb_web_body_view_dispose (GObject *object)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (object);

  if (live_views != NULL)
    g_ptr_array_remove (live_views, self);
  if (self->web_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->web_view, self);
      g_object_set_data (G_OBJECT (self->web_view), "lb-body-view", NULL);
      gtk_widget_unparent (GTK_WIDGET (self->web_view));
      self->web_view = NULL;
    }

  G_OBJECT_CLASS (lb_web_body_view_parent_class)->dispose (object);
}

static void
lb_web_body_view_finalize (GObject *object)
{
  LbWebBodyView *self = LB_WEB_BODY_VIEW (object);

  if (self->cid_destroy != NULL)
    self->cid_destroy (self->cid_data);
  g_clear_object (&self->content_manager);
  g_free (self->pending_html);
  g_free (self->pending_plain);

  G_OBJECT_CLASS (lb_web_body_view_parent_class)->finalize (object);
}

static void
lb_web_body_view_class_init (LbWebBodyViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_web_body_view_dispose;
  object_class->finalize = lb_web_body_view_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lb-web-body-view");
}

static void
lb_web_body_view_init (LbWebBodyView *self)
{
  WebKitSettings *settings;

  ensure_shared_state ();
  g_ptr_array_add (live_views, self);

  /* Rounded corners clip the page when it is shown as paper. */
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);

  settings = webkit_settings_new ();
  webkit_settings_set_enable_javascript (settings, FALSE);
  webkit_settings_set_enable_javascript_markup (settings, FALSE);
  webkit_settings_set_javascript_can_open_windows_automatically (settings, FALSE);
  webkit_settings_set_javascript_can_access_clipboard (settings, FALSE);
  webkit_settings_set_enable_page_cache (settings, FALSE);
  webkit_settings_set_enable_developer_extras (settings, FALSE);
  webkit_settings_set_auto_load_images (settings, TRUE);
  webkit_settings_set_enable_html5_database (settings, FALSE);
  webkit_settings_set_enable_html5_local_storage (settings, FALSE);
  webkit_settings_set_enable_webaudio (settings, FALSE);
  webkit_settings_set_enable_webgl (settings, FALSE);
  webkit_settings_set_enable_media (settings, FALSE);
  webkit_settings_set_default_font_family (settings, "sans-serif");
  webkit_settings_set_hardware_acceleration_policy (settings,
                                                    WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);

  self->content_manager = webkit_user_content_manager_new ();
  self->web_view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                                 "web-context", shared_context,
                                 "network-session", shared_session,
                                 "settings", settings,
                                 "user-content-manager", self->content_manager,
                                 "vexpand", TRUE,
                                 "hexpand", TRUE,
                                 NULL);
  g_object_unref (settings);
  gtk_widget_set_name (GTK_WIDGET (self->web_view), "reader-web-view");
  g_object_set_data (G_OBJECT (self->web_view), "lb-body-view", self);
  if (shared_filter != NULL)
    set_filter_active (self, TRUE);

  g_signal_connect (self->web_view, "decide-policy", G_CALLBACK (on_decide_policy), self);
  g_signal_connect (self->web_view, "create", G_CALLBACK (on_create), self);
  g_signal_connect (self->web_view, "context-menu", G_CALLBACK (on_context_menu), self);
  g_signal_connect (self->web_view, "load-changed", G_CALLBACK (on_load_changed), self);
  g_signal_connect (self->web_view, "web-process-terminated",
                    G_CALLBACK (on_web_process_terminated), self);
  gtk_widget_set_parent (GTK_WIDGET (self->web_view), GTK_WIDGET (self));
}

/* ---- Module entry ----------------------------------------------------------------------- */

G_MODULE_EXPORT GType lb_body_view_module_register (GType body_view_interface);

/**
 * lb_body_view_module_register:
 * @body_view_interface: the application's LbBodyView type
 *
 * Returns: the type implementing it in this module
 */
G_MODULE_EXPORT GType
lb_body_view_module_register (GType body_view_interface)
{
  g_return_val_if_fail (G_TYPE_IS_INTERFACE (body_view_interface), G_TYPE_INVALID);

  body_view_iface_type = body_view_interface;
  return LB_TYPE_WEB_BODY_VIEW;
}
