-- 014-search-words.sql: a word index in date order, a third of the size of the trigrams
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The trigram index of 004 matched "the" inside "other", was as large as the text
-- (76-93 %) and answered a common word only after sorting all of its hits by date.
-- message_fts is now:
--
-- - tokenized by lb_words (store/lb-store-words.c): words lowercased without accents,
--   every CJK character and every pair of joined CJK characters, so that a Chinese word
--   of one or two characters inside a longer run is one token;
-- - contentless: the text is stored once, in message_text, and the triggers below hand
--   the index the old values to delete (the values are those lb_store_index_pending()
--   indexed: the header fields carry the tag that also indexes them as from:, to:,
--   subject: tokens);
-- - keyed in date order: its rowid is a search key, the message's date (the next free
--   key on a clash), kept in search_keys.  "ORDER BY rowid
--   DESC LIMIT 50" then reads the newest hits of any word and stops, however many
--   messages hold it.
--
-- A message is indexed when it has a search key and queued (fts_pending) when not; the
-- whole index is rebuilt in the background from the queue, search checking queued text
-- itself meanwhile.
DROP TRIGGER message_text_ad;
DROP TRIGGER message_text_au;
DROP TABLE message_fts;

CREATE TABLE search_keys (
  key         INTEGER PRIMARY KEY,
  message_id  INTEGER NOT NULL UNIQUE
);

-- The indexed pairs of CJK characters, plain and tagged: a query for 会 alone becomes
-- ("会" OR "会议" OR "会计" ...), which FTS5 reads newest first, instead of FTS5's prefix
-- query "会"*, which merges every such pair's whole list first (lb-store-words.c).  A
-- long prefix of letters ("invoice") is not expanded from here but is the prefix token
-- of its first 4 letters and a check of the text: a vocabulary of every word cost a
-- fifth of the index and a quarter of its build.  Pairs are never removed: one no text
-- has any more costs an empty list.
CREATE TABLE search_words (
  word  TEXT PRIMARY KEY
) WITHOUT ROWID;

CREATE VIRTUAL TABLE message_fts USING fts5 (
  subject, sender, recipients, body,
  content = '',
  tokenize = 'lb_words',
  detail = none
);

CREATE TRIGGER message_text_ad AFTER DELETE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    SELECT 'delete', k.key, char (1) || 's' || ifnull (OLD.subject, ''),
           char (1) || 'f' || ifnull (OLD.sender, ''), char (1) || 't' || ifnull (OLD.recipients, ''),
           ifnull (OLD.body, '')
    FROM search_keys k WHERE k.message_id = OLD.message_id;
  DELETE FROM search_keys WHERE message_id = OLD.message_id;
  DELETE FROM fts_pending WHERE message_id = OLD.message_id;
END;

CREATE TRIGGER message_text_au AFTER UPDATE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    SELECT 'delete', k.key, char (1) || 's' || ifnull (OLD.subject, ''),
           char (1) || 'f' || ifnull (OLD.sender, ''), char (1) || 't' || ifnull (OLD.recipients, ''),
           ifnull (OLD.body, '')
    FROM search_keys k WHERE k.message_id = OLD.message_id;
  DELETE FROM search_keys WHERE message_id = OLD.message_id;
  INSERT OR IGNORE INTO fts_pending (message_id) VALUES (NEW.message_id);
END;

-- A new date is a new key: the text goes back to the queue (through message_text_au).
CREATE TRIGGER messages_date_search_key AFTER UPDATE OF date ON messages
  WHEN OLD.date <> NEW.date
BEGIN
  UPDATE message_text SET message_id = message_id WHERE message_id = NEW.id;
END;

INSERT OR IGNORE INTO fts_pending (message_id) SELECT message_id FROM message_text;
