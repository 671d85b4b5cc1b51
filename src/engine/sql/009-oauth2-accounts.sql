-- 009-oauth2-accounts.sql: accounts that sign in with OAuth2
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- auth is the LbAuthKind of the account's logins: 0 a password, 1 an OAuth2 access token.
-- oauth2_provider names the authorization server (providers.ini's [oauth2:ID]) whose
-- refresh token the keyring holds; the tokens themselves are never stored here.
-- needs_sign_in is set when that server refused the refresh token (invalid_grant), so
-- that every process (the app, the CLI) shows it until the user signs in again.
ALTER TABLE accounts ADD COLUMN auth INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN oauth2_provider TEXT;
ALTER TABLE accounts ADD COLUMN needs_sign_in INTEGER NOT NULL DEFAULT 0;
