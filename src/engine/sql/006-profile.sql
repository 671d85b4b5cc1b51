-- 006-profile.sql: an identity for this profile
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Account ids start at 1 in every store, so two profiles (letterbox-cli --data-dir, or
-- the Flatpak beside a native install) share them, and their keyring items collided.
-- Secrets are keyed by this random id as well (src/engine/secrets/).  It is made once,
-- here, and never changes: a copied or restored store is the same profile.
CREATE TABLE meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('profile_id', lower (hex (randomblob (16))));
