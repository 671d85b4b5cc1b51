-- 011-goa-accounts.sql: accounts whose sign-in GNOME Online Accounts keeps
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- An account with auth 2 (LB_AUTH_GOA) takes its OAuth2 access tokens from the
-- Online Accounts account whose Id is goa_id; Letterbox's keyring holds nothing for it.
-- needs_sign_in then means that Online Accounts refused (NOT_AUTHORIZED) or no longer
-- has the account: the fix is in Settings, Online Accounts.
ALTER TABLE accounts ADD COLUMN goa_id TEXT;
