/* test-mime-structure.c: MIME structures of real-world mail (issue 17)
 *
 * One test per cause: related parts the HTML does not show, named text parts, text
 * without a subtype, addresses without a comma, parts without a blank line after their
 * headers, and signed messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "lb-address.h"
#include "lb-mime-message.h"

static LbMimeMessage *
parse (const char *raw)
{
  g_autoptr(GBytes) bytes = g_bytes_new (raw, strlen (raw));
  g_autoptr(GError) error = NULL;
  LbMimeMessage *message = lb_mime_message_new_from_bytes (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static LbMimeAttachment *
attachment (LbMimeMessage *m,
            guint          i)
{
  GPtrArray *atts = lb_mime_message_get_attachments (m);

  g_assert_cmpuint (atts->len, >, i);
  return g_ptr_array_index (atts, i);
}

/* Cause 1: Outlook and Eudora put signatures and pasted images into a multipart/related
 * that the HTML never refers to, or whose root is plain text.  Those parts must be
 * reachable as attachments; the ones the HTML shows stay out of the list. */
static void
test_related_unreferenced (void)
{
  g_autoptr(LbMimeMessage) html = parse (
    "Content-Type: multipart/related; boundary=REL; type=\"text/html\"\r\n\r\n"
    "--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<p>See the logo <img src=\"cid:logo%40example.com\"></p>\r\n"
    "--REL\r\nContent-Type: image/png; name=logo.png\r\nContent-ID: <logo@example.com>\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgpmYWtl\r\n"
    "--REL\r\nContent-Type: image/jpeg; name=\"pasted.jpg\"\r\nContent-ID: <pasted@example.com>\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n"
    "--REL--\r\n");
  g_autoptr(LbMimeMessage) plain_root = parse (
    "Content-Type: multipart/related; boundary=REL\r\n\r\n"
    "--REL\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nPlain root.\r\n"
    "--REL\r\nContent-Type: image/gif; name=\"sig.gif\"\r\nContent-ID: <sig@eudora>\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nR0lGODlh\r\n"
    "--REL--\r\n");

  /* The logo is shown by the HTML (percent-encoded reference): not an attachment. */
  g_assert_cmpuint (lb_mime_message_get_attachments (html)->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (attachment (html, 0)), ==, "pasted.jpg");
  g_assert_nonnull (lb_mime_message_lookup_cid (html, "cid:logo@example.com", NULL));
  g_assert_nonnull (lb_mime_message_lookup_cid (html, "cid:pasted@example.com", NULL));

  g_assert_cmpstr (lb_mime_message_get_text (plain_root), ==, "Plain root.");
  g_assert_cmpuint (lb_mime_message_get_attachments (plain_root)->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (attachment (plain_root, 0)), ==, "sig.gif");
}

/* Cause 5: a text part with a name but an inline (or no) disposition is the body when
 * there is no other; `Content-Type: text` without a subtype is plain text. */
static void
test_named_text_body (void)
{
  g_autoptr(LbMimeMessage) named = parse (
    "Content-Type: multipart/mixed; boundary=M\r\n\r\n"
    "--M\r\nContent-Type: text/plain; charset=us-ascii; name=\"notes.txt\"\r\n"
    "Content-Disposition: inline; filename=\"notes.txt\"\r\n\r\nThe named body.\r\n"
    "--M\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Disposition: attachment\r\n\r\n%PDF\r\n"
    "--M--\r\n");
  g_autoptr(LbMimeMessage) no_disposition = parse (
    "Content-Type: text/plain; charset=us-ascii; name=\"body.txt\"\r\n\r\nNo disposition here.\r\n");
  g_autoptr(LbMimeMessage) no_subtype = parse (
    "MIME-Version: 1.0\r\nContent-Type: text\r\n\r\nText without a subtype.\r\n");
  g_autoptr(LbMimeMessage) attached = parse (
    "Content-Type: multipart/mixed; boundary=M\r\n\r\n"
    "--M\r\nContent-Type: text/plain\r\n\r\nThe real body.\r\n"
    "--M\r\nContent-Type: text/plain; name=\"log.txt\"\r\nContent-Disposition: inline; filename=log.txt\r\n\r\n"
    "log line\r\n--M--\r\n");

  g_assert_cmpstr (lb_mime_message_get_text (named), ==, "The named body.");
  g_assert_cmpstr (lb_mime_message_get_text (no_disposition), ==, "No disposition here.\n");
  g_assert_cmpstr (lb_mime_message_get_text (no_subtype), ==, "Text without a subtype.\n");
  /* A named text part after the body is a file, not a footer. */
  g_assert_cmpstr (lb_mime_message_get_text (attached), ==, "The real body.");
  g_assert_cmpuint (lb_mime_message_get_attachments (attached)->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (attachment (attached, 0)), ==, "log.txt");
}

/* Cause 10: addresses separated by spaces only are still separate addresses. */
static void
test_addresses_without_comma (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "From: Alice <alice@example.com> Bob <bob@example.org>\r\n"
    "To: carol@example.com dave@example.net (Dave)\r\n"
    "Cc: <erin@example.com> <frank@example.com>, \"Doe, J\" <j@example.com>\r\n"
    "\r\nbody\r\n");
  GPtrArray *from = lb_mime_message_get_from (m);
  GPtrArray *to = lb_mime_message_get_to (m);
  GPtrArray *cc = lb_mime_message_get_cc (m);
  LbAddress *a;

  g_assert_cmpuint (from->len, ==, 2);
  a = g_ptr_array_index (from, 0);
  g_assert_cmpstr (a->name, ==, "Alice");
  g_assert_cmpstr (a->address, ==, "alice@example.com");
  a = g_ptr_array_index (from, 1);
  g_assert_cmpstr (a->name, ==, "Bob");
  g_assert_cmpstr (a->address, ==, "bob@example.org");

  g_assert_cmpuint (to->len, ==, 2);
  a = g_ptr_array_index (to, 0);
  g_assert_cmpstr (a->address, ==, "carol@example.com");
  a = g_ptr_array_index (to, 1);
  g_assert_cmpstr (a->address, ==, "dave@example.net");
  g_assert_cmpstr (a->name, ==, "Dave");

  g_assert_cmpuint (cc->len, ==, 3);
  g_assert_cmpstr (((LbAddress *) g_ptr_array_index (cc, 0))->address, ==, "erin@example.com");
  g_assert_cmpstr (((LbAddress *) g_ptr_array_index (cc, 1))->address, ==, "frank@example.com");
  g_assert_cmpstr (((LbAddress *) g_ptr_array_index (cc, 2))->name, ==, "Doe, J");
}

/* Cause 11: a part whose headers run straight into its content (no blank line) keeps
 * its attachment. */
static void
test_part_without_blank_line (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: multipart/mixed; boundary=M\r\n\r\n"
    "--M\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n"
    "--M\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "JVBERi0xLjQgZmFrZQ==\r\n"
    "--M--\r\n");
  LbMimeAttachment *pdf;

  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "See the file.");
  g_assert_cmpuint (lb_mime_message_get_attachments (m)->len, ==, 1);
  pdf = attachment (m, 0);
  g_assert_cmpstr (lb_mime_attachment_get_filename (pdf), ==, "report.pdf");
  g_assert_cmpstr (lb_mime_attachment_get_mime_type (pdf), ==, "application/pdf");
  g_assert_cmpmem (g_bytes_get_data (lb_mime_attachment_get_bytes (pdf), NULL),
                   lb_mime_attachment_get_size (pdf), "%PDF-1.4 fake", 13);
}

/* Cause 13: a multipart/signed message says it is signed and lists its signature. */
static void
test_signed (void)
{
  g_autoptr(LbMimeMessage) m = parse (
    "Content-Type: multipart/signed; boundary=S; micalg=pgp-sha256;\r\n"
    " protocol=\"application/pgp-signature\"\r\n\r\n"
    "--S\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n"
    "--S\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
    "Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n"
    "-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n"
    "--S--\r\n");
  g_autoptr(LbMimeMessage) smime = NULL;
  g_autoptr(LbMimeMessage) unsigned_msg = parse ("Subject: x\r\n\r\nplain\r\n");

  g_assert_true (lb_mime_message_get_signed (m));
  g_assert_cmpstr (lb_mime_message_get_text (m), ==, "signed text");
  g_assert_cmpuint (lb_mime_message_get_attachments (m)->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (attachment (m, 0)), ==, "signature.asc");
  g_assert_cmpstr (lb_mime_attachment_get_mime_type (attachment (m, 0)), ==, "application/pgp-signature");
  g_assert_false (lb_mime_message_get_signed (unsigned_msg));

  /* S/MIME: the unnamed signature part still gets a name to save it under. */
  smime = parse (
    "Content-Type: multipart/signed; boundary=S; micalg=sha-256;\r\n"
    " protocol=\"application/pkcs7-signature\"\r\n\r\n"
    "--S\r\nContent-Type: text/plain\r\n\r\nsmime text\r\n"
    "--S\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "MIAGCSqGSIb3DQEHAqCAMIACAQEx\r\n--S--\r\n");
  g_assert_true (lb_mime_message_get_signed (smime));
  g_assert_cmpuint (lb_mime_message_get_attachments (smime)->len, ==, 1);
  g_assert_cmpstr (lb_mime_attachment_get_filename (attachment (smime, 0)), ==, "smime.p7s");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mime/structure/related-unreferenced", test_related_unreferenced);
  g_test_add_func ("/mime/structure/named-text-body", test_named_text_body);
  g_test_add_func ("/mime/structure/addresses-without-comma", test_addresses_without_comma);
  g_test_add_func ("/mime/structure/part-without-blank-line", test_part_without_blank_line);
  g_test_add_func ("/mime/structure/signed", test_signed);
  return g_test_run ();
}
