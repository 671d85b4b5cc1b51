/* lb-folder-role.c: what a mailbox is for, from its attributes or its name
 *
 * Servers that send SPECIAL-USE (RFC 6154) or XLIST attributes say what each
 * folder is for.  QQ sends neither, and NetEase's folders are Chinese, so a
 * name table per provider and a table of common names back them up.  Callers
 * try lb_folder_role_from_attributes() first, then lb_folder_role_from_name().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "lb-folder-role.h"

typedef struct {
  const char   *name;
  LbFolderRole  role;
} NamedRole;

/* RFC 6154 attributes, plus Gmail's XLIST spellings (\AllMail, \Starred, \Spam,
 * \Inbox).  \Flagged and \Starred are virtual folders of flagged mail. */
static const NamedRole attribute_roles[] = {
  { "\\Inbox", LB_FOLDER_ROLE_INBOX },
  { "\\Sent", LB_FOLDER_ROLE_SENT },
  { "\\Drafts", LB_FOLDER_ROLE_DRAFTS },
  { "\\Trash", LB_FOLDER_ROLE_TRASH },
  { "\\Junk", LB_FOLDER_ROLE_JUNK },
  { "\\Spam", LB_FOLDER_ROLE_JUNK },
  { "\\Archive", LB_FOLDER_ROLE_ARCHIVE },
  { "\\All", LB_FOLDER_ROLE_ALL },
  { "\\AllMail", LB_FOLDER_ROLE_ALL },
  { "\\Flagged", LB_FOLDER_ROLE_FLAGGED },
  { "\\Starred", LB_FOLDER_ROLE_FLAGGED },
  { "\\Important", LB_FOLDER_ROLE_IMPORTANT },
};

/* Names many servers use, compared after Unicode case folding.  垃圾箱 is the
 * rubbish bin (trash), 垃圾邮件 is junk mail.  The inbox is not here: only the
 * mailbox named INBOX is the inbox, whatever else a folder is called. */
static const NamedRole common_roles[] = {
  { "sent", LB_FOLDER_ROLE_SENT },
  { "sent items", LB_FOLDER_ROLE_SENT },
  { "sent mail", LB_FOLDER_ROLE_SENT },
  { "sent messages", LB_FOLDER_ROLE_SENT },
  { "sent-mail", LB_FOLDER_ROLE_SENT },
  { "已发送", LB_FOLDER_ROLE_SENT },
  { "已发送邮件", LB_FOLDER_ROLE_SENT },
  { "已发邮件", LB_FOLDER_ROLE_SENT },
  { "寄件備份", LB_FOLDER_ROLE_SENT },
  { "drafts", LB_FOLDER_ROLE_DRAFTS },
  { "draft", LB_FOLDER_ROLE_DRAFTS },
  { "草稿", LB_FOLDER_ROLE_DRAFTS },
  { "草稿箱", LB_FOLDER_ROLE_DRAFTS },
  { "草稿夹", LB_FOLDER_ROLE_DRAFTS },
  { "trash", LB_FOLDER_ROLE_TRASH },
  { "deleted items", LB_FOLDER_ROLE_TRASH },
  { "deleted messages", LB_FOLDER_ROLE_TRASH },
  { "deleted", LB_FOLDER_ROLE_TRASH },
  { "bin", LB_FOLDER_ROLE_TRASH },
  { "已删除", LB_FOLDER_ROLE_TRASH },
  { "已删除邮件", LB_FOLDER_ROLE_TRASH },
  { "垃圾箱", LB_FOLDER_ROLE_TRASH },
  { "废纸篓", LB_FOLDER_ROLE_TRASH },
  { "junk", LB_FOLDER_ROLE_JUNK },
  { "junk e-mail", LB_FOLDER_ROLE_JUNK },
  { "junk email", LB_FOLDER_ROLE_JUNK },
  { "junk mail", LB_FOLDER_ROLE_JUNK },
  { "spam", LB_FOLDER_ROLE_JUNK },
  { "bulk mail", LB_FOLDER_ROLE_JUNK },
  { "bulk", LB_FOLDER_ROLE_JUNK },
  { "垃圾邮件", LB_FOLDER_ROLE_JUNK },
  { "archive", LB_FOLDER_ROLE_ARCHIVE },
  { "archives", LB_FOLDER_ROLE_ARCHIVE },
  { "归档", LB_FOLDER_ROLE_ARCHIVE },
  { "存档", LB_FOLDER_ROLE_ARCHIVE },
};

/**
 * lb_folder_role_from_attributes:
 * @attributes: (array zero-terminated=1) (nullable): LIST attributes such
 *   as "\\HasNoChildren" and "\\Sent", any case
 *
 * Returns: the role the attributes give, or %LB_FOLDER_ROLE_NONE
 */
LbFolderRole
lb_folder_role_from_attributes (const char * const *attributes)
{
  if (attributes == NULL)
    return LB_FOLDER_ROLE_NONE;

  for (guint i = 0; attributes[i] != NULL; i++)
    {
      for (guint r = 0; r < G_N_ELEMENTS (attribute_roles); r++)
        {
          if (g_ascii_strcasecmp (attributes[i], attribute_roles[r].name) == 0)
            return attribute_roles[r].role;
        }
    }
  return LB_FOLDER_ROLE_NONE;
}

static LbFolderRole
common_role (const char *name)
{
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint r = 0; r < G_N_ELEMENTS (common_roles); r++)
    {
      if (g_str_equal (folded, common_roles[r].name))
        return common_roles[r].role;
    }
  return LB_FOLDER_ROLE_NONE;
}

/**
 * lb_folder_role_from_name:
 * @provider: (nullable): the account's provider, if known
 * @decoded_name: (nullable): the full folder name, decoded from modified UTF-7
 * @raw_name: (nullable): the name as the server sent it
 *
 * Guesses a role from the name: the provider's own names first (QQ's
 * "Sent Messages", NetEase's 已发送, Gmail's localised "[Gmail]/…"), then
 * common English and Chinese names at the top level or directly below INBOX
 * ("INBOX.Sent" on Courier-style servers).  Only "INBOX" itself, in any
 * case, is the inbox.  Names the provider lists as plain folders (NetEase
 * 病毒文件夹, 广告邮件 …) get no role.
 *
 * Returns: the role, or %LB_FOLDER_ROLE_NONE
 */
LbFolderRole
lb_folder_role_from_name (const LbProvider *provider,
                          const char       *decoded_name,
                          const char       *raw_name)
{
  LbFolderRole role = LB_FOLDER_ROLE_NONE;
  const char *name = decoded_name;

  if (raw_name != NULL && g_ascii_strcasecmp (raw_name, "INBOX") == 0)
    return LB_FOLDER_ROLE_INBOX;
  if (name != NULL && g_ascii_strcasecmp (name, "INBOX") == 0)
    return LB_FOLDER_ROLE_INBOX;

  if (provider != NULL && lb_provider_lookup_folder_role (provider, decoded_name, raw_name, &role))
    return role;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return LB_FOLDER_ROLE_NONE;

  role = common_role (name);
  if (role != LB_FOLDER_ROLE_NONE)
    return role;

  /* "INBOX.Sent" or "INBOX/Sent": the separator is not known here, and both
   * are common.  Deeper levels are user folders. */
  if (g_ascii_strncasecmp (name, "INBOX", 5) == 0 && (name[5] == '.' || name[5] == '/')
      && strchr (name + 6, name[5]) == NULL && name[6] != '\0')
    return common_role (name + 6);
  return LB_FOLDER_ROLE_NONE;
}
