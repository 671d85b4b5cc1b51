/* lb-body-view.h: the widget that renders a message body, implemented in a loadable module
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader shows the body of a message through this interface.  Its one implementation
 * (src/ui/webview/, WebKitGTK) lives in a module that is loaded on first use, so that the
 * application neither links WebKit nor pays for loading it before a message is opened.
 * This header is shared with the module and uses GTK only: no engine type crosses it.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LB_TYPE_BODY_VIEW (lb_body_view_get_type ())

G_DECLARE_INTERFACE (LbBodyView, lb_body_view, LB, BODY_VIEW, GtkWidget)

/**
 * LbBodyViewCidFunc:
 * @uri: a "cid:" URI the body refers to
 * @mime_type: (out) (transfer none): the part's type, or %NULL if unknown
 * @user_data: the data given with the function
 *
 * Returns: (transfer full) (nullable): the content of the part, or %NULL
 */
typedef GBytes *(*LbBodyViewCidFunc) (const char  *uri,
                                      const char **mime_type,
                                      gpointer     user_data);

/**
 * LbBodyFlags:
 * @LB_BODY_ALLOW_REMOTE: load remote content (images, style sheets) of the HTML
 * @LB_BODY_DARK: the application uses its dark style
 * @LB_BODY_OWN_COLOURS: the HTML sets colours of its own, so it keeps a light page
 */
typedef enum {
  LB_BODY_NONE         = 0,
  LB_BODY_ALLOW_REMOTE = 1 << 0,
  LB_BODY_DARK         = 1 << 1,
  LB_BODY_OWN_COLOURS  = 1 << 2,
} LbBodyFlags;

typedef void (*LbBodyViewPrintDone) (const GError *error,
                                     gpointer      user_data);

struct _LbBodyViewInterface
{
  GTypeInterface parent_iface;

  void (*set_cid_func) (LbBodyView        *self,
                        LbBodyViewCidFunc  func,
                        gpointer           user_data,
                        GDestroyNotify     destroy);
  void (*show)         (LbBodyView        *self,
                        const char        *html,
                        const char        *plain_document,
                        LbBodyFlags        flags);
  void (*clear)        (LbBodyView        *self);
  void (*prepare)      (LbBodyView        *self);
  void (*set_zoom)     (LbBodyView        *self,
                        double             zoom);
  void (*print)        (LbBodyView          *self,
                        GtkWindow           *parent,
                        const char          *export_pdf,
                        LbBodyViewPrintDone  done,
                        gpointer             user_data);
};

/* The module's one entry point.  It gets the interface type from the application (so it
 * needs no symbol of the executable) and returns its implementation of it. */
#define LB_BODY_VIEW_MODULE_ENTRY "lb_body_view_module_register"
typedef GType (*LbBodyViewModuleRegister) (GType body_view_interface);

void        lb_body_view_load_async   (GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean    lb_body_view_load_finish  (GAsyncResult       *result,
                                       GError            **error);
gboolean    lb_body_view_is_loaded    (void);
LbBodyView *lb_body_view_new          (GError            **error);
void        lb_body_view_set_cid_func (LbBodyView         *self,
                                       LbBodyViewCidFunc   func,
                                       gpointer            user_data,
                                       GDestroyNotify      destroy);
void        lb_body_view_show         (LbBodyView         *self,
                                       const char         *html,
                                       const char         *plain_document,
                                       LbBodyFlags         flags);
void        lb_body_view_clear        (LbBodyView         *self);
void        lb_body_view_prepare      (LbBodyView         *self);
void        lb_body_view_set_zoom     (LbBodyView         *self,
                                       double              zoom);
void        lb_body_view_print        (LbBodyView         *self,
                                       GtkWindow          *parent,
                                       const char         *export_pdf,
                                       LbBodyViewPrintDone done,
                                       gpointer            user_data);

G_END_DECLS
