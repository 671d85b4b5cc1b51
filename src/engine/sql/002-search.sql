-- 002-search.sql: a trigram full-text index over message_text
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- External content: the text lives once, in message_text; the triggers keep
-- the index in step.  detail=none keeps the index about a third of the text
-- (measured in TESTING.md) and still lets LIKE '%abc%' (3 characters or more)
-- use the index.  SQLite 3.40 returns no rows for a LIKE of fewer than three
-- multibyte characters on a trigram table, so short queries must scan
-- message_text itself.
CREATE VIRTUAL TABLE message_fts USING fts5 (
  subject, sender, recipients, body,
  content = 'message_text',
  content_rowid = 'message_id',
  tokenize = 'trigram',
  detail = none
);

CREATE TRIGGER message_text_ai AFTER INSERT ON message_text
BEGIN
  INSERT INTO message_fts (rowid, subject, sender, recipients, body)
    VALUES (NEW.message_id, NEW.subject, NEW.sender, NEW.recipients, NEW.body);
END;

CREATE TRIGGER message_text_ad AFTER DELETE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    VALUES ('delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body);
END;

CREATE TRIGGER message_text_au AFTER UPDATE ON message_text
BEGIN
  INSERT INTO message_fts (message_fts, rowid, subject, sender, recipients, body)
    VALUES ('delete', OLD.message_id, OLD.subject, OLD.sender, OLD.recipients, OLD.body);
  INSERT INTO message_fts (rowid, subject, sender, recipients, body)
    VALUES (NEW.message_id, NEW.subject, NEW.sender, NEW.recipients, NEW.body);
END;
