-- 013-offline.sql: what an account keeps on this computer, and compressed bodies
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- offline_days: 0 keeps every body (the default), N > 0 the bodies of the last N days,
-- -1 headers only.  offline_max_mb: messages larger than this many megabytes keep only
-- their headers until opened (0: no limit).  The worker downloads what is missing under
-- these settings in the background (lb-imap-sync-bodies.c).
ALTER TABLE accounts ADD COLUMN offline_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN offline_max_mb INTEGER NOT NULL DEFAULT 0;

-- encoding: 0 raw bytes (every row written before this migration), 1 a zstd frame of
-- them.  Old rows stay readable as they are: nothing is rewritten.
ALTER TABLE bodies ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;


-- text_done: 0 while the body's text, preview and attachment flag are still to be derived.
-- The background download stores bodies at the speed of the wire and leaves that to a job
-- of its own (lb-account-worker.c); every row written before this migration has its text.
ALTER TABLE bodies ADD COLUMN text_done INTEGER NOT NULL DEFAULT 1;
CREATE INDEX bodies_text_pending ON bodies (message_id) WHERE text_done = 0;
