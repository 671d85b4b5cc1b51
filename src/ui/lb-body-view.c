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

static GType
load_implementation (GError **error)
{
  static GType implementation;
  static char *load_error;
  g_autofree char *path = NULL;
  LbBodyViewModuleRegister register_func = NULL;
  GModule *module;

  if (implementation != G_TYPE_INVALID)
    return implementation;
  /* A module that failed once fails again: say the same without touching the disk. */
  if (load_error != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, load_error);
      return G_TYPE_INVALID;
    }

  path = module_path ();
  /* LOCAL: WebKit's symbols stay out of the global namespace.  The module registers
   * static types, so it can never be unloaded. */
  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    load_error = g_strdup (g_module_error ());
  else if (!g_module_symbol (module, LB_BODY_VIEW_MODULE_ENTRY, (gpointer *) &register_func)
           || register_func == NULL)
    {
      load_error = g_strdup_printf ("%s: no %s", path, LB_BODY_VIEW_MODULE_ENTRY);
      g_module_close (module);
    }
  else
    {
      g_module_make_resident (module);
      implementation = register_func (LB_TYPE_BODY_VIEW);
      if (!g_type_is_a (implementation, LB_TYPE_BODY_VIEW))
        {
          load_error = g_strdup_printf ("%s does not implement LbBodyView", path);
          implementation = G_TYPE_INVALID;
        }
    }

  if (load_error != NULL)
    {
      g_warning ("Cannot load the message view: %s", load_error);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, load_error);
    }
  return implementation;
}

/**
 * lb_body_view_new:
 * @error: where to put why the view's module could not be loaded
 *
 * Loads the module on the first call.
 *
 * Returns: (transfer floating) (nullable): a new, empty body view
 */
LbBodyView *
lb_body_view_new (GError **error)
{
  GType type = load_implementation (error);

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
