/* test-ui-api.c: the small public APIs the UI uses instead of engine internals
 *
 * Provider information, discovery as one call, the words a search highlights, the parsed
 * message the reader shows and the drafts the composer writes.  The file is compiled
 * against the engine's public headers only, as the UI is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include <string.h>

#include "lb-account-discovery.h"
#include "lb-draft.h"
#include "lb-message-content.h"
#include "lb-provider-info.h"
#include "lb-search-highlight.h"
#include "lb-test-wait.h"

static void
assert_terms (const char         *query,
              LbHighlightField    field,
              const char * const *expected)
{
  g_auto(GStrv) terms = lb_search_highlight_terms (query, field);

  g_assert_nonnull (terms);
  g_assert_cmpstrv (terms, expected);
}

static void
test_highlight_terms (void)
{
  const char *query = "from:Bob 周报 subject:Budget -draft is:unread";

  /* Plain words everywhere, field words only in their field, never negated words or flags. */
  assert_terms (query, LB_HIGHLIGHT_FIELD_FROM, (const char *[]) { "Bob", "周报", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_SUBJECT, (const char *[]) { "周报", "Budget", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_TO, (const char *[]) { "周报", NULL });
  assert_terms (query, LB_HIGHLIGHT_FIELD_OTHER, (const char *[]) { "周报", NULL });
  assert_terms ("", LB_HIGHLIGHT_FIELD_OTHER, (const char *[]) { NULL });
  assert_terms (NULL, LB_HIGHLIGHT_FIELD_FROM, (const char *[]) { NULL });
}

static void
test_highlight_sentence (void)
{
  const char *terms_en[] = { "zanzibar", NULL };
  const char *terms_zh[] = { "预算", NULL };
  g_autofree char *en = NULL;
  g_autofree char *zh = NULL;
  g_autofree char *first = NULL;
  g_autofree char *none = NULL;
  g_autofree char *cut = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);

  /* The sentence the word is in, on one line; in either case. */
  en = lb_search_highlight_sentence ("Dear Alice,\n\nWe land on Monday. The hotel in\n"
                                     "Zanzibar is booked! See you soon.", terms_en);
  g_assert_cmpstr (en, ==, "The hotel in Zanzibar is booked!");
  zh = lb_search_highlight_sentence ("大家好。下周讨论第四季度的预算安排，请准时参加。谢谢！",
                                     terms_zh);
  g_assert_cmpstr (zh, ==, "下周讨论第四季度的预算安排，请准时参加。");
  /* At the very start; and nowhere. */
  first = lb_search_highlight_sentence ("zanzibar", terms_en);
  g_assert_cmpstr (first, ==, "zanzibar");
  none = lb_search_highlight_sentence ("Nothing here.", terms_en);
  g_assert_null (none);
  /* A word, not text inside one, as search matches. */
  {
    const char * const terms_the[] = { "the", NULL };
    g_autofree char *word = lb_search_highlight_sentence ("Other things. Then the end.", terms_the);

    g_assert_cmpstr (word, ==, "Then the end.");
  }
  g_assert_null (lb_search_highlight_sentence (NULL, terms_en));

  /* A sentence without end is cut some way around the word. */
  for (guint i = 0; i < 40; i++)
    g_string_append (long_text, "word ");
  g_string_append (long_text, "zanzibar");
  for (guint i = 0; i < 40; i++)
    g_string_append (long_text, " word");
  cut = lb_search_highlight_sentence (long_text->str, terms_en);
  g_assert_true (g_str_has_prefix (cut, "…"));
  g_assert_true (g_str_has_suffix (cut, "…"));
  g_assert_nonnull (strstr (cut, "zanzibar"));
  g_assert_cmpuint (g_utf8_strlen (cut, -1), <=, 30 + 80 + 2 + strlen ("zanzibar"));
  /* The cut before the word falls between words. */
  g_assert_true (g_str_has_prefix (cut, "…word "));
}

/* The word rule the message list's highlights follow: a word where it starts a word,
 * never inside one; CJK anywhere. */
static void
test_highlight_find (void)
{
  const char *text = "the other theme, 会议the 季度会议 café-the";
  const char *at;

  at = lb_search_highlight_find (text, "the", text);
  g_assert_true (at == text);
  /* Not "the" in "other", but the start of "theme". */
  at = lb_search_highlight_find (text, "the", at + 3);
  g_assert_true (at == strstr (text, "theme"));
  /* After a Chinese character a word starts. */
  at = lb_search_highlight_find (text, "the", at + 3);
  g_assert_true (at == strstr (text, "会议the") + strlen ("会议"));
  /* After "-" too. */
  at = lb_search_highlight_find (text, "the", at + 3);
  g_assert_true (at == strstr (text, "-the") + 1);
  g_assert_null (lb_search_highlight_find (text, "the", at + 3));
  g_assert_null (lb_search_highlight_find (text, "ther", text));
  /* Chinese is found inside a run. */
  at = lb_search_highlight_find (text, "会议", strstr (text, "季度"));
  g_assert_true (at == strstr (text, "季度会议") + strlen ("季度"));
  g_assert_null (lb_search_highlight_find (text, "", text));
}

static void
test_provider_lookup (void)
{
  g_autoptr(LbProviderInfo) qq = lb_provider_info_lookup ("qq");
  g_autoptr(LbProviderInfo) netease = lb_provider_info_lookup ("netease-163");
  const char * const *steps;

  g_assert_nonnull (qq);
  g_assert_cmpstr (lb_provider_info_get_id (qq), ==, "qq");
  g_assert_cmpstr (lb_provider_info_get_name (qq, NULL), ==, "QQ Mail");
  g_assert_cmpstr (lb_provider_info_get_name (qq, "zh_CN"), ==, "QQ邮箱");
  g_assert_cmpint (lb_provider_info_get_credential_kind (qq), ==, LB_CREDENTIAL_AUTHORIZATION_CODE);
  g_assert_cmpstr (lb_provider_info_get_secret_term (qq, "zh_CN"), ==, "授权码");
  g_assert_true (g_str_has_prefix (lb_provider_info_get_help_url (qq), "https://"));
  steps = lb_provider_info_get_help_steps (qq, NULL);
  g_assert_nonnull (steps);
  g_assert_cmpuint (g_strv_length ((char **) steps), ==, 5);
  g_assert_cmpuint (lb_provider_info_get_max_message_size (qq), ==, 0);

  g_assert_nonnull (netease);
  g_assert_cmpuint (lb_provider_info_get_max_message_size (netease), ==, 71680000);

  g_assert_null (lb_provider_info_lookup ("no-such-provider"));
  g_assert_null (lb_provider_info_lookup (NULL));
}

/* Autoconfig for a domain the database does not know: the servers, and the provider as
 * autoconfig describes it (name and help page, no database id). */
static void
test_discovery_autoconfig (void)
{
  static const char xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"example.com\">\n"
    "    <domain>example.com</domain>\n"
    "    <displayName>Example Mail</displayName>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType>\n"
    "      <username>%EMAILADDRESS%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>\n"
    "      <username>%EMAILLOCALPART%</username>\n"
    "      <authentication>password-cleartext</authentication>\n"
    "    </outgoingServer>\n"
    "    <documentation url=\"https://example.com/help\"><descr lang=\"en\">Help</descr></documentation>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lb-ui-api-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LbAccountDiscovery) found = NULL;
  g_autoptr(LbAccountDiscovery) copy = NULL;
  LbProviderInfo *provider;

  g_assert_no_error (error);
  path = g_build_filename (dir, "config-v1.1.xml", NULL);
  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, path, TRUE);

  lb_account_discover_async ("jane@example.com", NULL, lb_test_got_result, &result);
  found = lb_account_discover_finish (lb_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (lb_account_discovery_get_imap (found)->host, ==, "imap.example.com");
  g_assert_cmpuint (lb_account_discovery_get_imap (found)->port, ==, 993);
  g_assert_cmpstr (lb_account_discovery_get_imap (found)->username, ==, "jane@example.com");
  g_assert_cmpstr (lb_account_discovery_get_smtp (found)->host, ==, "smtp.example.com");
  g_assert_cmpint (lb_account_discovery_get_smtp (found)->security, ==, LB_SECURITY_STARTTLS);
  g_assert_cmpstr (lb_account_discovery_get_smtp (found)->username, ==, "jane");
  provider = lb_account_discovery_get_provider (found);
  g_assert_nonnull (provider);
  g_assert_null (lb_provider_info_get_id (provider));
  g_assert_cmpstr (lb_provider_info_get_name (provider, NULL), ==, "Example Mail");
  g_assert_cmpstr (lb_provider_info_get_help_url (provider), ==, "https://example.com/help");
  g_assert_cmpint (lb_provider_info_get_credential_kind (provider), ==, LB_CREDENTIAL_PASSWORD);
  g_assert_null (lb_provider_info_get_help_steps (provider, NULL));

  copy = lb_account_discovery_copy (found);
  g_assert_true (lb_account_discovery_get_provider (copy) == provider);
  g_assert_cmpstr (lb_account_discovery_get_imap (copy)->host, ==, "imap.example.com");

  /* A file that is not there is an error, not a hang or a guess. */
  g_setenv (LB_TEST_DISCOVERY_FILE_ENV, "/nonexistent/config-v1.1.xml", TRUE);
  g_clear_object (&result);
  lb_account_discover_async ("jane@example.com", NULL, lb_test_got_result, &result);
  g_assert_null (lb_account_discover_finish (lb_test_wait_result (&result), &error));
  g_assert_nonnull (error);

  g_unsetenv (LB_TEST_DISCOVERY_FILE_ENV);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_mailboxes (void)
{
  g_autoptr(GPtrArray) list = lb_mailbox_parse_list ("\"Doe, Jane\" <jane@example.com>, 鲍勃 <bob@example.org>, nonsense");
  g_autoptr(LbMailbox) copy = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (list->len, ==, 3);
  copy = lb_mailbox_copy (g_ptr_array_index (list, 0));
  g_assert_cmpstr (copy->name, ==, "Doe, Jane");
  g_assert_cmpstr (copy->address, ==, "jane@example.com");
  text = lb_mailbox_to_string (copy);
  g_assert_cmpstr (text, ==, "\"Doe, Jane\" <jane@example.com>");
  g_assert_true (lb_mailbox_is_valid_address (((LbMailbox *) g_ptr_array_index (list, 1))->address));
  g_assert_false (lb_mailbox_is_valid_address (((LbMailbox *) g_ptr_array_index (list, 2))->address));
  g_assert_false (lb_mailbox_is_valid_address ("user@localhost"));
}

static const char sent[] =
  "From: Alice <alice@example.com>\r\n"
  "To: Bob <bob@example.org>\r\n"
  "Cc: carol@example.net\r\n"
  "Subject: =?UTF-8?B?5ZGo5oql?=\r\n"
  "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n"
  "Message-ID: <m-1@example.com>\r\n"
  "References: <m-0@example.com>\r\n"
  "In-Reply-To: <m-0@example.com>\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=b1\r\n"
  "\r\n"
  "--b1\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "Hello <Bob>\r\n"
  "--b1\r\n"
  "Content-Type: text/plain; name=notes.txt\r\n"
  "Content-Disposition: attachment; filename=notes.txt\r\n"
  "\r\n"
  "notes\r\n"
  "--b1--\r\n";

static LbMessageContent *
parse_sent (void)
{
  g_autoptr(GBytes) raw = g_bytes_new_static (sent, sizeof sent - 1);
  g_autoptr(GError) error = NULL;
  LbMessageContent *content = lb_message_content_new_from_bytes (raw, &error);

  g_assert_no_error (error);
  g_assert_nonnull (content);
  return content;
}

static void
test_message_content (void)
{
  g_autoptr(LbMessageContent) content = parse_sent ();
  g_autoptr(GBytes) garbage = g_bytes_new_static ("", 0);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LbMessageContent) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *html = NULL;
  LbAttachment *attachment;

  g_assert_cmpstr (lb_message_content_get_subject (content), ==, "周报");
  g_assert_nonnull (lb_message_content_get_date (content));
  g_assert_cmpuint (lb_message_content_get_from (content)->len, ==, 1);
  g_assert_cmpstr (((LbMailbox *) g_ptr_array_index (lb_message_content_get_from (content), 0))->name,
                   ==, "Alice");
  g_assert_cmpuint (lb_message_content_get_to (content)->len, ==, 1);
  g_assert_cmpuint (lb_message_content_get_cc (content)->len, ==, 1);
  g_assert_nonnull (strstr (lb_message_content_get_text (content), "Hello <Bob>"));
  g_assert_null (lb_message_content_get_html (content));
  html = lb_message_content_dup_text_as_html (content);
  g_assert_nonnull (strstr (html, "Hello &lt;Bob&gt;"));
  g_assert_cmpuint (lb_message_content_get_attachments (content)->len, ==, 1);
  attachment = g_ptr_array_index (lb_message_content_get_attachments (content), 0);
  g_assert_cmpstr (lb_attachment_get_filename (attachment), ==, "notes.txt");
  g_assert_cmpuint (lb_attachment_get_size (attachment), ==, 5);
  g_assert_null (lb_message_content_lookup_cid (content, "cid:none", NULL));

  lb_message_content_parse_async (garbage, NULL, lb_test_got_result, &result);
  again = lb_message_content_parse_finish (lb_test_wait_result (&result), &error);
  g_assert_null (again);
  g_assert_nonnull (error);
}

static void
test_drafts (void)
{
  g_autoptr(LbMessageContent) content = parse_sent ();
  g_autoptr(LbMailbox) me = lb_mailbox_new ("Bob", "bob@example.org");
  const char *own[] = { "bob@example.org", NULL };
  const char *envelope[] = { "bob@example.org", "carol@example.net", "dave@example.net", NULL };
  g_autoptr(LbDraft) reply = lb_draft_new_reply (content, me, own, TRUE);
  g_autoptr(LbDraft) edit = lb_draft_new_for_editing (content, envelope);
  g_autoptr(LbDraft) mailto = lb_draft_new_from_mailto ("mailto:eve@example.com?subject=Hi", NULL);
  g_autoptr(LbDraft) copy = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autofree char *message_id = NULL;
  g_auto(GStrv) rcpts = NULL;
  g_autofree char *text = NULL;

  /* A reply to all goes to the sender and the others, never to oneself, in the thread. */
  g_assert_cmpstr (reply->subject, ==, "Re: 周报");
  g_assert_cmpstr (reply->in_reply_to, ==, "m-1@example.com");
  rcpts = lb_draft_dup_recipients (reply);
  g_assert_true (g_strv_contains ((const char * const *) rcpts, "alice@example.com"));
  g_assert_true (g_strv_contains ((const char * const *) rcpts, "carol@example.net"));
  g_assert_false (g_strv_contains ((const char * const *) rcpts, "bob@example.org"));

  /* Reopened from the outbox: Bcc is what the envelope had beyond To and Cc. */
  g_assert_cmpuint (edit->bcc->len, ==, 1);
  g_assert_cmpstr (((LbMailbox *) g_ptr_array_index (edit->bcc, 0))->address, ==, "dave@example.net");
  g_assert_cmpuint (edit->attachments->len, ==, 1);
  g_assert_cmpstr (edit->in_reply_to, ==, "m-0@example.com");

  g_assert_cmpuint (mailto->to->len, ==, 1);
  g_assert_cmpstr (mailto->subject, ==, "Hi");

  /* Built: Bcc stays out of a message to send and in a draft to keep. */
  edit->from = lb_mailbox_new ("Alice", "alice@example.com");
  g_free (edit->message_id);
  edit->message_id = g_strdup ("draft-1@example.com");
  {
    /* lb_attachment_new() takes its own reference to the contents. */
    g_autoptr(GBytes) contents = g_bytes_new_static ("a", 1);

    g_ptr_array_add (edit->attachments, lb_attachment_new ("a.txt", "text/plain", contents));
  }
  copy = lb_draft_copy (edit);
  raw = lb_draft_build (copy, LB_DRAFT_BUILD_DEFAULT, &message_id);
  g_assert_cmpstr (message_id, ==, "draft-1@example.com");
  text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
  g_assert_null (strstr (text, "dave@example.net"));
  g_assert_nonnull (strstr (text, "a.txt"));
  g_clear_pointer (&text, g_free);
  kept = lb_draft_build (copy, LB_DRAFT_BUILD_KEEP_BCC, NULL);
  text = g_strndup (g_bytes_get_data (kept, NULL), g_bytes_get_size (kept));
  g_assert_nonnull (strstr (text, "dave@example.net"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui-api/highlight-terms", test_highlight_terms);
  g_test_add_func ("/ui-api/highlight-sentence", test_highlight_sentence);
  g_test_add_func ("/ui-api/highlight-find", test_highlight_find);
  g_test_add_func ("/ui-api/provider-lookup", test_provider_lookup);
  g_test_add_func ("/ui-api/discovery-autoconfig", test_discovery_autoconfig);
  g_test_add_func ("/ui-api/mailboxes", test_mailboxes);
  g_test_add_func ("/ui-api/message-content", test_message_content);
  g_test_add_func ("/ui-api/drafts", test_drafts);
  return g_test_run ();
}
