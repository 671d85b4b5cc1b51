-- 010-identities.sql: signatures and additional addresses (aliases)
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- signature is the plain-text signature of the account's own address.  identities holds
-- the other addresses the account sends as, in the order the user listed them, each with
-- its own name and signature; they go with the account.
ALTER TABLE accounts ADD COLUMN signature TEXT;

CREATE TABLE identities (
  id           INTEGER PRIMARY KEY,
  account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  email        TEXT NOT NULL,
  display_name TEXT,
  signature    TEXT,
  UNIQUE (account_id, email)
);
