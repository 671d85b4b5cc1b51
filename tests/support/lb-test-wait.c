/* lb-test-wait.c: waiting on the main context, for tests that drive asynchronous code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "lb-test-wait.h"

void
lb_test_got_result (GObject      *source,
                    GAsyncResult *result,
                    gpointer      slot)
{
  GAsyncResult **where = slot;

  g_set_object (where, result);
}

GAsyncResult *
lb_test_wait_result (GAsyncResult **slot)
{
  g_clear_object (slot);
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

gboolean
lb_test_wait_until (LbTestCondition condition,
                    gpointer        data,
                    guint           timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
    }
  return TRUE;
}

typedef struct {
  GListModel *list;
  guint       n;
} CountWait;

static gboolean
count_is (gpointer data)
{
  CountWait *w = data;

  return g_list_model_get_n_items (w->list) == w->n;
}

gboolean
lb_test_wait_n_items (GListModel *list,
                      guint       n,
                      guint       timeout_s)
{
  CountWait w = { list, n };

  return lb_test_wait_until (count_is, &w, timeout_s);
}

void
lb_test_iterate_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
}
