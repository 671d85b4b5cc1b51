/* lb-body-view.c: the message body widget's interface, and the loader of its module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WebKitGTK and the hundred libraries it pulls in cost about a sixth of a second and tens
 * of megabytes when they are linked into the program, although most starts never open a
 * message.  The web view therefore lives in a module (src/ui/webview/) that is loaded with
 * GModule when the reader is made.  It is looked for in $LETTERBOX_MODULE_DIR (set for
 * uninstalled runs: meson devenv and the test environment), else in LIBDIR/letterbox.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gmodule.h>

#include "lb-body-view.h"

G_DEFINE_INTERFACE (LbBodyView, lb_body_view, GTK_TYPE_WIDGET)

static void
lb_body_view_default_init (LbBodyViewInterface *iface)
{
  /**
   * LbBodyView::body-shown:
   * @html: %TRUE if the HTML went to the renderer, %FALSE if the plain document did
   *
   * A body was handed to the renderer: right away, or once the view could show it safely.
   */
  g_signal_new ("body-shown", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  /**
   * LbBodyView::body-loaded:
   *
   * The renderer has finished loading the body last shown (its next frame shows it).
   */
  g_signal_new ("body-loaded", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * LbBodyView::failed:
   *
   * The renderer stopped unexpectedly; nothing is shown until the next body.
   */
  g_signal_new ("failed", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static char *
module_path (void)
{
  const char *dir = g_getenv ("LETTERBOX_MODULE_DIR");

  if (dir == NULL || *dir == '\0')
    dir = LB_MODULE_DIR;
  return g_build_filename (dir, "letterbox-webview." G_MODULE_SUFFIX, NULL);
}

/* The loaded module's registration function, or why it could not be loaded.  Guarded by
 * load_lock: the module is opened on a thread. */
static GMutex load_lock;
static LbBodyViewModuleRegister register_func;
static char *load_error;
static GType implementation;

/* Opens the module: run on a thread, since loading WebKit and the libraries it needs
 * (relocating tens of megabytes) takes a good part of a second on a slow machine, and the
 * reader can show the message's header meanwhile.  Nothing here touches GTK. */
static gboolean
open_module (GError **error)
{
  g_autofree char *path = NULL;
  GModule *module;
  gpointer symbol = NULL;

  g_mutex_lock (&load_lock);
  if (register_func == NULL && load_error == NULL)
    {
      path = module_path ();
      /* LOCAL: WebKit's symbols stay out of the global namespace.  The module registers
       * static types, so it can never be unloaded. */
      module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
      if (module == NULL)
        load_error = g_strdup (g_module_error ());
      else if (!g_module_symbol (module, LB_BODY_VIEW_MODULE_ENTRY, &symbol) || symbol == NULL)
        {
          load_error = g_strdup_printf ("%s: no %s", path, LB_BODY_VIEW_MODULE_ENTRY);
          g_module_close (module);
        }
      else
        {
          g_module_make_resident (module);
          register_func = (LbBodyViewModuleRegister) symbol;
        }
      if (load_error != NULL)
        g_warning ("Cannot load the message view: %s", load_error);
    }
  if (load_error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, load_error);
  g_mutex_unlock (&load_lock);
  return load_error == NULL;
}

/* On the main thread: the types are registered (and their classes made) there. */
static GType
register_implementation (GError **error)
{
  if (implementation != G_TYPE_INVALID)
    return implementation;
  if (!open_module (error))
    return G_TYPE_INVALID;

  implementation = register_func (LB_TYPE_BODY_VIEW);
  if (!g_type_is_a (implementation, LB_TYPE_BODY_VIEW))
    {
      implementation = G_TYPE_INVALID;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The message view module does not implement LbBodyView");
    }
  return implementation;
}

static void
open_module_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;

  if (open_module (&error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * lb_body_view_is_loaded:
 *
 * Returns: whether lb_body_view_new() can return at once, without loading the module
 */
gboolean
lb_body_view_is_loaded (void)
{
  return implementation != G_TYPE_INVALID;
}

/**
 * lb_body_view_load_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context when the module is loaded
 *
 * Loads the module on a thread, so that lb_body_view_new() is quick afterwards.
 */
void
lb_body_view_load_async (GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, lb_body_view_load_async);
  if (implementation != G_TYPE_INVALID)
    g_task_return_boolean (task, TRUE);
  else
    g_task_run_in_thread (task, open_module_thread);
}

/**
 * lb_body_view_load_finish:
 *
 * Returns: %TRUE if lb_body_view_new() can make a view now
 */
gboolean
lb_body_view_load_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * lb_body_view_new:
 * @error: where to put why the view's module could not be loaded
 *
 * Loads the module on the first call, unless lb_body_view_load_async() did.
 *
 * Returns: (transfer floating) (nullable): a new, empty body view
 */
LbBodyView *
lb_body_view_new (GError **error)
{
  GType type = register_implementation (error);

  if (type == G_TYPE_INVALID)
    return NULL;
  return g_object_new (type, NULL);
}

/**
 * lb_body_view_set_cid_func:
 * @func: (nullable): how to find the parts the body refers to as "cid:" URIs
 *
 * Replaces the function used before; @destroy is called on @user_data when the function is
 * replaced or the view finalized.
 */
void
lb_body_view_set_cid_func (LbBodyView        *self,
                           LbBodyViewCidFunc  func,
                           gpointer           user_data,
                           GDestroyNotify     destroy)
{
  g_return_if_fail (LB_IS_BODY_VIEW (self));

  LB_BODY_VIEW_GET_IFACE (self)->set_cid_func (self, func, user_data, destroy);
}

/**
 * lb_body_view_show:
 * @html: (nullable): the HTML body in UTF-8, or %NULL for plain mail
 * @plain_document: a complete HTML document made from the text version, which loads
 *   nothing; it is shown instead of @html when @html is %NULL or cannot be shown safely
 * @flags: whether remote content may load, and the style
 *
 * Replaces what is shown.  #LbBodyView::body-shown says which of the two went to the
 * renderer, and #LbBodyView::body-loaded when it is ready.
 */
void
lb_body_view_show (LbBodyView  *self,
                   const char  *html,
                   const char  *plain_document,
                   LbBodyFlags  flags)
{
  g_return_if_fail (LB_IS_BODY_VIEW (self));
  g_return_if_fail (plain_document != NULL);

  LB_BODY_VIEW_GET_IFACE (self)->show (self, html, plain_document, flags);
}

/**
 * lb_body_view_clear:
 *
 * Shows nothing.
 */
void
lb_body_view_clear (LbBodyView *self)
{
  g_return_if_fail (LB_IS_BODY_VIEW (self));

  LB_BODY_VIEW_GET_IFACE (self)->clear (self);
}

/**
 * lb_body_view_prepare:
 *
 * The user is likely to open a message soon: starts what the first body needs (for WebKit,
 * its processes), so that it shows sooner.  Does nothing once a body was shown.
 */
void
lb_body_view_prepare (LbBodyView *self)
{
  LbBodyViewInterface *iface;

  g_return_if_fail (LB_IS_BODY_VIEW (self));

  iface = LB_BODY_VIEW_GET_IFACE (self);
  if (iface->prepare != NULL)
    iface->prepare (self);
}

/**
 * lb_body_view_set_zoom:
 * @zoom: the scale of the page, 1.0 being its own size
 *
 * Scales the body, text and images alike, for this and the next bodies shown.
 */
void
lb_body_view_set_zoom (LbBodyView *self,
                       double      zoom)
{
  LbBodyViewInterface *iface;

  g_return_if_fail (LB_IS_BODY_VIEW (self));
  g_return_if_fail (zoom > 0);

  iface = LB_BODY_VIEW_GET_IFACE (self);
  if (iface->set_zoom != NULL)
    iface->set_zoom (self, zoom);
}

/**
 * lb_body_view_print:
 * @parent: (nullable): the window the print dialog belongs to
 * @export_pdf: (nullable): write a PDF there without a dialog (tests)
 * @done: called once, when the document went to the printer or printing failed
 *
 * Prints the body last shown, once it has loaded (#LbBodyView::body-loaded), with the
 * rules it was shown with: no script, remote content only if it was allowed.
 */
void
lb_body_view_print (LbBodyView          *self,
                    GtkWindow           *parent,
                    const char          *export_pdf,
                    LbBodyViewPrintDone  done,
                    gpointer             user_data)
{
  LbBodyViewInterface *iface;

  g_return_if_fail (LB_IS_BODY_VIEW (self));
  g_return_if_fail (done != NULL);

  iface = LB_BODY_VIEW_GET_IFACE (self);
  if (iface->print == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("This message view cannot print."));

      done (error, user_data);
      return;
    }
  iface->print (self, parent, export_pdf, done, user_data);
}
