/* lb-account-wizard.c: the window that adds a mail account (or signs one in again)
 *
 * The steps, each a page of one GtkStack:
 *   identity  name and address; Enter goes on.
 *   busy      a spinner while the settings are looked up, the sign-in is checked or the
 *             account is added; Stop (or Escape) goes back to where the user was.
 *   secret    what the provider calls the secret (授权码, app password ...), how to get one
 *             in numbered steps, a button to the provider's help page, and the field.
 *   oauth2    for providers with a browser sign-in (OAuth2): "Sign in with Microsoft" for
 *             Outlook.com and Microsoft 365 (which refuse passwords), "Sign in with Google"
 *             beside the app password for Gmail.  A build without a client ID says so
 *             here and offers the other ways, and an advanced user's own client ID.
 *   oauth2-wait  while the browser sign-in runs: the address to copy, and Cancel.
 *   advanced  IMAP and SMTP host, port, security (TLS or STARTTLS only) and user name,
 *             prefilled from discovery; also where a failed discovery lands.
 *
 * Nothing the user typed is lost on a failure: the pages keep their widgets, and the
 * message is shown next to the field to fix.  The secret goes from the field to the engine,
 * which keeps it in the keyring; it is never written anywhere else or logged.
 *
 * The user's own client IDs are kept in GSettings (oauth2-client-ids, by provider), not with
 * an account: one registration serves every account of that provider, as the build's
 * does, and an ID is public; a client secret (Google's desktop clients have one) goes to
 * the keyring through lb_account_sign_in_save_client().
 *
 * Offline (GNetworkMonitor), the wizard says so instead of looking up settings or
 * blaming the server fields.
 *
 * For tests only, two environment variables replace the network look-up:
 *   LETTERBOX_TEST_DISCOVERY_FILE  an autoconfig XML file (Thunderbird's clientConfig
 *                                  v1.1 format), read by lb_account_discover_async()
 *   LETTERBOX_TEST_CA_FILE         an extra CA certificate to trust for both servers
 *                                  (the fixtures' self-signed one)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "lb-account-check.h"
#include "lb-account-discovery.h"
#include "lb-account-sign-in.h"
#include "lb-account-wizard.h"
#include "lb-goa-chooser.h"
#include "lb-goa.h"
#include "lb-ui-types.h"

typedef enum {
  BUSY_NONE,
  BUSY_DISCOVERY,
  BUSY_CHECK,
  BUSY_ADD,
  BUSY_OAUTH2,
} BusyKind;

struct _LbAccountWizard
{
  AdwWindow          parent_instance;

  LbEngine          *engine;
  GCancellable      *cancellable;
  BusyKind           busy;
  char              *return_page;    /* where Stop goes back to */
  LbAccountDiscovery *discovery;     /* what discovery found, or NULL */
  char              *config_address; /* the address @discovery was found for */
  LbAccountSettings *pending;        /* the settings being added after a good check */
  LbAccount         *reauth;         /* the account being signed in again, or NULL */
  LbProviderInfo    *reauth_provider; /* its provider, when the database knows it */
  GNetworkMonitor   *monitor;
  char              *reauth_oauth2_id; /* its browser sign-in */
  char              *sign_in_uri;    /* the browser sign-in's address, while it runs */
  GPtrArray         *goa_accounts;   /* Online Accounts' usable accounts, or NULL */

  /* Template children */
  GtkStack          *stack;
  AdwWindowTitle    *window_title;
  GtkWidget         *back_button;
  GtkWidget         *cancel_button;
  AdwEntryRow       *name_row;
  AdwEntryRow       *email_row;
  GtkLabel          *identity_error;
  GtkWidget         *goa_button;
  AdwStatusPage     *busy_page;
  GtkSpinner        *busy_spinner;
  GtkLabel          *secret_title;
  GtkLabel          *secret_intro;
  GtkLabel          *secret_steps;
  GtkWidget         *help_button;
  AdwButtonContent  *help_button_content;
  AdwPasswordEntryRow *secret_row;
  GtkLabel          *secret_error;
  GtkLabel          *oauth2_title;
  GtkLabel          *oauth2_intro;
  GtkLabel          *oauth2_unavailable;
  GtkLabel          *oauth2_error;
  GtkWidget         *oauth2_sign_in_button;
  GtkWidget         *oauth2_password_button;
  GtkWidget         *oauth2_help_button;
  AdwExpanderRow    *client_expander;
  AdwEntryRow       *client_id_row;
  AdwPasswordEntryRow *client_secret_row;
  AdwStatusPage     *wait_page;
  GtkSpinner        *wait_spinner;
  GtkLabel          *wait_uri_label;
  GtkWidget         *wait_cancel_button;
  GtkWidget         *help_uri_box;
  GtkLabel          *help_uri_label;
  GtkLabel          *server_error;
  AdwEntryRow       *imap_host_row;
  GtkSpinButton     *imap_port_spin;
  AdwComboRow       *imap_security_row;
  AdwEntryRow       *imap_user_row;
  AdwEntryRow       *smtp_host_row;
  GtkSpinButton     *smtp_port_spin;
  AdwComboRow       *smtp_security_row;
  AdwEntryRow       *smtp_user_row;
  AdwPasswordEntryRow *advanced_secret_row;
};

G_DEFINE_FINAL_TYPE (LbAccountWizard, lb_account_wizard, ADW_TYPE_WINDOW)

/* "app password" → "App password"; Chinese terms are left alone. */
static char *
capitalize (const char *text)
{
  gunichar first;

  if (text == NULL || text[0] == '\0')
    return g_strdup ("");
  first = g_utf8_get_char (text);
  if (!g_unichar_islower (first))
    return g_strdup (text);
  {
    char buf[8];
    int len = g_unichar_to_utf8 (g_unichar_toupper (first), buf);

    return g_strdup_printf ("%.*s%s", len, buf, g_utf8_next_char (text));
  }
}

static const char *
address_domain (const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;

  return at != NULL ? at + 1 : "";
}

/* The provider discovery found (its database entry, or what autoconfig said), or NULL. */
static LbProviderInfo *
current_provider (LbAccountWizard *self)
{
  if (self->reauth != NULL)
    return self->reauth_provider;
  return self->discovery != NULL ? lb_account_discovery_get_provider (self->discovery) : NULL;
}

/* The browser sign-in of the address's provider ("microsoft", "google"), or NULL. */
static const char *
current_oauth2_id (LbAccountWizard *self)
{
  LbProviderInfo *provider = current_provider (self);

  if (self->reauth != NULL)
    return self->reauth_oauth2_id;
  return provider != NULL ? lb_provider_info_get_oauth2_id (provider) : NULL;
}

static const char *
current_address (LbAccountWizard *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->email_row));
}

static void
focus_later (GtkWidget *widget)
{
  /* A page that is sliding in cannot take the focus until it is mapped; grabbing it at
   * once works for GtkStack since the child becomes visible synchronously. */
  gtk_widget_grab_focus (widget);
}

static void
update_header (LbAccountWizard *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean can_go_back = self->busy == BUSY_NONE && self->reauth == NULL
                         && g_strcmp0 (page, "identity") != 0;

  gtk_widget_set_visible (self->back_button, can_go_back);
  /* Cancel on every page; while busy, the page's own Stop or Cancel is the way back. */
  gtk_widget_set_visible (self->cancel_button, self->busy == BUSY_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.back", can_go_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next", self->busy == BUSY_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.sign-in", self->busy == BUSY_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.oauth2-sign-in",
                                 self->busy == BUSY_NONE);
}

static void
show_page (LbAccountWizard *self,
           const char      *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  if (g_str_equal (name, "busy"))
    gtk_spinner_start (self->busy_spinner);
  else
    gtk_spinner_stop (self->busy_spinner);
  if (g_str_equal (name, "oauth2-wait"))
    gtk_spinner_start (self->wait_spinner);
  else
    gtk_spinner_stop (self->wait_spinner);
  update_header (self);
}

static void
start_busy (LbAccountWizard *self,
            BusyKind         kind,
            const char      *title,
            const char      *description)
{
  g_assert (self->busy == BUSY_NONE);

  g_free (self->return_page);
  self->return_page = g_strdup (gtk_stack_get_visible_child_name (self->stack));
  self->busy = kind;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  adw_status_page_set_title (self->busy_page, title);
  adw_status_page_set_description (self->busy_page, description);
  show_page (self, "busy");
}

static void
end_busy (LbAccountWizard *self)
{
  self->busy = BUSY_NONE;
  g_clear_object (&self->cancellable);
  update_header (self);
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static gboolean
is_offline (LbAccountWizard *self)
{
  return !g_network_monitor_get_network_available (self->monitor);
}

static const char *
offline_message (void)
{
  return _("Your computer is offline. Connect to the internet, then try again.");
}

/* Focuses the first field and brings the top of the page, where @label explains what
 * happened, into view: the field's focus may scroll the page to the field, and the
 * explanation above it must stay readable. */
static void
show_explanation (LbAccountWizard *self,
                  GtkLabel        *label)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (label), GTK_TYPE_SCROLLED_WINDOW);

  gtk_widget_grab_focus (GTK_WIDGET (self->imap_host_row));
  if (scrolled != NULL)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
    }
}

static void
clear_errors (LbAccountWizard *self)
{
  show_label (self->identity_error, NULL);
  show_label (self->secret_error, NULL);
  show_label (self->server_error, NULL);
  show_label (self->oauth2_error, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->secret_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->advanced_secret_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->imap_host_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->smtp_host_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
}

/* ---- filling the pages from what discovery found ----------------------------------- */

static void
fill_server (AdwEntryRow          *host_row,
             GtkSpinButton        *port_spin,
             AdwComboRow          *security_row,
             AdwEntryRow          *user_row,
             const LbServerConfig *config,
             const char           *address)
{
  gtk_editable_set_text (GTK_EDITABLE (host_row), config != NULL ? config->host : "");
  gtk_spin_button_set_value (port_spin, config != NULL ? config->port : 0);
  adw_combo_row_set_selected (security_row,
                              config != NULL ? (guint) config->security : LB_SECURITY_TLS);
  gtk_editable_set_text (GTK_EDITABLE (user_row),
                         config != NULL && config->username != NULL ? config->username : address);
}

static void
fill_advanced (LbAccountWizard *self)
{
  const char *address = current_address (self);

  if (self->discovery != NULL)
    {
      fill_server (self->imap_host_row, self->imap_port_spin, self->imap_security_row,
                   self->imap_user_row, lb_account_discovery_get_imap (self->discovery), address);
      fill_server (self->smtp_host_row, self->smtp_port_spin, self->smtp_security_row,
                   self->smtp_user_row, lb_account_discovery_get_smtp (self->discovery), address);
    }
  else
    {
      /* The common names, as a starting point the user can correct. */
      g_autofree char *imap_host = g_strconcat ("imap.", address_domain (address), NULL);
      g_autofree char *smtp_host = g_strconcat ("smtp.", address_domain (address), NULL);
      g_autoptr(LbServerConfig) imap = lb_server_config_new (imap_host, 993, LB_SECURITY_TLS,
                                                            address);
      g_autoptr(LbServerConfig) smtp = lb_server_config_new (smtp_host, 465, LB_SECURITY_TLS,
                                                            address);

      fill_server (self->imap_host_row, self->imap_port_spin, self->imap_security_row,
                   self->imap_user_row, imap, address);
      fill_server (self->smtp_host_row, self->smtp_port_spin, self->smtp_security_row,
                   self->smtp_user_row, smtp, address);
    }
}

static LbCredentialKind
current_credential (LbAccountWizard *self)
{
  LbProviderInfo *provider = current_provider (self);

  return provider != NULL ? lb_provider_info_get_credential_kind (provider)
                          : LB_CREDENTIAL_PASSWORD;
}

static const char *
current_help_url (LbAccountWizard *self)
{
  LbProviderInfo *provider = current_provider (self);

  return provider != NULL ? lb_provider_info_get_help_url (provider) : NULL;
}

static void
fill_secret_page (LbAccountWizard *self)
{
  LbProviderInfo *provider = current_provider (self);
  /* NULL: the user's language, as the provider database picks it. */
  const char *lang = NULL;
  const char *domain = address_domain (current_address (self));
  LbCredentialKind credential = current_credential (self);
  g_autofree char *name = NULL;
  g_autofree char *term = NULL;
  g_autofree char *title = NULL;
  g_autofree char *intro = NULL;
  g_autofree char *help_label = NULL;
  g_autoptr(GString) steps = g_string_new (NULL);

  /* The database's name, else the one autoconfig gave, else the domain. */
  if (provider != NULL && lb_provider_info_get_name (provider, lang) != NULL)
    name = g_strdup (lb_provider_info_get_name (provider, lang));
  else
    name = g_strdup (domain);

  if (provider != NULL && lb_provider_info_get_secret_term (provider, lang) != NULL)
    term = capitalize (lb_provider_info_get_secret_term (provider, lang));
  else if (credential == LB_CREDENTIAL_APP_PASSWORD)
    term = g_strdup (_("App password"));
  else if (credential == LB_CREDENTIAL_AUTHORIZATION_CODE)
    term = g_strdup (_("Authorization code"));
  else
    term = g_strdup (_("Password"));

  /* Translators: %s is a provider such as "QQ Mail" or "Gmail", or a domain. */
  title = g_strdup_printf (_("Sign In to %s"), name);

  switch (credential)
    {
    case LB_CREDENTIAL_AUTHORIZATION_CODE:
      /* Translators: the first %s is a provider such as "QQ Mail", the second what it
       * calls the secret for mail apps, such as "authorization code" (授权码). */
      intro = g_strdup_printf (_("%s does not let mail apps use your account password. "
                                 "Instead, you switch on IMAP/SMTP in its web mail and "
                                 "create an %s: a separate code just for mail apps such as "
                                 "Letterbox."),
                               name, lb_provider_info_get_secret_term (provider, lang));
      break;
    case LB_CREDENTIAL_APP_PASSWORD:
      /* Translators: the first %s is a provider such as "Gmail", the second what it calls
       * the secret for mail apps, such as "app password". */
      intro = g_strdup_printf (_("%s needs an %s for mail apps: a separate password that "
                                 "you create in your account’s security settings. Your "
                                 "normal password does not work here."),
                               name,
                               provider != NULL && lb_provider_info_get_secret_term (provider, lang) != NULL
                               ? lb_provider_info_get_secret_term (provider, lang)
                               : _("app password"));
      break;
    case LB_CREDENTIAL_PASSWORD:
    case LB_CREDENTIAL_OAUTH2_ONLY:
    default:
      /* Translators: %s is the e-mail address. */
      intro = g_strdup_printf (_("Enter the password of %s."), current_address (self));
      break;
    }

  if (provider != NULL)
    {
      const char * const *list = lb_provider_info_get_help_steps (provider, lang);

      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        {
          if (steps->len > 0)
            g_string_append_c (steps, '\n');
          /* Translators: a numbered step of the instructions, e.g. "1. Sign in to …". */
          g_string_append_printf (steps, _("%u. %s"), i + 1, list[i]);
        }
    }

  gtk_label_set_text (self->secret_title, title);
  gtk_label_set_text (self->secret_intro, intro);
  show_label (self->secret_steps, steps->str);

  /* Translators: %s is a provider such as "QQ Mail". */
  help_label = g_strdup_printf (_("_Open the Help Page of %s"), name);
  adw_button_content_set_label (self->help_button_content, help_label);
  gtk_widget_set_visible (self->help_button, current_help_url (self) != NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row), term);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->advanced_secret_row), term);
}

/* The name of the company whose sign-in page opens, for the button and the texts. */
static const char *
oauth2_brand (const char *oauth2_id)
{
  if (g_strcmp0 (oauth2_id, "microsoft") == 0)
    return "Microsoft";
  if (g_strcmp0 (oauth2_id, "google") == 0)
    return "Google";
  return oauth2_id;
}

static const char *
oauth2_button_label (const char *oauth2_id)
{
  if (g_strcmp0 (oauth2_id, "microsoft") == 0)
    return _("_Sign in with Microsoft");
  if (g_strcmp0 (oauth2_id, "google") == 0)
    return _("_Sign in with Google");
  return _("_Sign In in the Browser");
}

static const char *
typed_client_id (LbAccountWizard *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->client_id_row));
}

/* Whether the sign-in can start: this build (or the user, earlier or just now) has a
 * client ID for the provider. */
static gboolean
oauth2_available (LbAccountWizard *self)
{
  const char *id = current_oauth2_id (self);

  return id != NULL && (typed_client_id (self)[0] != '\0'
                        || lb_account_sign_in_available (id, NULL));
}

static void
fill_oauth2_unavailable (LbAccountWizard *self,
                         gboolean         password_too)
{
  const char *brand = oauth2_brand (current_oauth2_id (self));
  g_autofree char *text = NULL;

  if (password_too)
    /* Translators: %s is "Microsoft" or "Google". */
    text = g_strdup_printf (_("This build of Letterbox has no client ID for signing in with "
                              "%s, so it cannot open the sign-in page. Use an app password "
                              "instead, add the account in Settings → Online Accounts and "
                              "use it from there, or enter your own client ID below."), brand);
  else
    /* Translators: %s is "Microsoft" or "Google". */
    text = g_strdup_printf (_("This build of Letterbox has no client ID for signing in with "
                              "%s, so it cannot open the sign-in page. Add the account in "
                              "Settings → Online Accounts and use it from there, or enter "
                              "your own client ID below."), brand);
  show_label (self->oauth2_unavailable, oauth2_available (self) ? NULL : text);
  gtk_widget_set_sensitive (self->oauth2_sign_in_button, oauth2_available (self));
}

static void
fill_oauth2_page (LbAccountWizard *self)
{
  LbProviderInfo *provider = current_provider (self);
  const char *oauth2_id = current_oauth2_id (self);
  const char *brand = oauth2_brand (oauth2_id);
  gboolean password_too = self->reauth == NULL
                          && current_credential (self) != LB_CREDENTIAL_OAUTH2_ONLY;
  const char *name = provider != NULL && lb_provider_info_get_name (provider, NULL) != NULL
                     ? lb_provider_info_get_name (provider, NULL)
                     : address_domain (current_address (self));
  g_autofree char *title = NULL;
  g_autofree char *intro = NULL;

  /* Translators: %s is a provider such as "QQ Mail" or "Gmail", or a domain. */
  title = g_strdup_printf (_("Sign In to %s"), name);
  if (password_too)
    /* Translators: %s is "Google" (or "Microsoft"). */
    intro = g_strdup_printf (_("Letterbox opens %s’s sign-in page in your browser. Sign in "
                               "there and allow Letterbox to use your mail: your password "
                               "stays with %s. You can also use an app password instead."),
                             brand, brand);
  else
    /* Translators: the first %s is a provider such as "Outlook.com / Hotmail", the others
     * are "Microsoft". */
    intro = g_strdup_printf (_("%s accepts only %s’s own sign-in page for mail apps: "
                               "passwords and app passwords are refused. Letterbox opens that "
                               "page in your browser; sign in there and allow Letterbox to "
                               "use your mail."), name, brand);
  gtk_label_set_text (self->oauth2_title, title);
  gtk_label_set_text (self->oauth2_intro, intro);
  gtk_button_set_label (GTK_BUTTON (self->oauth2_sign_in_button), oauth2_button_label (oauth2_id));
  gtk_button_set_label (GTK_BUTTON (self->oauth2_password_button),
                        _("Use an _App Password Instead"));
  gtk_widget_set_visible (self->oauth2_password_button, password_too);
  gtk_widget_set_visible (self->oauth2_help_button, current_help_url (self) != NULL);
  /* Only Google's desktop clients come with a secret. */
  gtk_widget_set_visible (GTK_WIDGET (self->client_secret_row),
                          g_strcmp0 (oauth2_id, "google") == 0);
  fill_oauth2_unavailable (self, password_too);
}

static void
show_secret_or_oauth2 (LbAccountWizard *self)
{
  if (current_oauth2_id (self) != NULL)
    {
      fill_secret_page (self);
      fill_oauth2_page (self);
      show_page (self, "oauth2");
      return;
    }
  if (current_credential (self) == LB_CREDENTIAL_OAUTH2_ONLY)
    {
      fill_oauth2_page (self);
      show_page (self, "oauth2");
      return;
    }

  fill_secret_page (self);
  show_page (self, "secret");
  focus_later (GTK_WIDGET (self->secret_row));
}

/* ---- step 1 → 2: discovery ----------------------------------------------------------- */

static void
on_discovery_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  LbAccountDiscovery *discovery = lb_account_discover_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  end_busy (self);
  g_clear_pointer (&self->discovery, lb_account_discovery_free);
  g_free (self->config_address);
  self->config_address = g_strdup (current_address (self));
  self->discovery = discovery;
  fill_advanced (self);

  if (discovery != NULL)
    {
      show_secret_or_oauth2 (self);
      return;
    }
  if (is_offline (self))
    {
      /* The network went while looking: nothing is wrong with the address. */
      show_page (self, "identity");
      show_label (self->identity_error, offline_message ());
      return;
    }

  /* Translators: %s is the domain of the address, such as "example.com". */
  message = g_strdup_printf (_("Letterbox could not find the settings for %s. Check the "
                               "guesses below, or ask your mail provider for the server "
                               "names."), address_domain (current_address (self)));
  g_debug ("Discovery failed: %s", error != NULL ? error->message : "no result");
  fill_secret_page (self);
  show_label (self->server_error, message);
  show_page (self, "advanced");
  show_explanation (self, self->server_error);
}

static void
start_discovery (LbAccountWizard *self)
{
  const char *address = current_address (self);
  g_autofree char *description = NULL;

  /* Translators: %s is the domain of the address, such as "qq.com". */
  description = g_strdup_printf (_("Finding the mail servers for %s"), address_domain (address));
  start_busy (self, BUSY_DISCOVERY, _("Looking Up Settings…"), description);
  lb_account_discover_async (address, self->cancellable, on_discovery_done, g_object_ref (self));
}

static gboolean
address_looks_valid (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL && at != address && at[1] != '\0' && strchr (at, '.') != NULL
         && strpbrk (address, " \t\r\n") == NULL;
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  const char *address = current_address (self);

  if (self->busy != BUSY_NONE)
    return;

  clear_errors (self);
  if (!address_looks_valid (address))
    {
      show_label (self->identity_error,
                  _("Enter an email address such as name@example.com."));
      gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
      focus_later (GTK_WIDGET (self->email_row));
      return;
    }

  /* Going back and on again with the same address keeps the settings (and whatever
   * the user changed on the Advanced page). */
  if (self->discovery != NULL && g_strcmp0 (self->config_address, address) == 0)
    {
      show_secret_or_oauth2 (self);
      return;
    }
  /* Offline, a look-up can only fail, and its guesses would be shown as wrong. */
  if (is_offline (self))
    {
      show_label (self->identity_error, offline_message ());
      return;
    }

  start_discovery (self);
}

/* ---- step 3: sign in ---------------------------------------------------------------- */

/**
 * lb_account_wizard_clean_secret:
 * @kind: what the provider calls for
 * @typed: what is in the field
 *
 * App passwords and authorization codes are shown in groups ("abcd efgh ijkl mnop") and
 * copied with the spaces, which the server refuses; they never contain a space
 * themselves.  A password is taken as typed.
 *
 * Returns: (transfer full): the secret to check and store
 */
char *
lb_account_wizard_clean_secret (LbCredentialKind  kind,
                                const char       *typed)
{
  g_autoptr(GString) clean = NULL;

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
  return g_string_free (g_steal_pointer (&clean), FALSE);
}

static char *
typed_secret (LbAccountWizard *self)
{
  return lb_account_wizard_clean_secret (current_credential (self),
                                         gtk_editable_get_text (GTK_EDITABLE (self->secret_row)));
}

static LbServerConfig *
server_from_fields (AdwEntryRow   *host_row,
                    GtkSpinButton *port_spin,
                    AdwComboRow   *security_row,
                    AdwEntryRow   *user_row,
                    const char    *address,
                    const char    *ca_file)
{
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (host_row))));
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (user_row))));
  LbServerConfig *config;

  if (host[0] == '\0')
    return NULL;

  config = lb_server_config_new (host,
                                 (guint16) gtk_spin_button_get_value_as_int (port_spin),
                                 adw_combo_row_get_selected (security_row) == 1
                                 ? LB_SECURITY_STARTTLS : LB_SECURITY_TLS,
                                 user[0] != '\0' ? user : address);
  config->ca_file = g_strdup (ca_file);
  return config;
}

static LbAccountSettings *
settings_from_fields (LbAccountWizard *self)
{
  LbAccountSettings *s = lb_account_settings_new ();
  LbProviderInfo *provider = current_provider (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *address = current_address (self);
  const char *ca_file = g_getenv (LB_TEST_CA_FILE_ENV);

  if ((ca_file == NULL || ca_file[0] == '\0') && self->discovery != NULL
      && lb_account_discovery_get_imap (self->discovery) != NULL)
    ca_file = lb_account_discovery_get_imap (self->discovery)->ca_file;

  s->email = g_strstrip (g_strdup (address));
  s->display_name = name[0] != '\0' ? g_strstrip (g_strdup (name)) : NULL;
  s->provider_id = provider != NULL ? g_strdup (lb_provider_info_get_id (provider)) : NULL;
  s->imap = server_from_fields (self->imap_host_row, self->imap_port_spin,
                                self->imap_security_row, self->imap_user_row, s->email,
                                ca_file);
  s->smtp = server_from_fields (self->smtp_host_row, self->smtp_port_spin,
                                self->smtp_security_row, self->smtp_user_row, s->email,
                                ca_file);
  return s;
}

static void
show_check_failure (LbAccountWizard            *self,
                    const LbAccountCheckResult *result)
{
  clear_errors (self);

  /* Offline, every server looks unreachable: that is not the fields' fault. */
  if (result->field == LB_ACCOUNT_CHECK_FIELD_SERVER && is_offline (self))
    {
      const char *page = self->return_page != NULL ? self->return_page : "secret";

      show_page (self, page);
      show_label (g_str_equal (page, "advanced") ? self->server_error : self->secret_error,
                  offline_message ());
      return;
    }

  switch (result->field)
    {
    case LB_ACCOUNT_CHECK_FIELD_SERVER:
      show_label (self->server_error, result->message);
      show_page (self, "advanced");
      if ((result->failed & LB_ACCOUNT_CHECK_SIDE_IMAP) != 0)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->imap_host_row), "error");
          focus_later (GTK_WIDGET (self->imap_host_row));
        }
      if ((result->failed & LB_ACCOUNT_CHECK_SIDE_SMTP) != 0)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->smtp_host_row), "error");
          if ((result->failed & LB_ACCOUNT_CHECK_SIDE_IMAP) == 0)
            focus_later (GTK_WIDGET (self->smtp_host_row));
        }
      break;

    case LB_ACCOUNT_CHECK_FIELD_PASSWORD:
    case LB_ACCOUNT_CHECK_FIELD_NONE:
    default:
      show_label (self->secret_error, result->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->secret_row), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->advanced_secret_row), "error");
      show_page (self, "secret");
      focus_later (GTK_WIDGET (self->secret_row));
      break;
    }
}

static void
on_account_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = lb_engine_add_account_finish (LB_ENGINE (source), result, &error);
  g_clear_pointer (&self->pending, lb_account_settings_free);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  end_busy (self);
  if (account == NULL)
    {
      show_label (self->secret_error, error->message);
      show_page (self, "secret");
      return;
    }

  /* The engine starts the first sync itself; the main window shows it filling. */
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
add_pending (LbAccountWizard *self)
{
  g_autofree char *secret = typed_secret (self);

  lb_engine_add_account_async (self->engine, self->pending, secret, self->cancellable,
                               on_account_added, g_object_ref (self));
}

static void
on_check_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(LbAccountCheckResult) check = NULL;
  g_autoptr(GError) error = NULL;

  check = lb_account_check_finish (result, &error);
  if (check == NULL)
    return; /* cancelled: Stop already went back */

  if (!check->ok)
    {
      g_clear_pointer (&self->pending, lb_account_settings_free);
      end_busy (self);
      show_check_failure (self, check);
      return;
    }

  adw_status_page_set_title (self->busy_page, _("Adding Account…"));
  adw_status_page_set_description (self->busy_page,
                                   _("Saving the password in the keyring and starting the "
                                     "first download"));
  self->busy = BUSY_ADD;
  add_pending (self);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autofree char *secret = typed_secret (self);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (self->busy != BUSY_NONE || g_strcmp0 (page, "oauth2") == 0
      || g_strcmp0 (page, "identity") == 0)
    return;

  clear_errors (self);
  settings = settings_from_fields (self);
  if (settings->imap == NULL)
    {
      show_label (self->server_error, _("Enter the name of the incoming mail (IMAP) server."));
      gtk_widget_add_css_class (GTK_WIDGET (self->imap_host_row), "error");
      show_page (self, "advanced");
      focus_later (GTK_WIDGET (self->imap_host_row));
      return;
    }
  if (secret[0] == '\0')
    {
      const char *term = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->secret_row));
      g_autofree char *message = NULL;

      /* Translators: %s is what the provider calls the secret, e.g. "Authorization code". */
      message = g_strdup_printf (_("Enter the %s."), term);
      if (g_strcmp0 (page, "advanced") == 0)
        {
          show_label (self->server_error, message);
          gtk_widget_add_css_class (GTK_WIDGET (self->advanced_secret_row), "error");
          focus_later (GTK_WIDGET (self->advanced_secret_row));
        }
      else
        {
          show_label (self->secret_error, message);
          gtk_widget_add_css_class (GTK_WIDGET (self->secret_row), "error");
          focus_later (GTK_WIDGET (self->secret_row));
        }
      return;
    }

  start_busy (self, BUSY_CHECK, _("Signing In…"),
              _("Checking the incoming and outgoing mail servers"));
  lb_account_check_async (settings, secret, self->cancellable, on_check_done,
                          g_object_ref (self));
  self->pending = g_steal_pointer (&settings);
}

/* ---- step 2b: the browser sign-in (OAuth2) ------------------------------------------- */

/* Keeps the client ID the user typed (GSettings) and its secret (the keyring), and uses
 * them from now on.  Returns FALSE, with the reason shown, when the keyring refused. */
static gboolean
save_typed_client (LbAccountWizard *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GVariant) old = NULL;
  g_autoptr(GVariantDict) dict = NULL;
  g_autofree char *client_id = g_strstrip (g_strdup (typed_client_id (self)));
  const char *id = current_oauth2_id (self);

  if (client_id[0] == '\0')
    return TRUE;
  if (!lb_account_sign_in_save_client (id, client_id,
                                       gtk_editable_get_text (GTK_EDITABLE (self->client_secret_row)),
                                       &error))
    {
      show_label (self->oauth2_error, error->message);
      return FALSE;
    }
  settings = g_settings_new (APP_ID);
  old = g_settings_get_value (settings, "oauth2-client-ids");
  dict = g_variant_dict_new (NULL);
  /* a{ss} as a dict: rebuild it with this provider's entry replaced. */
  {
    GVariantIter iter;
    const char *key, *value;
    g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));

    g_variant_iter_init (&iter, old);
    while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
      if (!g_str_equal (key, id))
        g_variant_builder_add (builder, "{ss}", key, value);
    g_variant_builder_add (builder, "{ss}", id, client_id);
    g_settings_set_value (settings, "oauth2-client-ids", g_variant_builder_end (builder));
  }
  return TRUE;
}

/**
 * lb_account_wizard_restore_client_ids:
 * @settings: the application's settings
 *
 * Uses the client IDs the user registered (see save_typed_client) again, at start.
 */
void
lb_account_wizard_restore_client_ids (GSettings *settings)
{
  g_autoptr(GVariant) ids = g_settings_get_value (settings, "oauth2-client-ids");
  GVariantIter iter;
  const char *id, *client_id;

  g_variant_iter_init (&iter, ids);
  while (g_variant_iter_next (&iter, "{&s&s}", &id, &client_id))
    if (client_id[0] != '\0')
      lb_account_sign_in_restore_client (id, client_id);
}

/* The account to sign in: the one signed in again as it is, or a new one from the
 * fields, with the provider's browser sign-in for IMAP and SMTP. */
/* The account that a browser sign-in renews instead of adding one: the one signed in
 * again (Edit Account is lb-account-editor.c). */
static LbAccount *
existing_account (LbAccountWizard *self)
{
  return self->reauth;
}

static LbAccountSettings *
oauth2_settings (LbAccountWizard *self)
{
  LbAccountSettings *s;

  if (self->reauth != NULL)
    return lb_account_dup_settings (self->reauth);
  s = settings_from_fields (self);
  s->oauth2_provider = g_strdup (current_oauth2_id (self));
  if (s->imap != NULL)
    s->imap->auth = LB_AUTH_OAUTH2;
  if (s->smtp != NULL)
    s->smtp->auth = LB_AUTH_OAUTH2;
  return s;
}

static void
on_sign_in_uri (const char *uri,
                gboolean    browser_started,
                gpointer    user_data)
{
  LbAccountWizard *self = user_data;

  g_free (self->sign_in_uri);
  self->sign_in_uri = g_strdup (uri);
  gtk_label_set_text (self->wait_uri_label, uri);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->wait_uri_label), uri);
  /* The portal on GTK 4.8; when it cannot open anything, the address is there to copy. */
  if (!browser_started)
    gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
on_oauth2_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(LbAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (existing_account (self) != NULL)
    account = lb_engine_update_account_finish (LB_ENGINE (source), result, &error);
  else
    account = lb_engine_add_account_finish (LB_ENGINE (source), result, &error);
  g_clear_pointer (&self->pending, lb_account_settings_free);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  end_busy (self);
  if (account == NULL)
    {
      show_page (self, "oauth2");
      show_label (self->oauth2_error, error->message);
      return;
    }
  /* The engine starts the first sync itself (again, for an account signed in again). */
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_oauth2_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  char *refresh_token = lb_account_sign_in_finish (result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* Cancel already went back */
  g_clear_pointer (&self->sign_in_uri, g_free);
  if (refresh_token == NULL)
    {
      g_clear_pointer (&self->pending, lb_account_settings_free);
      end_busy (self);
      show_page (self, "oauth2");
      show_label (self->oauth2_error, error->message);
      return;
    }

  self->busy = BUSY_ADD;
  adw_status_page_set_title (self->busy_page, self->reauth != NULL ? _("Signing In Again…")
                                                                  : _("Adding Account…"));
  adw_status_page_set_description (self->busy_page,
                                   _("Saving the sign-in in the keyring and starting the first "
                                     "download"));
  show_page (self, "busy");
  if (existing_account (self) != NULL)
    /* In place: the account keeps its id, folders and cached mail. */
    lb_engine_update_account_async (self->engine, existing_account (self), self->pending,
                                    refresh_token,
                                    self->cancellable, on_oauth2_stored, g_object_ref (self));
  else
    lb_engine_add_account_async (self->engine, self->pending, refresh_token, self->cancellable,
                                 on_oauth2_stored, g_object_ref (self));
  lb_account_sign_in_free_token (refresh_token);
}

static void
oauth2_sign_in_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  g_autoptr(LbAccountSettings) settings = NULL;
  g_autofree char *description = NULL;

  if (self->busy != BUSY_NONE || current_oauth2_id (self) == NULL)
    return;
  clear_errors (self);
  if (!save_typed_client (self) || !oauth2_available (self))
    return;
  if (is_offline (self))
    {
      show_label (self->oauth2_error, offline_message ());
      return;
    }
  settings = oauth2_settings (self);
  if (settings->imap == NULL)
    return;

  g_free (self->return_page);
  self->return_page = g_strdup ("oauth2");
  self->busy = BUSY_OAUTH2;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* Translators: the first %s is "Microsoft" or "Google", the second the address. */
  description = g_strdup_printf (_("Sign in on %s’s page that opened in your browser as %s, "
                                   "then come back here."),
                                 oauth2_brand (current_oauth2_id (self)), settings->email);
  adw_status_page_set_description (self->wait_page, description);
  gtk_label_set_text (self->wait_uri_label, "");
  show_page (self, "oauth2-wait");
  /* Not the address: a selectable label with the focus shows a caret in it. */
  gtk_widget_grab_focus (self->wait_cancel_button);
  self->pending = g_steal_pointer (&settings);
  lb_account_sign_in_async (self->pending, on_sign_in_uri, self, self->cancellable,
                            on_oauth2_done, g_object_ref (self));
}

static void
use_password_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);

  if (self->busy != BUSY_NONE)
    return;
  clear_errors (self);
  fill_secret_page (self);
  show_page (self, "secret");
  focus_later (GTK_WIDGET (self->secret_row));
}

static void
copy_text (LbAccountWizard *self,
           const char      *text)
{
  if (text != NULL && text[0] != '\0')
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
copy_sign_in_address_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);

  copy_text (self, self->sign_in_uri);
}

static void
copy_help_address_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);

  copy_text (self, current_help_url (self));
}

static void
on_client_id_changed (LbAccountWizard *self)
{
  if (current_oauth2_id (self) != NULL)
    fill_oauth2_unavailable (self, self->reauth == NULL
                                   && current_credential (self) != LB_CREDENTIAL_OAUTH2_ONLY);
}

/* ---- navigation --------------------------------------------------------------------- */

/* ---- GNOME Online Accounts: one button on the first page, the rest in the chooser ---- */

static void
on_goa_listed (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(LbAccountWizard) self = g_weak_ref_get (ref);
  g_autoptr(GPtrArray) accounts = lb_goa_list_accounts_finish (result, NULL);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self == NULL || self->reauth != NULL || accounts == NULL ||
      accounts->len == 0)
    return;
  self->goa_accounts = g_steal_pointer (&accounts);
  gtk_widget_set_visible (self->goa_button, TRUE);
}

static void
on_goa_account_added (LbAccountWizard *self,
                      LbAccount       *account)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
use_goa_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  LbGoaChooser *chooser;

  if (self->goa_accounts == NULL)
    return;
  chooser = lb_goa_chooser_new (self->engine, self->goa_accounts);
  gtk_window_set_transient_for (GTK_WINDOW (chooser), GTK_WINDOW (self));
  g_signal_connect_object (chooser, "account-added", G_CALLBACK (on_goa_account_added), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (chooser));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  g_autofree char *page = NULL;

  if (self->busy == BUSY_NONE)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  /* Once the check passed, the account is being stored: let that finish. */
  if (self->busy == BUSY_ADD)
    return;

  /* Stop: back to the page the user was on, with everything as it was typed. */
  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->pending, lb_account_settings_free);
  page = g_steal_pointer (&self->return_page);
  end_busy (self);
  show_page (self, page != NULL ? page : "identity");
  g_clear_pointer (&self->sign_in_uri, g_free);
  if (g_strcmp0 (page, "identity") == 0)
    focus_later (GTK_WIDGET (self->email_row));
  else if (g_strcmp0 (page, "secret") == 0)
    focus_later (GTK_WIDGET (self->secret_row));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (self->busy != BUSY_NONE)
    return;

  clear_errors (self);
  if (g_strcmp0 (page, "secret") == 0 && current_oauth2_id (self) != NULL)
    {
      show_page (self, "oauth2");
      return;
    }
  if (g_strcmp0 (page, "advanced") == 0 && self->discovery != NULL
      && current_credential (self) != LB_CREDENTIAL_OAUTH2_ONLY)
    {
      show_page (self, "secret");
      focus_later (GTK_WIDGET (self->secret_row));
      return;
    }
  show_page (self, "identity");
  focus_later (GTK_WIDGET (self->email_row));
}

static void
advanced_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);

  if (self->busy != BUSY_NONE)
    return;
  show_label (self->server_error, NULL);
  show_page (self, "advanced");
  focus_later (GTK_WIDGET (self->imap_host_row));
}

static void
on_help_shown (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LbAccountWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *url = current_help_url (self);

  if (gtk_show_uri_full_finish (GTK_WINDOW (source), result, &error) || url == NULL)
    return;
  g_debug ("No browser opened the help page: %s", error->message);
  /* The address, to open elsewhere (a phone, another computer). */
  gtk_label_set_text (self->help_uri_label, url);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->help_uri_label), url);
  gtk_widget_set_visible (self->help_uri_box, TRUE);
  /* Translators: %s is the address of a help page. */
  message = g_strdup_printf (_("No browser could open the help page. Its address is %s"), url);
  show_label (self->oauth2_error, message);
}

static void
open_help_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (widget);
  const char *url = current_help_url (self);

  if (url != NULL)
    gtk_show_uri_full (GTK_WINDOW (self), url, GDK_CURRENT_TIME, NULL, on_help_shown,
                       g_object_ref (self));
}

static void
on_name_activated (LbAccountWizard *self)
{
  focus_later (GTK_WIDGET (self->email_row));
}

static void
on_email_activated (LbAccountWizard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
on_secret_activated (LbAccountWizard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.sign-in", NULL);
}

static void
on_secret_changed (LbAccountWizard *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->secret_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->advanced_secret_row), "error");
}

/* ---- object ------------------------------------------------------------------------- */

static void
lb_account_wizard_dispose (GObject *object)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (object);

  /* Callbacks hold a reference, so they run after this; cancelling makes them return at
   * once without touching the (destroyed) widgets. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (lb_account_wizard_parent_class)->dispose (object);
}

static void
lb_account_wizard_finalize (GObject *object)
{
  LbAccountWizard *self = LB_ACCOUNT_WIZARD (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->discovery, lb_account_discovery_free);
  g_clear_pointer (&self->pending, lb_account_settings_free);
  g_clear_object (&self->reauth);
  g_clear_pointer (&self->reauth_provider, lb_provider_info_unref);
  g_clear_object (&self->monitor);
  g_free (self->reauth_oauth2_id);
  g_free (self->sign_in_uri);
  g_free (self->config_address);
  g_free (self->return_page);
  g_clear_pointer (&self->goa_accounts, g_ptr_array_unref);

  G_OBJECT_CLASS (lb_account_wizard_parent_class)->finalize (object);
}

static void
lb_account_wizard_class_init (LbAccountWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lb_account_wizard_dispose;
  object_class->finalize = lb_account_wizard_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               LB_RESOURCE_PATH "/ui/lb-account-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, window_title);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, name_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, email_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, identity_error);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, goa_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, busy_page);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, secret_title);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, secret_intro);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, secret_steps);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, help_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, help_button_content);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, secret_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, secret_error);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_title);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_intro);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_unavailable);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_error);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_password_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, oauth2_help_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, client_expander);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, client_secret_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, wait_page);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, wait_spinner);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, wait_uri_label);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, wait_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, help_uri_box);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, help_uri_label);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, server_error);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, imap_host_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, imap_port_spin);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, imap_security_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, imap_user_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, smtp_host_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, smtp_port_spin);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, smtp_security_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, smtp_user_row);
  gtk_widget_class_bind_template_child (widget_class, LbAccountWizard, advanced_secret_row);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "wizard.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "wizard.advanced", NULL, advanced_action);
  gtk_widget_class_install_action (widget_class, "wizard.open-help", NULL, open_help_action);
  gtk_widget_class_install_action (widget_class, "wizard.oauth2-sign-in", NULL,
                                   oauth2_sign_in_action);
  gtk_widget_class_install_action (widget_class, "wizard.use-password", NULL,
                                   use_password_action);
  gtk_widget_class_install_action (widget_class, "wizard.copy-sign-in-address", NULL,
                                   copy_sign_in_address_action);
  gtk_widget_class_install_action (widget_class, "wizard.copy-help-address", NULL,
                                   copy_help_address_action);
  gtk_widget_class_install_action (widget_class, "wizard.use-goa", NULL, use_goa_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "wizard.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "wizard.back", NULL);
}

static void
lb_account_wizard_init (LbAccountWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* One secret, two fields: the Advanced page shows it too, so that a failed discovery
   * (which lands there) can still sign in, and nothing typed on one page is lost. */
  g_object_bind_property (self->secret_row, "text", self->advanced_secret_row, "text",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  g_signal_connect_swapped (self->name_row, "entry-activated",
                            G_CALLBACK (on_name_activated), self);
  g_signal_connect_swapped (self->email_row, "entry-activated",
                            G_CALLBACK (on_email_activated), self);
  g_signal_connect_swapped (self->secret_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->advanced_secret_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->imap_host_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->imap_user_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->smtp_host_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->smtp_user_row, "entry-activated",
                            G_CALLBACK (on_secret_activated), self);
  g_signal_connect_swapped (self->secret_row, "changed",
                            G_CALLBACK (on_secret_changed), self);
  g_signal_connect_swapped (self->client_id_row, "changed",
                            G_CALLBACK (on_client_id_changed), self);
  self->monitor = g_object_ref (g_network_monitor_get_default ());

  fill_secret_page (self);
  show_page (self, "identity");

  if (lb_goa_is_available ())
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      g_weak_ref_init (ref, self);
      lb_goa_list_accounts_async (NULL, on_goa_listed, ref);
    }
}

/**
 * lb_account_wizard_new:
 * @engine: the engine the account is added to
 *
 * Returns: (transfer floating): a new wizard, not yet shown
 */
LbAccountWizard *
lb_account_wizard_new (LbEngine *engine)
{
  LbAccountWizard *self;

  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);

  self = g_object_new (LB_TYPE_ACCOUNT_WIZARD, NULL);
  self->engine = g_object_ref (engine);
  return self;
}

/* The wizard for a new account, while it is open: asking again presents it. */
static LbAccountWizard *adding_wizard;

static LbAccountWizard *
present (GtkWindow *parent,
         LbEngine  *engine)
{
  LbAccountWizard *self;

  if (adding_wizard != NULL)
    {
      if (adding_wizard->engine == engine)
        {
          gtk_window_present (GTK_WINDOW (adding_wizard));
          return adding_wizard;
        }
      /* Left over from another engine (an application that has quit, in tests). */
      gtk_window_destroy (GTK_WINDOW (adding_wizard));
    }

  self = lb_account_wizard_new (engine);
  g_set_weak_pointer (&adding_wizard, self);

  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
  gtk_window_present (GTK_WINDOW (self));
  focus_later (GTK_WIDGET (gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] == '\0'
                           ? self->name_row : self->email_row));
  return self;
}

/**
 * lb_account_wizard_present:
 * @parent: (nullable): the main window; the wizard is modal to it
 * @engine: the engine the account is added to
 *
 * Opens the wizard for a new account.
 *
 * Returns: (transfer none): the wizard, which destroys itself when done
 */
LbAccountWizard *
lb_account_wizard_present (GtkWindow *parent,
                           LbEngine  *engine)
{
  return present (parent, engine);
}

/**
 * lb_account_wizard_present_sign_in:
 * @parent: (nullable): the window it is modal to
 * @engine: the engine
 * @account: an account that signs in in the browser (OAuth2) and needs to again
 *
 * Signs @account in again in the browser: the same account, with its id and mail, gets
 * a new grant.  The browser opens at once when this build can sign in with the account's
 * provider; otherwise the wizard says why and offers the user's own client ID.
 *
 * Returns: (transfer none): the wizard, which destroys itself when done
 */
LbAccountWizard *
lb_account_wizard_present_sign_in (GtkWindow *parent,
                                   LbEngine  *engine,
                                   LbAccount *account)
{
  g_autoptr(LbAccountSettings) settings = NULL;
  LbAccountWizard *self;

  g_return_val_if_fail (LB_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (LB_IS_ACCOUNT (account), NULL);

  /* Asking again (a second click on Sign In Again) presents the wizard already open. */
  {
    GListModel *toplevels = gtk_window_get_toplevels ();

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

        if (LB_IS_ACCOUNT_WIZARD (window) && LB_ACCOUNT_WIZARD (window)->reauth == account)
          {
            gtk_window_present (GTK_WINDOW (window));
            return LB_ACCOUNT_WIZARD (window);
          }
      }
  }

  settings = lb_account_dup_settings (account);
  self = lb_account_wizard_new (engine);
  self->reauth = g_object_ref (account);
  self->reauth_oauth2_id = g_strdup (settings->oauth2_provider);
  self->reauth_provider = settings->provider_id != NULL
                          ? lb_provider_info_lookup (settings->provider_id) : NULL;
  gtk_window_set_title (GTK_WINDOW (self), _("Sign In Again"));
  adw_window_title_set_title (self->window_title, _("Sign In Again"));
  adw_window_title_set_subtitle (self->window_title, lb_account_get_email (account));
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), lb_account_get_email (account));
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  if (parent != NULL && gtk_window_get_application (parent) != NULL)
    gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));

  fill_oauth2_page (self);
  show_page (self, "oauth2");
  gtk_window_present (GTK_WINDOW (self));
  if (self->reauth_oauth2_id != NULL && oauth2_available (self))
    gtk_widget_activate_action (GTK_WIDGET (self), "wizard.oauth2-sign-in", NULL);
  return self;
}

/**
 * lb_account_wizard_get_sign_in_uri:
 *
 * Returns: (nullable): the browser sign-in's address while the wizard waits for it, for
 *   tests
 */
const char *
lb_account_wizard_get_sign_in_uri (LbAccountWizard *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT_WIZARD (self), NULL);

  return self->sign_in_uri;
}

/**
 * lb_account_wizard_set_network_monitor:
 * @monitor: the monitor to ask whether the computer is online, instead of the default
 *
 * For tests, which cannot take the machine offline.
 */
void
lb_account_wizard_set_network_monitor (LbAccountWizard *self,
                                       GNetworkMonitor *monitor)
{
  g_return_if_fail (LB_IS_ACCOUNT_WIZARD (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  g_set_object (&self->monitor, monitor);
}

/**
 * lb_account_wizard_get_page:
 *
 * Returns: the name of the visible step ("identity", "busy", "secret", "oauth2" or
 *   "advanced"), for tests
 */
const char *
lb_account_wizard_get_page (LbAccountWizard *self)
{
  g_return_val_if_fail (LB_IS_ACCOUNT_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}
