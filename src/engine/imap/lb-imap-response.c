/* lb-imap-response.c: parsed IMAP server responses
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-imap-response.h"

LbImapResponse *
lb_imap_response_new (LbImapResponseKind kind)
{
  LbImapResponse *self = g_new0 (LbImapResponse, 1);

  self->ref_count = 1;
  self->kind = kind;
  return self;
}

LbImapResponse *
lb_imap_response_ref (LbImapResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  g_atomic_int_inc (&response->ref_count);
  return response;
}

void
lb_imap_address_free (LbImapAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->name);
  g_free (address->adl);
  g_free (address->mailbox);
  g_free (address->host);
  g_free (address);
}

void
lb_imap_param_free (LbImapParam *param)
{
  if (param == NULL)
    return;
  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

void
lb_imap_envelope_free (LbImapEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->date);
  g_free (envelope->subject);
  g_clear_pointer (&envelope->from, g_ptr_array_unref);
  g_clear_pointer (&envelope->sender, g_ptr_array_unref);
  g_clear_pointer (&envelope->reply_to, g_ptr_array_unref);
  g_clear_pointer (&envelope->to, g_ptr_array_unref);
  g_clear_pointer (&envelope->cc, g_ptr_array_unref);
  g_clear_pointer (&envelope->bcc, g_ptr_array_unref);
  g_free (envelope->in_reply_to);
  g_free (envelope->message_id);
  g_free (envelope);
}

void
lb_imap_body_free (LbImapBody *body)
{
  if (body == NULL)
    return;
  g_free (body->type);
  g_free (body->subtype);
  g_clear_pointer (&body->params, g_ptr_array_unref);
  g_free (body->id);
  g_free (body->description);
  g_free (body->encoding);
  g_free (body->md5);
  g_free (body->disposition);
  g_clear_pointer (&body->disposition_params, g_ptr_array_unref);
  lb_imap_envelope_free (body->envelope);
  g_clear_pointer (&body->parts, g_ptr_array_unref);
  g_free (body);
}

void
lb_imap_body_section_free (LbImapBodySection *section)
{
  if (section == NULL)
    return;
  g_free (section->section);
  g_clear_pointer (&section->data, g_bytes_unref);
  g_free (section);
}

static void
clear_code (LbImapResponseCode *code)
{
  g_free (code->name);
  g_free (code->raw);
  g_strfreev (code->list);
  g_clear_pointer (&code->set, g_array_unref);
  g_clear_pointer (&code->dest_set, g_array_unref);
}

static void
clear_fetch (LbImapFetch *fetch)
{
  g_strfreev (fetch->keywords);
  lb_imap_envelope_free (fetch->envelope);
  lb_imap_body_free (fetch->bodystructure);
  g_strfreev (fetch->gm_labels);
  g_clear_pointer (&fetch->sections, g_ptr_array_unref);
}

void
lb_imap_response_unref (LbImapResponse *response)
{
  if (response == NULL)
    return;
  if (!g_atomic_int_dec_and_test (&response->ref_count))
    return;

  g_free (response->tag);
  clear_code (&response->code);
  g_free (response->text);
  g_free (response->name);

  switch (response->kind)
    {
    case LB_IMAP_RESPONSE_CAPABILITY:
    case LB_IMAP_RESPONSE_ENABLED:
    case LB_IMAP_RESPONSE_FLAGS:
      g_strfreev (response->u.list);
      break;
    case LB_IMAP_RESPONSE_ID:
      g_clear_pointer (&response->u.params, g_ptr_array_unref);
      break;
    case LB_IMAP_RESPONSE_FETCH:
      clear_fetch (&response->u.fetch);
      break;
    case LB_IMAP_RESPONSE_LIST:
      g_strfreev (response->u.list_data.attributes);
      g_free (response->u.list_data.name);
      break;
    case LB_IMAP_RESPONSE_MAILBOX_STATUS:
      g_free (response->u.mailbox_status.name);
      break;
    case LB_IMAP_RESPONSE_SEARCH:
      g_clear_pointer (&response->u.search.numbers, g_array_unref);
      break;
    case LB_IMAP_RESPONSE_ESEARCH:
      g_free (response->u.esearch.tag);
      g_clear_pointer (&response->u.esearch.all, g_array_unref);
      break;
    case LB_IMAP_RESPONSE_VANISHED:
      g_clear_pointer (&response->u.vanished.uids, g_array_unref);
      break;
    case LB_IMAP_RESPONSE_NAMESPACE:
      g_free (response->u.namespace_data.personal_prefix);
      break;
    case LB_IMAP_RESPONSE_STATUS:
    case LB_IMAP_RESPONSE_CONTINUATION:
    case LB_IMAP_RESPONSE_EXISTS:
    case LB_IMAP_RESPONSE_RECENT:
    case LB_IMAP_RESPONSE_EXPUNGE:
    case LB_IMAP_RESPONSE_UNKNOWN:
    default:
      break;
    }

  g_free (response);
}

gboolean
lb_imap_response_is_tagged (const LbImapResponse *response,
                            const char           *tag)
{
  g_return_val_if_fail (response != NULL, FALSE);
  g_return_val_if_fail (tag != NULL, FALSE);

  return response->kind == LB_IMAP_RESPONSE_STATUS
         && response->tag != NULL
         && strcmp (response->tag, tag) == 0;
}

const char *
lb_imap_status_to_string (LbImapStatus status)
{
  switch (status)
    {
    case LB_IMAP_STATUS_OK:
      return "OK";
    case LB_IMAP_STATUS_NO:
      return "NO";
    case LB_IMAP_STATUS_BAD:
      return "BAD";
    case LB_IMAP_STATUS_PREAUTH:
      return "PREAUTH";
    case LB_IMAP_STATUS_BYE:
      return "BYE";
    case LB_IMAP_STATUS_NONE:
    default:
      return "";
    }
}

const char *
lb_imap_params_lookup (const GPtrArray *params,
                       const char      *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  if (params == NULL)
    return NULL;
  for (guint i = 0; i < params->len; i++)
    {
      const LbImapParam *param = g_ptr_array_index ((GPtrArray *) params, i);

      if (param->name != NULL && g_ascii_strcasecmp (param->name, name) == 0)
        return param->value;
    }
  return NULL;
}

static const char *
lookup_filename (const GPtrArray *params,
                 const char      *base)
{
  static const char *const suffixes[] = { "", "*", "*0*", "*0" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *key = g_strconcat (base, suffixes[i], NULL);
      const char *value = lb_imap_params_lookup (params, key);

      if (value != NULL && *value != '\0')
        return value;
    }
  return NULL;
}

const char *
lb_imap_body_get_filename (const LbImapBody *body)
{
  const char *name;

  g_return_val_if_fail (body != NULL, NULL);

  name = lookup_filename (body->disposition_params, "filename");
  if (name == NULL)
    name = lookup_filename (body->params, "name");
  return name;
}

gboolean
lb_imap_body_is_attachment (const LbImapBody *body)
{
  g_return_val_if_fail (body != NULL, FALSE);

  if (body->disposition != NULL && g_ascii_strcasecmp (body->disposition, "attachment") == 0)
    return TRUE;
  if (lb_imap_body_get_filename (body) == NULL)
    return FALSE;
  /* A named text or image part shown inline (signatures, embedded pictures in
   * HTML mail) is not what people mean by "has attachments". */
  if (body->disposition != NULL && g_ascii_strcasecmp (body->disposition, "inline") == 0)
    return FALSE;
  return TRUE;
}

gboolean
lb_imap_body_has_attachments (const LbImapBody *body)
{
  if (body == NULL)
    return FALSE;

  if (body->type != NULL && g_ascii_strcasecmp (body->type, "multipart") == 0)
    {
      if (body->parts == NULL)
        return FALSE;
      for (guint i = 0; i < body->parts->len; i++)
        if (lb_imap_body_has_attachments (g_ptr_array_index (body->parts, i)))
          return TRUE;
      return FALSE;
    }

  /* An attached message counts as an attachment whatever its disposition. */
  if (body->type != NULL && g_ascii_strcasecmp (body->type, "message") == 0
      && body->subtype != NULL && g_ascii_strcasecmp (body->subtype, "rfc822") == 0)
    return TRUE;

  return lb_imap_body_is_attachment (body);
}

const LbImapBodySection *
lb_imap_fetch_get_section (const LbImapFetch *fetch,
                           const char        *section)
{
  g_return_val_if_fail (fetch != NULL, NULL);
  g_return_val_if_fail (section != NULL, NULL);

  if (fetch->sections == NULL)
    return NULL;
  for (guint i = 0; i < fetch->sections->len; i++)
    {
      const LbImapBodySection *s = g_ptr_array_index (fetch->sections, i);

      if (g_ascii_strcasecmp (s->section, section) == 0)
        return s;
    }
  return NULL;
}
