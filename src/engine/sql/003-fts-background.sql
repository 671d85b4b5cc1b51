-- 003-fts-background.sql: build the search index in the background
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Indexing every row as sync inserts it made the trigram index the largest cost of a first
-- sync (57% of insert time for 15,000 messages).  New and changed text is now only queued
-- in fts_pending; the account's worker indexes the queue in batches after sync
-- (lb_store_index_pending), and search treats queued rows as candidates, so results are
-- complete before the index is.  A row is either indexed or pending, never both.
CREATE TABLE fts_pending (
  message_id  INTEGER PRIMARY KEY
);

DROP TRIGGER message_text_ai;
DROP TRIGGER message_text_ad;
DROP TRIGGER message_text_au;

CREATE TRIGGER message_text_ai AFTER INSERT ON message_text
BEGIN
  INSERT OR IGNORE INTO fts_pending (message_id) VALUES (NEW.message_id);
END;

-- External-content FTS5 must be told the old values of an indexed row to remove it.
CREATE TRIGGER message_text_ad AFTER DELETE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    SELECT 'delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE message_id = OLD.message_id);
  DELETE FROM fts_pending WHERE message_id = OLD.message_id;
END;

CREATE TRIGGER message_text_au AFTER UPDATE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    SELECT 'delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE message_id = OLD.message_id);
  INSERT OR IGNORE INTO fts_pending (message_id) VALUES (NEW.message_id);
END;
