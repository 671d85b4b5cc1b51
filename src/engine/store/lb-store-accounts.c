/* lb-store-accounts.c: accounts and folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "Letterbox-Store"

#include "config.h"

#include "lb-error.h"
#include "lb-store-private.h"

/* ---- Row structs ------------------------------------------------------ */

LbStoreAccount *
lb_store_account_new (void)
{
  return g_new0 (LbStoreAccount, 1);
}

/**
 * lb_store_account_copy:
 * @account: an account
 *
 * Returns: (transfer full): a deep copy of @account
 */
LbStoreAccount *
lb_store_account_copy (const LbStoreAccount *account)
{
  LbStoreAccount *copy = g_memdup2 (account, sizeof *account);

  copy->email = g_strdup (account->email);
  copy->display_name = g_strdup (account->display_name);
  copy->imap_host = g_strdup (account->imap_host);
  copy->smtp_host = g_strdup (account->smtp_host);
  copy->username = g_strdup (account->username);
  copy->provider_id = g_strdup (account->provider_id);
  copy->ca_file = g_strdup (account->ca_file);
  copy->proxy = g_strdup (account->proxy);
  copy->color = g_strdup (account->color);
  copy->oauth2_provider = g_strdup (account->oauth2_provider);
  copy->signature = g_strdup (account->signature);
  copy->aliases = lb_identity_array_copy (account->aliases);
  copy->goa_id = g_strdup (account->goa_id);
  return copy;
}

void
lb_store_account_free (LbStoreAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->email);
  g_free (account->display_name);
  g_free (account->imap_host);
  g_free (account->smtp_host);
  g_free (account->username);
  g_free (account->provider_id);
  g_free (account->ca_file);
  g_free (account->proxy);
  g_free (account->color);
  g_free (account->oauth2_provider);
  g_free (account->signature);
  g_clear_pointer (&account->aliases, g_ptr_array_unref);
  g_free (account->goa_id);
  g_free (account);
}

LbStoreFolder *
lb_store_folder_new (void)
{
  LbStoreFolder *folder = g_new0 (LbStoreFolder, 1);

  folder->subscribed = TRUE;
  folder->selectable = TRUE;
  return folder;
}

void
lb_store_folder_free (LbStoreFolder *folder)
{
  if (folder == NULL)
    return;
  g_free (folder->raw_name);
  g_free (folder->display_name);
  g_free (folder->delimiter);
  g_free (folder->attributes);
  g_free (folder->last_error);
  g_free (folder);
}

gboolean
lb_store_not_found (GError     **error,
                    const char  *what,
                    gint64       id)
{
  g_set_error (error, LB_ERROR, LB_ERROR_NOT_FOUND,
               "No %s with id %" G_GINT64_FORMAT " in the store", what, id);
  return FALSE;
}

/* ---- Accounts --------------------------------------------------------- */

#define ACCOUNT_COLUMNS \
  "id, email, display_name, imap_host, imap_port, imap_security, smtp_host, smtp_port, " \
  "smtp_security, username, provider_id, ca_file, proxy, color, created, auth, oauth2_provider, " \
  "needs_sign_in, signature, goa_id, offline_days, offline_max_mb"

static LbStoreAccount *
account_from_row (LbStmt *stmt)
{
  LbStoreAccount *a = lb_store_account_new ();

  a->id = sqlite3_column_int64 (stmt, 0);
  a->email = lb_stmt_dup_text (stmt, 1);
  a->display_name = lb_stmt_dup_text (stmt, 2);
  a->imap_host = lb_stmt_dup_text (stmt, 3);
  a->imap_port = (guint16) sqlite3_column_int (stmt, 4);
  a->imap_security = sqlite3_column_int (stmt, 5);
  a->smtp_host = lb_stmt_dup_text (stmt, 6);
  a->smtp_port = (guint16) sqlite3_column_int (stmt, 7);
  a->smtp_security = sqlite3_column_int (stmt, 8);
  a->username = lb_stmt_dup_text (stmt, 9);
  a->provider_id = lb_stmt_dup_text (stmt, 10);
  a->ca_file = lb_stmt_dup_text (stmt, 11);
  a->proxy = lb_stmt_dup_text (stmt, 12);
  a->color = lb_stmt_dup_text (stmt, 13);
  a->created = sqlite3_column_int64 (stmt, 14);
  a->auth = sqlite3_column_int (stmt, 15);
  a->oauth2_provider = lb_stmt_dup_text (stmt, 16);
  a->needs_sign_in = sqlite3_column_int (stmt, 17) != 0;
  a->signature = lb_stmt_dup_text (stmt, 18);
  a->goa_id = lb_stmt_dup_text (stmt, 19);
  a->offline_days = sqlite3_column_int (stmt, 20);
  a->offline_max_mb = (guint) sqlite3_column_int (stmt, 21);
  return a;
}

/* Binds the settings columns 1..13 and 15..21 shared by INSERT and UPDATE. */
static void
bind_account (LbStmt               *stmt,
              const LbStoreAccount *a)
{
  lb_stmt_bind_text (stmt, 1, a->email);
  lb_stmt_bind_text (stmt, 2, a->display_name);
  lb_stmt_bind_text (stmt, 3, a->imap_host);
  sqlite3_bind_int (stmt, 4, a->imap_port);
  sqlite3_bind_int (stmt, 5, a->imap_security);
  lb_stmt_bind_text (stmt, 6, a->smtp_host);
  sqlite3_bind_int (stmt, 7, a->smtp_port);
  sqlite3_bind_int (stmt, 8, a->smtp_security);
  lb_stmt_bind_text (stmt, 9, a->username != NULL ? a->username : a->email);
  lb_stmt_bind_text (stmt, 10, a->provider_id);
  lb_stmt_bind_text (stmt, 11, a->ca_file);
  lb_stmt_bind_text (stmt, 12, a->proxy);
  lb_stmt_bind_text (stmt, 13, a->color);
  sqlite3_bind_int (stmt, 15, a->auth);
  lb_stmt_bind_text (stmt, 16, a->oauth2_provider);
  sqlite3_bind_int (stmt, 17, a->needs_sign_in ? 1 : 0);
  lb_stmt_bind_text (stmt, 18, a->signature != NULL && a->signature[0] != '\0' ? a->signature
                                                                               : NULL);
  lb_stmt_bind_text (stmt, 19, a->goa_id);
  sqlite3_bind_int (stmt, 20, a->offline_days);
  sqlite3_bind_int (stmt, 21, (int) a->offline_max_mb);
}

/* Replaces the account's additional addresses with @aliases (%NULL: none), in order. */
static gboolean
write_aliases (LbStore    *self,
               gint64      account_id,
               GPtrArray  *aliases,
               GError    **error)
{
  g_autoptr(LbStmt) stmt = NULL;

  if (!lb_store_run (self, "clear aliases", NULL, error,
                     "DELETE FROM identities WHERE account_id = ?1", "l", account_id))
    return FALSE;
  if (aliases == NULL || aliases->len == 0)
    return TRUE;
  stmt = lb_store_prepare (self,
                           "INSERT OR REPLACE INTO identities (account_id, position, email, "
                           "display_name, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
                           error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < aliases->len; i++)
    {
      const LbIdentity *alias = g_ptr_array_index (aliases, i);
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, account_id);
      sqlite3_bind_int (stmt, 2, (int) i);
      lb_stmt_bind_text (stmt, 3, alias->email);
      lb_stmt_bind_text (stmt, 4, alias->display_name);
      lb_stmt_bind_text (stmt, 5, alias->signature);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          lb_store_set_error (self, rc, error, "add alias");
          return FALSE;
        }
    }
  return TRUE;
}

/* Fills @a's additional addresses from the store. */
static gboolean
read_aliases (LbStore         *self,
              LbStoreAccount  *a,
              GError         **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_clear_pointer (&a->aliases, g_ptr_array_unref);
  a->aliases = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_identity_free);
  stmt = lb_store_prepare (self,
                           "SELECT email, display_name, signature FROM identities "
                           "WHERE account_id = ?1 ORDER BY position, id",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (a->aliases,
                     lb_identity_new ((const char *) sqlite3_column_text (stmt, 0),
                                      (const char *) sqlite3_column_text (stmt, 1),
                                      (const char *) sqlite3_column_text (stmt, 2)));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list aliases");
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_account_row (LbStore         *self,
                 LbStoreAccount  *account,
                 GError         **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self,
                           "INSERT INTO accounts (email, display_name, imap_host, imap_port, "
                           "imap_security, smtp_host, smtp_port, smtp_security, username, "
                           "provider_id, ca_file, proxy, color, created, auth, oauth2_provider, "
                           "needs_sign_in, signature, goa_id, offline_days, offline_max_mb) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                           "?15, ?16, ?17, ?18, ?19, ?20, ?21)",
                           error);
  if (stmt == NULL)
    return FALSE;

  if (account->created == 0)
    account->created = g_get_real_time () / G_USEC_PER_SEC;
  bind_account (stmt, account);
  sqlite3_bind_int64 (stmt, 14, account->created);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "add account");
      return FALSE;
    }
  account->id = sqlite3_last_insert_rowid (lb_store_get_db (self));
  return write_aliases (self, account->id, account->aliases, error);
}

/**
 * lb_store_add_account:
 * @self: a read-write store
 * @account: the settings; its id and created time are set on success
 * @error: return location for an error
 *
 * Adds the account and its additional addresses in one transaction.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_add_account (LbStore         *self,
                      LbStoreAccount  *account,
                      GError         **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL && account->email != NULL, FALSE);
  g_return_val_if_fail (account->imap_host != NULL, FALSE);

  if (!lb_store_check_writable (self, error) || !lb_store_begin (self, error))
    return FALSE;
  if (!add_account_row (self, account, error))
    {
      lb_store_rollback (self);
      return FALSE;
    }
  return lb_store_commit (self, error);
}

static gboolean
update_account_row (LbStore               *self,
                    const LbStoreAccount  *account,
                    GError               **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self,
                           "UPDATE accounts SET email = ?1, display_name = ?2, imap_host = ?3, "
                           "imap_port = ?4, imap_security = ?5, smtp_host = ?6, smtp_port = ?7, "
                           "smtp_security = ?8, username = ?9, provider_id = ?10, ca_file = ?11, "
                           "proxy = ?12, color = ?13, auth = ?15, oauth2_provider = ?16, "
                           "needs_sign_in = ?17, signature = ?18, goa_id = ?19, "
                           "offline_days = ?20, offline_max_mb = ?21 WHERE id = ?14",
                           error);
  if (stmt == NULL)
    return FALSE;

  bind_account (stmt, account);
  sqlite3_bind_int64 (stmt, 14, account->id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "update account");
      return FALSE;
    }
  if (sqlite3_changes (lb_store_get_db (self)) == 0)
    return lb_store_not_found (error, "account", account->id);
  return write_aliases (self, account->id, account->aliases, error);
}

/**
 * lb_store_update_account:
 * @self: a read-write store
 * @account: the settings, with the id of an existing account
 * @error: return location for an error
 *
 * Replaces the account's settings and its additional addresses, in one transaction.
 * Fails with %LB_ERROR_NOT_FOUND when no account has that id.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_update_account (LbStore               *self,
                         const LbStoreAccount  *account,
                         GError               **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);
  g_return_val_if_fail (account != NULL && account->email != NULL, FALSE);
  g_return_val_if_fail (account->imap_host != NULL, FALSE);

  if (!lb_store_check_writable (self, error) || !lb_store_begin (self, error))
    return FALSE;
  if (!update_account_row (self, account, error))
    {
      lb_store_rollback (self);
      return FALSE;
    }
  return lb_store_commit (self, error);
}

/**
 * lb_store_set_needs_sign_in:
 * @self: a read-write store
 * @needs_sign_in: %TRUE when the account's OAuth2 grant was refused
 *
 * Records whether the account must be signed in again, for every process to see.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_set_needs_sign_in (LbStore  *self,
                            gint64    account_id,
                            gboolean  needs_sign_in,
                            GError  **error)
{
  guint changes = 0;

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "mark account for sign-in", &changes, error,
                     "UPDATE accounts SET needs_sign_in = ?1 WHERE id = ?2", "il",
                     needs_sign_in ? 1 : 0, account_id))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "account", account_id);
}

/**
 * lb_store_get_account:
 *
 * Returns: (transfer full): the account, or %NULL with %LB_ERROR_NOT_FOUND
 */
LbStoreAccount *
lb_store_get_account (LbStore  *self,
                      gint64    account_id,
                      GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autoptr(LbStoreAccount) a = account_from_row (stmt);

      g_clear_pointer (&stmt, lb_stmt_release);
      return read_aliases (self, a, error) ? g_steal_pointer (&a) : NULL;
    }
  if (rc == SQLITE_DONE)
    lb_store_not_found (error, "account", account_id);
  else
    lb_store_set_error (self, rc, error, "get account");
  return NULL;
}

/**
 * lb_store_list_accounts:
 *
 * Returns: (transfer full) (element-type LbStoreAccount): every account, in
 *   the order they were added
 */
GPtrArray *
lb_store_list_accounts (LbStore  *self,
                        GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT " ACCOUNT_COLUMNS " FROM accounts ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_account_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, account_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list accounts");
      return NULL;
    }
  g_clear_pointer (&stmt, lb_stmt_release);
  for (guint i = 0; i < list->len; i++)
    if (!read_aliases (self, g_ptr_array_index (list, i), error))
      return NULL;
  return g_steal_pointer (&list);
}

/**
 * lb_store_remove_account:
 *
 * Removes the account with everything stored for it: folders, messages,
 * bodies, search text, pending operations and outbox.
 *
 * Returns: %TRUE on success; %LB_ERROR_NOT_FOUND if there was no such account
 */
gboolean
lb_store_remove_account (LbStore  *self,
                         gint64    account_id,
                         GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  /* The foreign keys cascade: accounts -> folders -> locations, and
   * accounts -> messages -> bodies, message_text (and its FTS index). */
  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "remove account", &changes, error,
                     "DELETE FROM accounts WHERE id = ?1", "l", account_id))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "account", account_id);
}

/* ---- Folders ---------------------------------------------------------- */

#define FOLDER_COLUMNS \
  "id, account_id, raw_name, display_name, delimiter, role, attributes, subscribed, " \
  "selectable, uidvalidity, uidnext, highestmodseq, total_count, unread_count, last_sync, " \
  "last_error"

static LbStoreFolder *
folder_from_row (LbStmt *stmt)
{
  LbStoreFolder *f = lb_store_folder_new ();

  f->id = sqlite3_column_int64 (stmt, 0);
  f->account_id = sqlite3_column_int64 (stmt, 1);
  f->raw_name = lb_stmt_dup_text (stmt, 2);
  f->display_name = lb_stmt_dup_text (stmt, 3);
  f->delimiter = lb_stmt_dup_text (stmt, 4);
  f->role = sqlite3_column_int (stmt, 5);
  f->attributes = lb_stmt_dup_text (stmt, 6);
  f->subscribed = sqlite3_column_int (stmt, 7) != 0;
  f->selectable = sqlite3_column_int (stmt, 8) != 0;
  f->uidvalidity = (guint32) sqlite3_column_int64 (stmt, 9);
  f->uidnext = (guint32) sqlite3_column_int64 (stmt, 10);
  f->highestmodseq = (guint64) sqlite3_column_int64 (stmt, 11);
  f->total_count = (guint) sqlite3_column_int64 (stmt, 12);
  f->unread_count = (guint) sqlite3_column_int64 (stmt, 13);
  f->last_sync = sqlite3_column_int64 (stmt, 14);
  f->last_error = lb_stmt_dup_text (stmt, 15);
  return f;
}

/**
 * lb_store_upsert_folder:
 * @self: a read-write store
 * @folder: the folder as listed; @account_id and @raw_name identify it
 * @error: return location for an error
 *
 * Adds the folder, or updates the LIST data (display name, delimiter, role,
 * attributes, subscribed, selectable) of the folder with the same account
 * and raw name.  The sync state and counts are left alone: they change only
 * through lb_store_set_folder_sync_state() and lb_store_set_folder_counts().
 *
 * Returns: the folder id, or 0 on error
 */
gint64
lb_store_upsert_folder (LbStore              *self,
                        const LbStoreFolder  *folder,
                        GError              **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), 0);
  g_return_val_if_fail (folder != NULL && folder->raw_name != NULL, 0);

  if (!lb_store_check_writable (self, error))
    return 0;
  stmt = lb_store_prepare (self,
                           "INSERT INTO folders (account_id, raw_name, display_name, delimiter, "
                           "role, attributes, subscribed, selectable) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                           "ON CONFLICT (account_id, raw_name) DO UPDATE SET "
                           "display_name = excluded.display_name, delimiter = excluded.delimiter, "
                           "role = excluded.role, attributes = excluded.attributes, "
                           "subscribed = excluded.subscribed, selectable = excluded.selectable "
                           "RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_int64 (stmt, 1, folder->account_id);
  lb_stmt_bind_text (stmt, 2, folder->raw_name);
  lb_stmt_bind_text (stmt, 3, folder->display_name != NULL ? folder->display_name
                                                            : folder->raw_name);
  lb_stmt_bind_text (stmt, 4, folder->delimiter);
  sqlite3_bind_int (stmt, 5, folder->role);
  lb_stmt_bind_text (stmt, 6, folder->attributes);
  sqlite3_bind_int (stmt, 7, folder->subscribed ? 1 : 0);
  sqlite3_bind_int (stmt, 8, folder->selectable ? 1 : 0);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sqlite3_column_int64 (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "upsert folder");
      return 0;
    }
  return id;
}

/**
 * lb_store_get_folder:
 *
 * Returns: (transfer full): the folder, or %NULL with %LB_ERROR_NOT_FOUND
 */
LbStoreFolder *
lb_store_get_folder (LbStore  *self,
                     gint64    folder_id,
                     GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self, "SELECT " FOLDER_COLUMNS " FROM folders WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return folder_from_row (stmt);
  if (rc == SQLITE_DONE)
    lb_store_not_found (error, "folder", folder_id);
  else
    lb_store_set_error (self, rc, error, "get folder");
  return NULL;
}

/**
 * lb_store_list_folders:
 *
 * Returns: (transfer full) (element-type LbStoreFolder): the account's
 *   folders, special folders first in #LbFolderRole order, then the others
 *   by raw name (which sorts children after their parents)
 */
GPtrArray *
lb_store_list_folders (LbStore  *self,
                       gint64    account_id,
                       GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), NULL);

  stmt = lb_store_prepare (self,
                           "SELECT " FOLDER_COLUMNS " FROM folders WHERE account_id = ?1 "
                           "ORDER BY role = 0, role, raw_name",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, account_id);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) lb_store_folder_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, folder_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "list folders");
      return NULL;
    }
  return g_steal_pointer (&list);
}

/**
 * lb_store_set_folder_sync_state:
 *
 * Records the folder's UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ after a sync,
 * and stamps the sync time.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_set_folder_sync_state (LbStore  *self,
                                gint64    folder_id,
                                guint32   uidvalidity,
                                guint32   uidnext,
                                guint64   highestmodseq,
                                GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "set folder sync state", &changes, error,
                     "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, "
                     "last_sync = ?5 WHERE id = ?1",
                     "luull", folder_id, (guint) uidvalidity, (guint) uidnext,
                     (gint64) highestmodseq, (gint64) (g_get_real_time () / G_USEC_PER_SEC)))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "folder", folder_id);
}

/**
 * lb_store_set_folder_error:
 * @text: (nullable): why the folder's last sync failed, fit for display; %NULL
 *   once a sync succeeded
 *
 * Records a folder's own sync failure, so that it can be shown on the folder while
 * the rest of the account syncs.  Writes nothing when the text is unchanged.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_set_folder_error (LbStore     *self,
                           gint64       folder_id,
                           const char  *text,
                           GError     **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error))
    return FALSE;
  stmt = lb_store_prepare (self,
                           "UPDATE folders SET last_error = ?2 "
                           "WHERE id = ?1 AND last_error IS NOT ?2",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  lb_stmt_bind_text (stmt, 2, text);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "set folder error");
      return FALSE;
    }
  return TRUE;
}

/**
 * lb_store_set_folder_counts:
 *
 * Records the server's message and unread counts (from STATUS or SELECT).
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_set_folder_counts (LbStore  *self,
                            gint64    folder_id,
                            guint     total,
                            guint     unread,
                            GError  **error)
{
  guint changes;

  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  if (!lb_store_check_writable (self, error) ||
      !lb_store_run (self, "set folder counts", &changes, error,
                     "UPDATE folders SET total_count = ?2, unread_count = ?3 WHERE id = ?1",
                     "luu", folder_id, total, unread))
    return FALSE;
  return changes > 0 || lb_store_not_found (error, "folder", folder_id);
}

/* Deletes the messages of the folder's account that no location holds any
 * more.  Scans the account's messages through the locations_message index:
 * fine for the rare folder-wide operations that call it. */
static gboolean
gc_account_messages (LbStore  *self,
                     gint64    account_id,
                     GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self,
                           "DELETE FROM messages WHERE account_id = ?1 AND NOT EXISTS "
                           "(SELECT 1 FROM locations WHERE locations.message_id = messages.id)",
                           error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, account_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, "collect messages");
      return FALSE;
    }
  return TRUE;
}

gboolean
lb_store_lookup_folder (LbStore   *self,
                        gint64     folder_id,
                        gint64    *out_account_id,
                        gboolean  *out_is_inbox,
                        GError   **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  int rc;

  stmt = lb_store_prepare (self, "SELECT account_id, role FROM folders WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_account_id != NULL)
        *out_account_id = sqlite3_column_int64 (stmt, 0);
      if (out_is_inbox != NULL)
        *out_is_inbox = sqlite3_column_int (stmt, 1) == LB_FOLDER_ROLE_INBOX;
      return TRUE;
    }
  if (rc == SQLITE_DONE)
    lb_store_not_found (error, "folder", folder_id);
  else
    lb_store_set_error (self, rc, error, "get folder");
  return FALSE;
}

static gboolean
remove_or_clear_folder (LbStore  *self,
                        gint64    folder_id,
                        gboolean  remove,
                        GError  **error)
{
  g_autoptr(LbStmt) stmt = NULL;
  gint64 account_id;
  int rc;

  if (!lb_store_check_writable (self, error))
    return FALSE;
  if (!lb_store_begin (self, error))
    return FALSE;

  if (!lb_store_lookup_folder (self, folder_id, &account_id, NULL, error))
    goto fail;

  if (remove)
    {
      stmt = lb_store_prepare (self, "DELETE FROM folders WHERE id = ?1", error);
    }
  else
    {
      /* The old UIDs mean nothing under a new UIDVALIDITY: drop them and the
       * sync state that referred to them. */
      g_autoptr(LbStmt) reset = lb_store_prepare (self,
                                                  "UPDATE folders SET uidnext = 0, "
                                                  "highestmodseq = 0 WHERE id = ?1",
                                                  error);
      if (reset == NULL)
        goto fail;
      sqlite3_bind_int64 (reset, 1, folder_id);
      rc = sqlite3_step (reset);
      if (rc != SQLITE_DONE)
        {
          lb_store_set_error (self, rc, error, "clear folder");
          goto fail;
        }
      stmt = lb_store_prepare (self, "DELETE FROM locations WHERE folder_id = ?1", error);
    }
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      lb_store_set_error (self, rc, error, remove ? "remove folder" : "clear folder");
      goto fail;
    }

  if (!gc_account_messages (self, account_id, error))
    goto fail;
  return lb_store_commit (self, error);

fail:
  lb_store_rollback (self);
  return FALSE;
}

/**
 * lb_store_remove_folder:
 *
 * Removes the folder, its locations, its pending operations, and the
 * messages no other folder holds.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_remove_folder (LbStore  *self,
                        gint64    folder_id,
                        GError  **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  return remove_or_clear_folder (self, folder_id, TRUE, error);
}

/**
 * lb_store_clear_folder:
 *
 * Empties the folder after a UIDVALIDITY change: removes its locations (and
 * the messages no other folder holds) and resets UIDNEXT and HIGHESTMODSEQ.
 * The caller then records the new UIDVALIDITY and refetches.
 *
 * Returns: %TRUE on success
 */
gboolean
lb_store_clear_folder (LbStore  *self,
                       gint64    folder_id,
                       GError  **error)
{
  g_return_val_if_fail (LB_IS_STORE (self), FALSE);

  return remove_or_clear_folder (self, folder_id, FALSE, error);
}
