/* lb-ui-test-util.h: helpers shared by the UI tests and the screenshot tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void       lb_ui_test_setup_environment (void);
GtkWidget *lb_ui_test_find_widget       (GtkWidget   *root,
                                         const char  *name);
GtkWindow *lb_ui_test_find_toplevel     (GType        type);
void       lb_ui_test_wait_for_frame    (GtkWidget   *widget);
void       lb_ui_test_wait_until_gone   (gpointer    *weak_pointer);
gboolean   lb_ui_test_save_png          (GtkWidget   *widget,
                                         const char  *path,
                                         GError     **error);
void       lb_ui_test_save_screenshot   (GtkWidget   *widget,
                                         const char  *dir,
                                         const char  *name);
void       lb_ui_test_answer_dialog     (GtkWindow   *dialog,
                                         const char  *response);
GtkWidget *lb_ui_test_find_button       (GtkWidget   *root,
                                         const char  *label);
void       lb_ui_test_set_window_size   (int          width,
                                         int          height);

const char *lb_ui_test_init_app_test  (int          *argc,
                                         char       ***argv);

/* Iterates the main loop until CONDITION holds; a hang ends the test with a message
 * naming the condition rather than with the test runner's time-out. */
#define LB_UI_TEST_WAIT_UNTIL(condition)                                        \
  G_STMT_START {                                                                \
    gint64 _deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;           \
    while (!(condition))                                                        \
      {                                                                         \
        if (g_get_monotonic_time () > _deadline)                                \
          g_error ("timed out waiting for %s", #condition);                     \
        g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);      \
      }                                                                         \
  } G_STMT_END

void       lb_ui_test_click             (GtkWidget   *button);

typedef void (*LbUiTestAppBody) (GApplication *application);
void       lb_ui_test_run_application   (GApplication    *application,
                                         LbUiTestAppBody  body);

G_END_DECLS
