/* lb-address.h: mail addresses, from headers and from the user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * LbAddress:
 * @name: (nullable): the display name, UTF-8 and decoded, or %NULL
 * @address: the addr-spec (`user@example.com`), UTF-8; may be empty for
 *   broken input such as `Name <>`.  IDN domains stay in UTF-8.
 *
 * One mailbox.  A plain struct, so worker threads can build lists of them.
 */
typedef struct
{
  char *name;
  char *address;
} LbAddress;

#define LB_TYPE_ADDRESS (lb_address_get_type ())

GType      lb_address_get_type (void) G_GNUC_CONST;

/**
 * lb_address_new:
 * @name: (nullable): the display name
 * @address: (nullable): the addr-spec (%NULL is stored as "")
 *
 * Returns: (transfer full): a new #LbAddress; an empty name is stored as %NULL
 */
LbAddress *lb_address_new  (const char      *name,
                            const char      *address);
LbAddress *lb_address_copy (const LbAddress *self);
void       lb_address_free (LbAddress       *self);

/**
 * lb_address_to_display:
 * @self: an address
 *
 * Returns: (transfer full): the name if there is one, else the address
 */
char *lb_address_to_display (const LbAddress *self);

/**
 * lb_address_to_string:
 * @self: an address
 *
 * Returns: (transfer full): `Name <user@example.com>`, with the name quoted
 *   when it needs to be, or just the address (UTF-8, not RFC 2047 encoded)
 */
char *lb_address_to_string (const LbAddress *self);

/**
 * lb_address_is_valid:
 * @address: (nullable): an addr-spec, as typed or parsed
 *
 * Checks that @address looks deliverable: a dot-atom or quoted local part of
 * at most 64 bytes, `@`, and a domain of at least two labels (letters,
 * digits, hyphens or non-ASCII characters for IDN, no label starting or
 * ending with a hyphen) or an address literal like `[192.0.2.1]`.  At most
 * 254 bytes in all.
 *
 * Returns: %TRUE if it is acceptable as a recipient
 */
gboolean lb_address_is_valid (const char *address);

/**
 * lb_address_parse:
 * @text: (nullable): what the user typed into a To/Cc/Bcc field
 *
 * Splits user input into addresses.  Entries are separated by `,` `;` and
 * their full-width forms `，` `；` (and `、`) outside quotes and angle
 * brackets.  Each entry may be `Name <user@example.com>`, `"Name" <...>`,
 * a bare address or `Name user@example.com`.  A full-width `＠` is read as
 * `@`.  Empty entries are skipped.  Entries are returned even when invalid,
 * so the composer can point at them: check each with lb_address_is_valid().
 *
 * Returns: (transfer full) (element-type LbAddress): the entries, possibly empty
 */
GPtrArray *lb_address_parse (const char *text);

/**
 * lb_address_list_to_display:
 * @list: (element-type LbAddress) (nullable): addresses
 *
 * Returns: (transfer full): the display form of each address joined by ", "
 */
char *lb_address_list_to_display (GPtrArray *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbAddress, lb_address_free)

/**
 * lb_address_list_decode:
 * @raw: (nullable): a raw address header value (From, To, Cc, Reply-To)
 * @display: (out) (optional) (transfer full): the names (or addresses when
 *   there is no name) joined by ", ", for the message list
 *
 * Parses an RFC 5322 address list: display names (quoted or not, with
 * encoded-words, even inside quotes, or raw 8-bit), angle addresses, comments
 * and groups (whose members are flattened into the list).  Never fails:
 * what cannot be parsed is kept as well as it can be.
 *
 * Returns: (transfer full) (element-type LbAddress): the addresses, possibly empty
 */
GPtrArray *lb_address_list_decode (const char  *raw,
                                   char       **display);

/**
 * lb_address_list_decode_with_fallback:
 * @raw: (nullable): a raw address header value
 * @fallback_charset: (nullable): the charset the message declares for its
 *   text parts, tried for raw 8-bit names before the detector
 * @display: (out) (optional) (transfer full): as for lb_address_list_decode()
 *
 * lb_address_list_decode() for a header of a message whose text parts
 * declare a charset.
 *
 * Returns: (transfer full) (element-type LbAddress): the addresses, possibly empty
 */
GPtrArray *lb_address_list_decode_with_fallback (const char  *raw,
                                                 const char  *fallback_charset,
                                                 char       **display);

G_END_DECLS
