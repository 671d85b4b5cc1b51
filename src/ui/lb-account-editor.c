/* lb-account-editor.c: the window that changes an existing account
 *
 * It opens on what the account uses now and shows no error until Save: the secret is
 * never read back (it stays in the keyring; the window only says that one is set), and
 * the servers are tried only when Save would change how the account connects (servers,
 * user name, proxy or password).  A new password is tried against the servers before it
 * replaces the old one, so a typo never locks the account out.  Names, signatures and
 * additional addresses are saved without a connection.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-account-check.h"
#include "lb-account-editor.h"
#include "lb-provider-info.h"

/* The rows of the Proxy combo, in the order of the .ui file. */
typedef enum {
  PROXY_SYSTEM,
  PROXY_NONE,
  PROXY_SOCKS5,
  PROXY_HTTP,
} ProxyMode;

struct _LbAccountEditor
{
  AdwWindow           parent_instance;

  LbEngine           *engine;
  LbAccount          *account;
  LbAccountSettings  *original;
  LbAccountSettings  *pending;
  char               *pending_secret;
  GCancellable       *cancellable;
  GPtrArray          *alias_rows;    /* AdwExpanderRow, in order */

  AdwToastOverlay    *toasts;
  AdwWindowTitle     *window_title;
  GtkStack           *save_stack;
  GtkSpinner         *save_spinner;
  AdwPreferencesPage *page;
  GtkLabel           *error_label;
  AdwEntryRow        *name_row;
  AdwActionRow       *address_row;
  AdwPreferencesGroup *password_group;
  AdwActionRow       *password_row;
  GtkButton          *change_password_button;
  AdwPasswordEntryRow *new_password_row;
  AdwPreferencesGroup *oauth2_group;
  AdwActionRow       *oauth2_row;
  GtkButton          *sign_in_again_button;
  AdwEntryRow        *imap_host_row;
  GtkSpinButton      *imap_port_spin;
  AdwComboRow        *imap_security_row;
  AdwEntryRow        *username_row;
  AdwEntryRow        *smtp_host_row;
  GtkSpinButton      *smtp_port_spin;
  AdwComboRow        *smtp_security_row;
  GtkTextView        *signature_view;
  AdwPreferencesGroup *aliases_group;
  AdwComboRow        *offline_row;
  AdwExpanderRow     *offline_limit_row;
  GtkSpinButton      *offline_limit_spin;
  guint               offline_choice;   /* as fill_offline() showed it */
  AdwComboRow        *proxy_mode_row;
  AdwEntryRow        *proxy_host_row;
  AdwActionRow       *proxy_port_row;
  GtkSpinButton      *proxy_port_spin;
};

G_DEFINE_FINAL_TYPE (LbAccountEditor, lb_account_editor, ADW_TYPE_WINDOW)

/* ---- small helpers -------------------------------------------------------------------- */

static char *
stripped_text (GtkEditable *editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

static char *
text_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  /* Trailing blank lines would only push the signature's end down. */
  g_strchomp (text);
  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
show_error (LbAccountEditor *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (LbAccountEditor *self,
          gboolean         busy)
{
  /* An entry that loses focus by becoming insensitive is not told (its cursor would
   * keep blinking and warn): the focus leaves it first. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "busy" : "save");
  gtk_spinner_set_spinning (self->save_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !busy);
}

/* App passwords and authorization codes are shown in groups ("abcd efgh ijkl mnop") and
 * copied with the spaces, which the server refuses; they never contain a space
 * themselves.  A plain password is taken as typed. */
static char *
clean_secret (LbAccountEditor *self,
              const char      *typed)
{
  const char *provider_id = lb_account_get_provider_id (self->account);
  g_autoptr(LbProviderInfo) info = provider_id != NULL ? lb_provider_info_lookup (provider_id)
                                                       : NULL;
  LbCredentialKind kind = info != NULL ? lb_provider_info_get_credential_kind (info)
                                       : LB_CREDENTIAL_PASSWORD;
  GString *clean;

  if (kind != LB_CREDENTIAL_APP_PASSWORD && kind != LB_CREDENTIAL_AUTHORIZATION_CODE)
    return g_strdup (typed);
  clean = g_string_new (NULL);
  for (const char *p = typed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* NO-BREAK SPACE and friends too: web pages lay the groups out with them. */
      if (!g_unichar_isspace (c) && g_unichar_type (c) != G_UNICODE_SPACE_SEPARATOR)
        g_string_append_unichar (clean, c);
    }
  return g_string_free (clean, FALSE);
}

/* ---- additional addresses --------------------------------------------------------------- */

static void
update_alias_title (AdwEntryRow    *entry,
                    AdwExpanderRow *row)
{
  g_autofree char *email = stripped_text (GTK_EDITABLE (entry));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 email[0] != '\0' ? email : _("New Address"));
}

static void
update_alias_subtitle (AdwEntryRow    *entry,
                       AdwExpanderRow *row)
{
  adw_expander_row_set_subtitle (row, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_remove_alias (GtkButton       *button,
                 LbAccountEditor *self)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "lb-alias-row");

  g_ptr_array_remove (self->alias_rows, row);
  adw_preferences_group_remove (self->aliases_group, row);
}

static GtkWidget *
make_signature_row (GtkTextView **out_view)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (_("Signature"));
  GtkWidget *view = gtk_text_view_new ();

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Signature"));
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_widget_set_size_request (view, -1, 64);
  gtk_widget_add_css_class (view, "card");
  gtk_widget_add_css_class (view, "lb-signature");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Signature"), -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), view);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  *out_view = GTK_TEXT_VIEW (view);
  return row;
}

/* One expander row per additional address: its address, name and signature, and a
 * button that removes it. */
static AdwExpanderRow *
add_alias_row (LbAccountEditor  *self,
               const LbIdentity *alias)
{
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *email = adw_entry_row_new ();
  GtkWidget *name = adw_entry_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkTextView *signature = NULL;
  GtkWidget *signature_row = make_signature_row (&signature);

  gtk_widget_set_name (row, "editor-alias-row");
  gtk_widget_set_name (email, "editor-alias-email");
  gtk_widget_set_name (name, "editor-alias-name");
  gtk_widget_set_name (GTK_WIDGET (signature), "editor-alias-signature");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (email), _("Address"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (name), _("Name"));
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Address"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove Address"), -1);
  g_object_set_data (G_OBJECT (remove), "lb-alias-row", row);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_alias), self);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), remove);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), email);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), name);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), signature_row);
  g_object_set_data (G_OBJECT (row), "lb-email", email);
  g_object_set_data (G_OBJECT (row), "lb-name", name);
  g_object_set_data (G_OBJECT (row), "lb-signature", signature);
  g_signal_connect (email, "changed", G_CALLBACK (update_alias_title), row);
  g_signal_connect (name, "changed", G_CALLBACK (update_alias_subtitle), row);

  if (alias != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (email), alias->email);
      gtk_editable_set_text (GTK_EDITABLE (name), alias->display_name != NULL ? alias->display_name : "");
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (signature),
                                alias->signature != NULL ? alias->signature : "", -1);
    }
  update_alias_title (ADW_ENTRY_ROW (email), ADW_EXPANDER_ROW (row));
  adw_preferences_group_add (self->aliases_group, row);
  g_ptr_array_add (self->alias_rows, row);
  return ADW_EXPANDER_ROW (row);
}

static void
add_alias_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbAccountEditor *self = LB_ACCOUNT_EDITOR (widget);
  AdwExpanderRow *row = add_alias_row (self, NULL);

  adw_expander_row_set_expanded (row, TRUE);
  gtk_widget_grab_focus (g_object_get_data (G_OBJECT (row), "lb-email"));
}

/* The additional addresses as typed, or %NULL after showing what is wrong. */
static GPtrArray *
aliases_from_fields (LbAccountEditor *self)
{
  g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_identity_free);

  for (guint i = 0; i < self->alias_rows->len; i++)
    {
      GObject *row = g_ptr_array_index (self->alias_rows, i);
      g_autofree char *email = stripped_text (g_object_get_data (row, "lb-email"));
      g_autofree char *name = stripped_text (g_object_get_data (row, "lb-name"));
      g_autofree char *signature = text_view_text (g_object_get_data (row, "lb-signature"));
      gboolean duplicate = g_ascii_strcasecmp (email, lb_account_get_email (self->account)) == 0;

      if (email[0] == '\0' && name[0] == '\0' && signature == NULL)
        continue; /* an untouched new row */
      for (guint j = 0; j < aliases->len; j++)
        duplicate |= g_ascii_strcasecmp (((LbIdentity *) g_ptr_array_index (aliases, j))->email,
                                         email) == 0;
      if (strchr (email, '@') == NULL || strchr (email, ' ') != NULL || duplicate)
        {
          g_autofree char *message = NULL;

          /* Translators: %s is what the user typed as an additional address. */
          message = g_strdup_printf (duplicate ? _("“%s” is already an address of this account.")
                                               : _("“%s” is not an email address."),
                                     email);
          show_error (self, message);
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
          return NULL;
        }
      g_ptr_array_add (aliases, lb_identity_new (email, name, signature));
    }
  return g_steal_pointer (&aliases);
}

/* ---- offline --------------------------------------------------------------------------- */

/* LbAccountSettings:offline_days of each choice of offline_row, in its order. */
static const int offline_choices[] = { 0, 365, 90, 30, -1 };

static void
fill_offline (LbAccountEditor         *self,
              const LbAccountSettings *s)
{
  guint choice = 0;

  /* A window set from the command line that is not one of the choices shows as the next
   * longer one, and is kept unless the user picks another. */
  for (guint i = 0; i < G_N_ELEMENTS (offline_choices); i++)
    if (offline_choices[i] == s->offline_days ||
        (s->offline_days > 0 && offline_choices[i] > 0 && offline_choices[i] >= s->offline_days))
      choice = i;
  adw_combo_row_set_selected (self->offline_row, choice);
  self->offline_choice = choice;
  adw_expander_row_set_enable_expansion (self->offline_limit_row, s->offline_max_mb > 0);
  if (s->offline_max_mb > 0)
    gtk_spin_button_set_value (self->offline_limit_spin, s->offline_max_mb);
}

static void
offline_from_fields (LbAccountEditor   *self,
                     LbAccountSettings *s)
{
  guint choice = adw_combo_row_get_selected (self->offline_row);

  /* The setting as it was while the row still shows it (see fill_offline()). */
  if (choice != self->offline_choice && choice < G_N_ELEMENTS (offline_choices))
    s->offline_days = offline_choices[choice];
  s->offline_max_mb = adw_expander_row_get_enable_expansion (self->offline_limit_row)
                      ? (guint) gtk_spin_button_get_value_as_int (self->offline_limit_spin) : 0;
}

/* ---- proxy ----------------------------------------------------------------------------- */

static void
update_proxy_rows (LbAccountEditor *self)
{
  guint mode = adw_combo_row_get_selected (self->proxy_mode_row);
  gboolean manual = mode == PROXY_SOCKS5 || mode == PROXY_HTTP;

  gtk_widget_set_visible (GTK_WIDGET (self->proxy_host_row), manual);
  gtk_widget_set_visible (GTK_WIDGET (self->proxy_port_row), manual);
}

static void
fill_proxy (LbAccountEditor *self,
            const char      *proxy)
{
  g_autoptr(GUri) uri = NULL;
  ProxyMode mode = PROXY_SYSTEM;

  if (g_strcmp0 (proxy, LB_PROXY_NONE) == 0)
    mode = PROXY_NONE;
  else if (proxy != NULL && (uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL)) != NULL)
    {
      mode = g_str_has_prefix (g_uri_get_scheme (uri), "socks") ? PROXY_SOCKS5 : PROXY_HTTP;
      gtk_editable_set_text (GTK_EDITABLE (self->proxy_host_row),
                             g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "");
      if (g_uri_get_port (uri) > 0)
        gtk_spin_button_set_value (self->proxy_port_spin, g_uri_get_port (uri));
    }
  adw_combo_row_set_selected (self->proxy_mode_row, mode);
  update_proxy_rows (self);
}

/* The proxy value to store, or FALSE after showing what is wrong. */
static gboolean
proxy_from_fields (LbAccountEditor  *self,
                   char            **out)
{
  guint mode = adw_combo_row_get_selected (self->proxy_mode_row);
  g_autofree char *host = stripped_text (GTK_EDITABLE (self->proxy_host_row));
  g_autofree char *spec = NULL;
  g_autoptr(GError) error = NULL;

  if (mode == PROXY_SYSTEM || mode == PROXY_NONE)
    {
      *out = mode == PROXY_NONE ? g_strdup (LB_PROXY_NONE) : NULL;
      return TRUE;
    }
  if (host[0] == '\0')
    {
      show_error (self, _("Enter the name of the proxy server."));
      gtk_widget_add_css_class (GTK_WIDGET (self->proxy_host_row), "error");
      return FALSE;
    }
  /* An IPv6 literal needs brackets in a URL. */
  spec = g_strdup_printf (strchr (host, ':') != NULL ? "%s://[%s]:%d" : "%s://%s:%d",
                          mode == PROXY_SOCKS5 ? "socks5h" : "http", host,
                          gtk_spin_button_get_value_as_int (self->proxy_port_spin));
  if (!lb_proxy_parse (spec, out, &error))
    {
      show_error (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->proxy_host_row), "error");
      return FALSE;
    }
  return TRUE;
}

/* ---- filling and reading the form ------------------------------------------------------- */

static void
fill_sign_in (LbAccountEditor *self)
{
  const char *provider_id = lb_account_get_provider_id (self->account);
  g_autoptr(LbProviderInfo) info = provider_id != NULL ? lb_provider_info_lookup (provider_id)
                                                       : NULL;
  const char *term = info != NULL ? lb_provider_info_get_secret_term (info, NULL) : NULL;

  if (lb_account_get_auth (self->account) == LB_AUTH_OAUTH2)
    {
      const char *id = self->original->oauth2_provider;
      const char *brand = g_strcmp0 (id, "google") == 0 ? "Google"
                          : g_strcmp0 (id, "microsoft") == 0 ? "Microsoft" : id;
      g_autofree char *title = NULL;

      /* Translators: %s is "Microsoft" or "Google". */
      title = g_strdup_printf (_("Signed in with %s"), brand != NULL ? brand : "OAuth2");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->oauth2_row), title);
      adw_action_row_set_subtitle (self->oauth2_row,
                                   lb_account_get_needs_sign_in (self->account)
                                   ? _("The sign-in has expired: sign in again to receive mail")
                                   : _("Letterbox never sees your password"));
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->sign_in_again_button), "x",
                                        lb_account_get_id (self->account));
      gtk_widget_set_visible (GTK_WIDGET (self->password_group), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->oauth2_group), TRUE);
      return;
    }
  if (term != NULL)
    {
      g_autofree char *capital = g_strdup (term);
      gunichar first = g_utf8_get_char (capital);
      char buf[8];
      int len;

      if (g_unichar_islower (first))
        {
          len = g_unichar_to_utf8 (g_unichar_toupper (first), buf);
          g_free (capital);
          capital = g_strdup_printf ("%.*s%s", len, buf, g_utf8_next_char (term));
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), capital);
    }
}

static void
fill_fields (LbAccountEditor *self)
{
  const LbAccountSettings *s = self->original;
  GPtrArray *aliases = s->aliases;

  adw_window_title_set_subtitle (self->window_title, s->email);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         s->display_name != NULL ? s->display_name : "");
  adw_action_row_set_subtitle (self->address_row, s->email);
  fill_sign_in (self);

  gtk_editable_set_text (GTK_EDITABLE (self->imap_host_row), s->imap->host);
  gtk_spin_button_set_value (self->imap_port_spin, s->imap->port);
  adw_combo_row_set_selected (self->imap_security_row, s->imap->security);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row),
                         s->imap->username != NULL ? s->imap->username : s->email);
  if (s->smtp != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->smtp_host_row), s->smtp->host);
      gtk_spin_button_set_value (self->smtp_port_spin, s->smtp->port);
      adw_combo_row_set_selected (self->smtp_security_row, s->smtp->security);
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->signature_view),
                            s->signature != NULL ? s->signature : "", -1);
  for (guint i = 0; aliases != NULL && i < aliases->len; i++)
    add_alias_row (self, g_ptr_array_index (aliases, i));
  fill_proxy (self, s->imap->proxy);
  fill_offline (self, s);
}

/* The settings as the form shows them, or %NULL after showing what is wrong. */
static LbAccountSettings *
settings_from_fields (LbAccountEditor *self)
{
  g_autoptr(LbAccountSettings) s = lb_account_dup_settings (self->account);
  g_autofree char *name = stripped_text (GTK_EDITABLE (self->name_row));
  g_autofree char *imap_host = stripped_text (GTK_EDITABLE (self->imap_host_row));
  g_autofree char *smtp_host = stripped_text (GTK_EDITABLE (self->smtp_host_row));
  g_autofree char *username = stripped_text (GTK_EDITABLE (self->username_row));
  g_autofree char *proxy = NULL;
  GPtrArray *aliases;

  if (imap_host[0] == '\0')
    {
      show_error (self, _("Enter the name of the incoming mail (IMAP) server."));
      gtk_widget_add_css_class (GTK_WIDGET (self->imap_host_row), "error");
      return NULL;
    }
  if (smtp_host[0] == '\0' && s->smtp != NULL)
    {
      show_error (self, _("Enter the name of the outgoing mail (SMTP) server."));
      gtk_widget_add_css_class (GTK_WIDGET (self->smtp_host_row), "error");
      return NULL;
    }
  if (!proxy_from_fields (self, &proxy))
    return NULL;
  aliases = aliases_from_fields (self);
  if (aliases == NULL)
    return NULL;

  g_free (s->display_name);
  s->display_name = name[0] != '\0' ? g_steal_pointer (&name) : NULL;
  g_free (s->signature);
  s->signature = text_view_text (self->signature_view);
  g_clear_pointer (&s->aliases, g_ptr_array_unref);
  s->aliases = aliases;
  offline_from_fields (self, s);

  g_free (s->imap->host);
  s->imap->host = g_strdup (imap_host);
  s->imap->port = (guint16) gtk_spin_button_get_value_as_int (self->imap_port_spin);
  s->imap->security = adw_combo_row_get_selected (self->imap_security_row);
  g_free (s->imap->username);
  s->imap->username = g_strdup (username[0] != '\0' ? username : s->email);
  g_free (s->imap->proxy);
  s->imap->proxy = g_strdup (proxy);
  if (smtp_host[0] != '\0')
    {
      if (s->smtp == NULL)
        s->smtp = lb_server_config_copy (s->imap);
      g_free (s->smtp->host);
      s->smtp->host = g_strdup (smtp_host);
      s->smtp->port = (guint16) gtk_spin_button_get_value_as_int (self->smtp_port_spin);
      s->smtp->security = adw_combo_row_get_selected (self->smtp_security_row);
      g_free (s->smtp->username);
      s->smtp->username = g_strdup (s->imap->username);
      g_free (s->smtp->proxy);
      s->smtp->proxy = g_strdup (proxy);
    }
  return g_steal_pointer (&s);
}

static gboolean
same_server (const LbServerConfig *a,
             const LbServerConfig *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strcmp0 (a->host, b->host) == 0 && a->port == b->port && a->security == b->security
         && g_strcmp0 (a->username, b->username) == 0 && g_strcmp0 (a->proxy, b->proxy) == 0;
}

/* ---- saving ---------------------------------------------------------------------------- */

static void
on_updated (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbAccountEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccount) account = lb_engine_update_account_finish (LB_ENGINE (source), result,
                                                                  &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (account == NULL)
    {
      show_error (self, error->message);
      return;
    }
  /* A focused entry destroyed with its window warns that it lost focus unannounced. */
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
update_pending (LbAccountEditor *self)
{
  lb_engine_update_account_async (self->engine, self->account, self->pending,
                                  self->pending_secret, self->cancellable, on_updated,
                                  g_object_ref (self));
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(LbAccountEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LbAccountCheckResult) check = lb_account_check_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (check == NULL || !check->ok)
    {
      set_busy (self, FALSE);
      show_error (self, check != NULL ? check->message : error->message);
      if (check != NULL && check->field == LB_ACCOUNT_CHECK_FIELD_PASSWORD)
        gtk_widget_add_css_class (GTK_WIDGET (self->new_password_row), "error");
      g_clear_pointer (&self->pending, lb_account_settings_free);
      g_clear_pointer (&self->pending_secret, g_free);
      return;
    }
  update_pending (self);
}

static void
clear_marks (LbAccountEditor *self)
{
  GtkWidget *marked[] = {
    GTK_WIDGET (self->imap_host_row), GTK_WIDGET (self->smtp_host_row),
    GTK_WIDGET (self->proxy_host_row), GTK_WIDGET (self->new_password_row),
  };

  show_error (self, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (marked); i++)
    gtk_widget_remove_css_class (marked[i], "error");
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbAccountEditor *self = LB_ACCOUNT_EDITOR (widget);
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autofree char *secret = NULL;
  gboolean connection_changed;

  clear_marks (self);
  settings = settings_from_fields (self);
  if (settings == NULL)
    return;
  if (gtk_widget_get_visible (GTK_WIDGET (self->new_password_row)))
    {
      secret = clean_secret (self, gtk_editable_get_text (GTK_EDITABLE (self->new_password_row)));
      if (secret[0] == '\0')
        g_clear_pointer (&secret, g_free);
    }
  connection_changed = !same_server (settings->imap, self->original->imap)
                       || !same_server (settings->smtp, self->original->smtp);

  self->pending = g_steal_pointer (&settings);
  self->pending_secret = g_steal_pointer (&secret);
  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  /* The servers are asked only when what they would see changes; an OAuth2 account's
   * servers are checked when it signs in again. */
  if (lb_account_get_auth (self->account) == LB_AUTH_OAUTH2
      || (self->pending_secret == NULL && !connection_changed))
    update_pending (self);
  else if (self->pending_secret != NULL)
    lb_account_check_async (self->pending, self->pending_secret, self->cancellable, on_checked,
                            g_object_ref (self));
  else
    lb_account_check_saved_async (self->account, self->pending, self->cancellable, on_checked,
                                  g_object_ref (self));
}

static void
change_password_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LbAccountEditor *self = LB_ACCOUNT_EDITOR (widget);

  gtk_widget_set_visible (GTK_WIDGET (self->new_password_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->change_password_button), FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->new_password_row));
}

/* ---- the object ------------------------------------------------------------------------ */

static gboolean
lb_account_editor_close_request (GtkWindow *window)
{
  /* A focused entry destroyed with its window warns that it lost focus unannounced. */
  gtk_window_set_focus (window, NULL);
  return GTK_WINDOW_CLASS (lb_account_editor_parent_class)->close_request (window);
}

static void
lb_account_editor_dispose (GObject *object)
{
  LbAccountEditor *self = LB_ACCOUNT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->original, lb_account_settings_free);
  g_clear_pointer (&self->pending, lb_account_settings_free);
  g_clear_pointer (&self->pending_secret, g_free);
  g_clear_pointer (&self->alias_rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), LB_TYPE_ACCOUNT_EDITOR);

  G_OBJECT_CLASS (lb_account_editor_parent_class)->dispose (object);
}

static void
lb_account_editor_class_init (LbAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_account_editor_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = lb_account_editor_close_request;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/letterbox/Letterbox/ui/lb-account-editor.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, LbAccountEditor, name)
  BIND (toasts);
  BIND (window_title);
  BIND (save_stack);
  BIND (save_spinner);
  BIND (page);
  BIND (error_label);
  BIND (name_row);
  BIND (address_row);
  BIND (password_group);
  BIND (password_row);
  BIND (change_password_button);
  BIND (new_password_row);
  BIND (oauth2_group);
  BIND (oauth2_row);
  BIND (sign_in_again_button);
  BIND (imap_host_row);
  BIND (imap_port_spin);
  BIND (imap_security_row);
  BIND (username_row);
  BIND (smtp_host_row);
  BIND (smtp_port_spin);
  BIND (smtp_security_row);
  BIND (signature_view);
  BIND (aliases_group);
  BIND (offline_row);
  BIND (offline_limit_row);
  BIND (offline_limit_spin);
  BIND (proxy_mode_row);
  BIND (proxy_host_row);
  BIND (proxy_port_row);
  BIND (proxy_port_spin);
#undef BIND

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.add-alias", NULL, add_alias_action);
  gtk_widget_class_install_action (widget_class, "editor.change-password", NULL,
                                   change_password_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
lb_account_editor_init (LbAccountEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->alias_rows = g_ptr_array_new ();
  g_signal_connect_swapped (self->proxy_mode_row, "notify::selected",
                            G_CALLBACK (update_proxy_rows), self);
}

/**
 * lb_account_editor_present:
 * @parent: (nullable): the window it is transient for
 * @account: the account to change
 *
 * Opens the editor on @account's current settings.
 *
 * Returns: (transfer none): the window
 */
LbAccountEditor *
lb_account_editor_present (GtkWindow *parent,
                           LbEngine  *engine,
                           LbAccount *account)
{
  LbAccountEditor *self;

  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (LB_IS_ACCOUNT (account), NULL);

  self = g_object_new (LB_TYPE_ACCOUNT_EDITOR, "transient-for", parent, NULL);
  self->engine = g_object_ref (engine);
  self->account = g_object_ref (account);
  self->original = lb_account_dup_settings (account);
  fill_fields (self);
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
