/* lb-imap-response.h: parsed IMAP server responses
 *
 * Plain refcounted structs (not GObjects): the parser makes tens of thousands of
 * them for one FETCH, so they stay cheap.  All strings are copies of the bytes the
 * server sent, NUL-terminated, and not necessarily UTF-8 (servers send GBK in
 * human text, RFC 2047 words in envelopes, modified UTF-7 in mailbox names):
 * decoding belongs to the layers above.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "lb-types.h"

G_BEGIN_DECLS

/**
 * LB_IMAP_SEQ_STAR:
 *
 * The value that stands for `*` (the largest number in use) in an #LbImapRange
 * parsed with lb_imap_seqset_parse().  Sets in responses never hold `*` (the parser
 * refuses it there), so in them G_MAXUINT32 is UID 4294967295 itself.
 */
#define LB_IMAP_SEQ_STAR G_MAXUINT32

/**
 * LbImapRange:
 * @first: the lower end
 * @last: the upper end (inclusive); %LB_IMAP_SEQ_STAR for `*` only in sets that
 *   lb_imap_seqset_parse() read
 *
 * One range of a sequence set; a single number has @first == @last.  Ranges
 * are normalised so that @first <= @last (`5:2` becomes 2..5, `*:4` becomes
 * 4..`*`).  Sets are #GArray of #LbImapRange, in the order the server sent them.
 */
typedef struct {
  guint32 first;
  guint32 last;
} LbImapRange;

typedef enum {
  LB_IMAP_RESPONSE_STATUS,         /* OK/NO/BAD/PREAUTH/BYE, tagged or untagged */
  LB_IMAP_RESPONSE_CONTINUATION,   /* "+ text" */
  LB_IMAP_RESPONSE_CAPABILITY,     /* u.list */
  LB_IMAP_RESPONSE_EXISTS,         /* u.number */
  LB_IMAP_RESPONSE_RECENT,         /* u.number */
  LB_IMAP_RESPONSE_EXPUNGE,        /* u.number (a sequence number) */
  LB_IMAP_RESPONSE_VANISHED,       /* u.vanished */
  LB_IMAP_RESPONSE_FETCH,          /* u.fetch */
  LB_IMAP_RESPONSE_LIST,           /* u.list_data (LIST, LSUB or XLIST) */
  LB_IMAP_RESPONSE_MAILBOX_STATUS, /* u.mailbox_status ("* STATUS") */
  LB_IMAP_RESPONSE_SEARCH,         /* u.search */
  LB_IMAP_RESPONSE_ESEARCH,        /* u.esearch */
  LB_IMAP_RESPONSE_ID,             /* u.params (NULL for "ID NIL") */
  LB_IMAP_RESPONSE_ENABLED,        /* u.list */
  LB_IMAP_RESPONSE_NAMESPACE,      /* u.namespace_data */
  LB_IMAP_RESPONSE_FLAGS,          /* u.list */
  LB_IMAP_RESPONSE_UNKNOWN,        /* name and text: any other untagged data */
} LbImapResponseKind;

typedef enum {
  LB_IMAP_STATUS_NONE = 0,
  LB_IMAP_STATUS_OK,
  LB_IMAP_STATUS_NO,
  LB_IMAP_STATUS_BAD,
  LB_IMAP_STATUS_PREAUTH,
  LB_IMAP_STATUS_BYE,
} LbImapStatus;

/* Response codes (RFC 3501, 4315, 5162, 7162, 5530, 4551...).  Codes the parser
 * does not know are LB_IMAP_CODE_UNKNOWN with their name and raw arguments. */
typedef enum {
  LB_IMAP_CODE_NONE = 0,
  LB_IMAP_CODE_UNKNOWN,
  LB_IMAP_CODE_ALERT,
  LB_IMAP_CODE_ALREADYEXISTS,
  LB_IMAP_CODE_APPENDUID,          /* number = uidvalidity, set = uids */
  LB_IMAP_CODE_AUTHENTICATIONFAILED,
  LB_IMAP_CODE_AUTHORIZATIONFAILED,
  LB_IMAP_CODE_BADCHARSET,         /* list = charsets (may be NULL) */
  LB_IMAP_CODE_CANNOT,
  LB_IMAP_CODE_CAPABILITY,         /* list */
  LB_IMAP_CODE_CLIENTBUG,
  LB_IMAP_CODE_CLOSED,
  LB_IMAP_CODE_CONTACTADMIN,
  LB_IMAP_CODE_COPYUID,            /* number = uidvalidity, set = source, dest_set */
  LB_IMAP_CODE_EXPIRED,
  LB_IMAP_CODE_EXPUNGEISSUED,
  LB_IMAP_CODE_HIGHESTMODSEQ,      /* modseq */
  LB_IMAP_CODE_INUSE,
  LB_IMAP_CODE_LIMIT,
  LB_IMAP_CODE_MODIFIED,           /* set */
  LB_IMAP_CODE_NOMODSEQ,
  LB_IMAP_CODE_NONEXISTENT,
  LB_IMAP_CODE_NOPERM,
  LB_IMAP_CODE_OVERQUOTA,
  LB_IMAP_CODE_PARSE,
  LB_IMAP_CODE_PERMANENTFLAGS,     /* list */
  LB_IMAP_CODE_PRIVACYREQUIRED,
  LB_IMAP_CODE_READ_ONLY,
  LB_IMAP_CODE_READ_WRITE,
  LB_IMAP_CODE_SERVERBUG,
  LB_IMAP_CODE_TRYCREATE,
  LB_IMAP_CODE_UIDNEXT,            /* number */
  LB_IMAP_CODE_UIDNOTSTICKY,
  LB_IMAP_CODE_UIDVALIDITY,        /* number */
  LB_IMAP_CODE_UNAVAILABLE,
  LB_IMAP_CODE_UNSEEN,             /* number (a sequence number) */
} LbImapCodeKind;

/**
 * LbImapResponseCode:
 * @kind: which code, %LB_IMAP_CODE_NONE when the response had none
 * @name: the code's name as sent (e.g. "UIDVALIDITY", "X-FOO")
 * @raw: the code's arguments as sent (the bytes after the name up to `]`), or %NULL
 * @number: UIDVALIDITY, UIDNEXT, UNSEEN; the uidvalidity of APPENDUID and COPYUID
 * @modseq: HIGHESTMODSEQ
 * @list: PERMANENTFLAGS, CAPABILITY, BADCHARSET: %NULL-terminated, or %NULL
 * @set: APPENDUID uids, COPYUID source uids, MODIFIED: #LbImapRange, or %NULL
 * @dest_set: COPYUID destination uids, or %NULL
 *
 * A response code in brackets.  If a known code's arguments cannot be parsed,
 * it is reported as %LB_IMAP_CODE_UNKNOWN so that nothing half-parsed is
 * trusted, with @name and @raw still set.
 */
typedef struct {
  LbImapCodeKind kind;
  char          *name;
  char          *raw;
  guint32        number;
  guint64        modseq;
  char         **list;
  GArray        *set;
  GArray        *dest_set;
} LbImapResponseCode;

/**
 * LbImapAddress:
 *
 * One address of an envelope, undecoded.  RFC 3501 group syntax is kept as
 * sent: a start-of-group entry has @mailbox = group name and @host = %NULL, an
 * end-of-group entry has both %NULL.
 */
typedef struct {
  char *name;
  char *adl;
  char *mailbox;
  char *host;
} LbImapAddress;

/**
 * LbImapEnvelope:
 *
 * The ENVELOPE fetch item.  Strings are raw (RFC 2047 words undecoded) and
 * %NULL for NIL; address lists are #GPtrArray of #LbImapAddress, %NULL for NIL.
 */
typedef struct {
  char      *date;
  char      *subject;
  GPtrArray *from;
  GPtrArray *sender;
  GPtrArray *reply_to;
  GPtrArray *to;
  GPtrArray *cc;
  GPtrArray *bcc;
  char      *in_reply_to;
  char      *message_id;
} LbImapEnvelope;

/**
 * LbImapParam:
 *
 * A name/value pair of a body parameter list (`("charset" "utf-8")`) or of an
 * ID response.  @value is %NULL for NIL.
 */
typedef struct {
  char *name;
  char *value;
} LbImapParam;

typedef struct _LbImapBody LbImapBody;

/**
 * LbImapBody:
 * @type: media type as sent ("text", "image"...); "multipart" for multiparts
 * @subtype: media subtype as sent ("plain", "mixed"...)
 * @params: #GPtrArray of #LbImapParam (Content-Type parameters), or %NULL
 * @id: Content-ID
 * @description: Content-Description (raw)
 * @encoding: Content-Transfer-Encoding
 * @size: size in bytes of the encoded body
 * @lines: lines of text/ and message/rfc822 parts
 * @md5: Content-MD5 (extension data)
 * @disposition: "attachment", "inline"... (extension data), or %NULL
 * @disposition_params: #GPtrArray of #LbImapParam, or %NULL
 * @envelope: the envelope of a message/rfc822 part, or %NULL
 * @parts: #GPtrArray of #LbImapBody: the parts of a multipart, or the single
 *   body of a message/rfc822 part; %NULL otherwise
 *
 * One node of a BODYSTRUCTURE (or BODY) tree.  Unknown extension data is
 * skipped.
 */
struct _LbImapBody {
  char           *type;
  char           *subtype;
  GPtrArray      *params;
  char           *id;
  char           *description;
  char           *encoding;
  guint64         size;
  guint64         lines;
  char           *md5;
  char           *disposition;
  GPtrArray      *disposition_params;
  LbImapEnvelope *envelope;
  GPtrArray      *parts;
};

/**
 * LbImapBodySection:
 * @section: the section spec between the brackets as sent ("", "1.2",
 *   "HEADER.FIELDS (FROM TO)"); RFC822 is "", RFC822.HEADER "HEADER",
 *   RFC822.TEXT "TEXT"
 * @binary: %TRUE for BINARY[...] (RFC 3516), %FALSE for BODY[...] and RFC822*
 * @origin: the `<origin>` of a partial fetch, or -1
 * @data: the exact bytes (binary safe), or %NULL for NIL
 */
typedef struct {
  char    *section;
  gboolean binary;
  gint64   origin;
  GBytes  *data;
} LbImapBodySection;

/* Which items an LbImapFetch holds. */
typedef enum {
  LB_IMAP_FETCH_UID           = 1 << 0,
  LB_IMAP_FETCH_FLAGS         = 1 << 1,
  LB_IMAP_FETCH_INTERNALDATE  = 1 << 2,
  LB_IMAP_FETCH_RFC822_SIZE   = 1 << 3,
  LB_IMAP_FETCH_ENVELOPE      = 1 << 4,
  LB_IMAP_FETCH_BODYSTRUCTURE = 1 << 5,
  LB_IMAP_FETCH_MODSEQ        = 1 << 6,
  LB_IMAP_FETCH_GM_MSGID      = 1 << 7,
  LB_IMAP_FETCH_GM_THRID      = 1 << 8,
  LB_IMAP_FETCH_GM_LABELS     = 1 << 9,
  LB_IMAP_FETCH_SECTIONS      = 1 << 10,
} LbImapFetchItems;

/**
 * LbImapFetch:
 * @seq: the message sequence number
 * @items: which of the fields below were present
 * @uid: UID
 * @flags: the system flags and $Forwarded/$Junk as #LbFlags
 * @keywords: the other flags and keywords as sent (\Recent excluded), %NULL-terminated, or %NULL
 * @recent: the \Recent flag was set
 * @internaldate: INTERNALDATE as Unix time (seconds, UTC)
 * @internaldate_offset: the zone offset the server gave, in minutes east of UTC
 * @size: RFC822.SIZE
 * @envelope: ENVELOPE, or %NULL
 * @bodystructure: BODYSTRUCTURE (or the non-extensible BODY), or %NULL
 * @modseq: MODSEQ (RFC 7162), 64-bit
 * @gm_msgid: X-GM-MSGID, 64-bit
 * @gm_thrid: X-GM-THRID, 64-bit
 * @gm_labels: X-GM-LABELS as sent (atoms like `\Inbox` or strings), %NULL-terminated, or %NULL
 * @sections: #GPtrArray of #LbImapBodySection (BODY[...], BINARY[...], RFC822...), or %NULL
 */
typedef struct {
  guint32           seq;
  LbImapFetchItems  items;
  guint32           uid;
  LbFlags           flags;
  char            **keywords;
  gboolean          recent;
  gint64            internaldate;
  int               internaldate_offset;
  guint64           size;
  LbImapEnvelope   *envelope;
  LbImapBody       *bodystructure;
  guint64           modseq;
  guint64           gm_msgid;
  guint64           gm_thrid;
  char            **gm_labels;
  GPtrArray        *sections;
} LbImapFetch;

/* LIST attributes as a bitmask (RFC 3501, 3348, 5258, 6154 and Gmail's XLIST).
 * The attributes as sent are also kept as strings. */
typedef enum {
  LB_IMAP_LIST_NOINFERIORS   = 1 << 0,
  LB_IMAP_LIST_NOSELECT      = 1 << 1,
  LB_IMAP_LIST_MARKED        = 1 << 2,
  LB_IMAP_LIST_UNMARKED      = 1 << 3,
  LB_IMAP_LIST_HASCHILDREN   = 1 << 4,
  LB_IMAP_LIST_HASNOCHILDREN = 1 << 5,
  LB_IMAP_LIST_NONEXISTENT   = 1 << 6,
  LB_IMAP_LIST_SUBSCRIBED    = 1 << 7,
  LB_IMAP_LIST_REMOTE        = 1 << 8,
  LB_IMAP_LIST_ALL           = 1 << 9,   /* \All, XLIST \AllMail */
  LB_IMAP_LIST_ARCHIVE       = 1 << 10,
  LB_IMAP_LIST_DRAFTS        = 1 << 11,
  LB_IMAP_LIST_FLAGGED       = 1 << 12,  /* \Flagged, XLIST \Starred */
  LB_IMAP_LIST_JUNK          = 1 << 13,  /* \Junk, XLIST \Spam */
  LB_IMAP_LIST_SENT          = 1 << 14,
  LB_IMAP_LIST_TRASH         = 1 << 15,
  LB_IMAP_LIST_IMPORTANT     = 1 << 16,
  LB_IMAP_LIST_INBOX         = 1 << 17,  /* XLIST \Inbox */
} LbImapListAttrs;

typedef enum {
  LB_IMAP_LIST_COMMAND_LIST,
  LB_IMAP_LIST_COMMAND_LSUB,
  LB_IMAP_LIST_COMMAND_XLIST,
} LbImapListCommand;

/**
 * LbImapList:
 * @command: which response this was
 * @attrs: the known attributes
 * @attributes: all attributes as sent, %NULL-terminated (never %NULL)
 * @delimiter: the hierarchy delimiter, or '\0' for NIL
 * @name: the mailbox name as sent (modified UTF-7, undecoded; from an atom,
 *   quoted string or literal)
 */
typedef struct {
  LbImapListCommand command;
  LbImapListAttrs   attrs;
  char            **attributes;
  char              delimiter;
  char             *name;
} LbImapList;

typedef enum {
  LB_IMAP_STATUS_ITEM_MESSAGES      = 1 << 0,
  LB_IMAP_STATUS_ITEM_RECENT        = 1 << 1,
  LB_IMAP_STATUS_ITEM_UIDNEXT       = 1 << 2,
  LB_IMAP_STATUS_ITEM_UIDVALIDITY   = 1 << 3,
  LB_IMAP_STATUS_ITEM_UNSEEN        = 1 << 4,
  LB_IMAP_STATUS_ITEM_HIGHESTMODSEQ = 1 << 5,
} LbImapStatusItems;

/* "* STATUS name (MESSAGES n ...)"; @name is raw modified UTF-7. */
typedef struct {
  char              *name;
  LbImapStatusItems  items;
  guint32            messages;
  guint32            recent;
  guint32            uidnext;
  guint32            uidvalidity;
  guint32            unseen;
  guint64            highestmodseq;
} LbImapMailboxStatus;

/* "* SEARCH 1 2 3 (MODSEQ 9)": @numbers is a GArray of guint32 (never NULL),
 * @modseq 0 when absent. */
typedef struct {
  GArray  *numbers;
  guint64  modseq;
} LbImapSearch;

typedef enum {
  LB_IMAP_ESEARCH_MIN    = 1 << 0,
  LB_IMAP_ESEARCH_MAX    = 1 << 1,
  LB_IMAP_ESEARCH_COUNT  = 1 << 2,
  LB_IMAP_ESEARCH_ALL    = 1 << 3,
  LB_IMAP_ESEARCH_MODSEQ = 1 << 4,
} LbImapEsearchItems;

/* "* ESEARCH (TAG "a1") UID MIN 2 MAX 9 COUNT 3 ALL 2,5:9". @all is a GArray of
 * LbImapRange or NULL; @tag NULL when absent. */
typedef struct {
  char               *tag;
  gboolean            uid;
  LbImapEsearchItems  items;
  guint32             min;
  guint32             max;
  guint32             count;
  GArray             *all;
  guint64             modseq;
} LbImapEsearch;

/* "* VANISHED (EARLIER) 1:3,7": @uids is a GArray of LbImapRange. */
typedef struct {
  gboolean  earlier;
  GArray   *uids;
} LbImapVanished;

/* "* NAMESPACE": only the first personal namespace is kept.  @has_personal is
 * FALSE for NIL; @personal_delimiter is '\0' for NIL. */
typedef struct {
  gboolean  has_personal;
  char     *personal_prefix;
  char      personal_delimiter;
} LbImapNamespace;

/**
 * LbImapResponse:
 * @kind: what this response is; selects the member of @u
 * @tag: the tag of a tagged status response, %NULL otherwise
 * @status: OK/NO/BAD/PREAUTH/BYE for %LB_IMAP_RESPONSE_STATUS, else NONE
 * @code: the response code of a status response (kind NONE if absent)
 * @text: the human text of a status response, the text of a continuation, or
 *   the rest of an unknown response; raw bytes (may be GBK), never %NULL for
 *   those kinds (may be "")
 * @name: the response name as sent, for %LB_IMAP_RESPONSE_UNKNOWN only
 * @u: the data of the kind
 *
 * One complete server response.  Free with lb_imap_response_unref().
 */
typedef struct {
  /*< private >*/
  gint ref_count;
  /*< public >*/
  LbImapResponseKind  kind;
  char               *tag;
  LbImapStatus        status;
  LbImapResponseCode  code;
  char               *text;
  char               *name;
  union {
    guint32             number;
    char              **list;
    GPtrArray          *params;
    LbImapFetch         fetch;
    LbImapList          list_data;
    LbImapMailboxStatus mailbox_status;
    LbImapSearch        search;
    LbImapEsearch       esearch;
    LbImapVanished      vanished;
    LbImapNamespace     namespace_data;
  } u;
} LbImapResponse;

LbImapResponse *lb_imap_response_new   (LbImapResponseKind  kind);
LbImapResponse *lb_imap_response_ref   (LbImapResponse     *response);
void            lb_imap_response_unref (LbImapResponse     *response);

/**
 * lb_imap_response_is_tagged:
 * @response: a response
 * @tag: a tag
 *
 * Returns: %TRUE if @response is the tagged status response for @tag
 */
gboolean        lb_imap_response_is_tagged (const LbImapResponse *response,
                                            const char           *tag);

const char     *lb_imap_status_to_string   (LbImapStatus status);

void            lb_imap_envelope_free  (LbImapEnvelope *envelope);
void            lb_imap_address_free   (LbImapAddress  *address);
void            lb_imap_param_free     (LbImapParam    *param);
void            lb_imap_body_free      (LbImapBody     *body);
void            lb_imap_body_section_free (LbImapBodySection *section);

/**
 * lb_imap_params_lookup:
 * @params: (nullable): a #GPtrArray of #LbImapParam
 * @name: a parameter name, compared ASCII case-insensitively
 *
 * Returns: (nullable): the value of the first parameter called @name
 */
const char     *lb_imap_params_lookup  (const GPtrArray *params,
                                        const char      *name);

/**
 * lb_imap_body_get_filename:
 * @body: a body part
 *
 * The part's file name, raw: the disposition's `filename`, else its RFC 2231
 * `filename*` (or first `filename*0*`/`filename*0` piece, undecoded), else the
 * Content-Type `name` (and `name*`).  Decoding is left to the MIME layer.
 *
 * Returns: (nullable): the file name as sent
 */
const char     *lb_imap_body_get_filename (const LbImapBody *body);

/**
 * lb_imap_body_is_attachment:
 * @body: a body part (not a multipart)
 *
 * Whether a leaf part counts as an attachment for the message list: it has an
 * "attachment" disposition, or a file name and is not an inline text part.
 */
gboolean        lb_imap_body_is_attachment (const LbImapBody *body);

/**
 * lb_imap_body_has_attachments:
 * @body: (nullable): a body structure
 *
 * Returns: %TRUE if any part of @body (recursively) is an attachment
 */
gboolean        lb_imap_body_has_attachments (const LbImapBody *body);

/**
 * lb_imap_fetch_get_section:
 * @fetch: a FETCH
 * @section: a section spec, compared ASCII case-insensitively ("" for BODY[])
 *
 * Returns: (nullable): the first body section fetched as @section
 */
const LbImapBodySection *lb_imap_fetch_get_section (const LbImapFetch *fetch,
                                                     const char        *section);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbImapResponse, lb_imap_response_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbImapEnvelope, lb_imap_envelope_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LbImapBody, lb_imap_body_free)

G_END_DECLS
