-- 018-folder-counts.sql: each folder's message and unread counts, kept by triggers
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The sidebar, the message lists and the sync read the counts after every change.
-- Counting the locations each time cost time in proportion to the folder: at 100,000
-- messages the counts the main thread read after each batch of a first sync added up to
-- more than the sync itself, a no-change resync counted the folder twice, and a million
-- messages made the sidebar's first counts too slow for a quick start.  The triggers
-- below keep the counts as the locations change, one row update per location written,
-- so reading them costs the same at any size.  "Unread" is (flags & 1) = 0, as in
-- locations_unread.  Every folder has its row from its creation on (folders_counts_ai,
-- and the INSERT below for the folders there are), so the location triggers only update.
CREATE TABLE folder_counts (
  folder_id  INTEGER PRIMARY KEY REFERENCES folders (id) ON DELETE CASCADE,
  total      INTEGER NOT NULL DEFAULT 0,
  unread     INTEGER NOT NULL DEFAULT 0
);

INSERT INTO folder_counts (folder_id, total, unread)
  SELECT f.id,
         (SELECT count(*) FROM locations WHERE folder_id = f.id),
         (SELECT count(*) FROM locations WHERE folder_id = f.id AND (flags & 1) = 0)
  FROM folders f;

CREATE TRIGGER folders_counts_ai AFTER INSERT ON folders
BEGIN
  INSERT OR IGNORE INTO folder_counts (folder_id) VALUES (NEW.id);
END;

CREATE TRIGGER locations_counts_ai AFTER INSERT ON locations
BEGIN
  UPDATE folder_counts SET total = total + 1, unread = unread + ((NEW.flags & 1) = 0)
    WHERE folder_id = NEW.folder_id;
END;

CREATE TRIGGER locations_counts_ad AFTER DELETE ON locations
BEGIN
  UPDATE folder_counts SET total = total - 1, unread = unread - ((OLD.flags & 1) = 0)
    WHERE folder_id = OLD.folder_id;
END;

CREATE TRIGGER locations_counts_au AFTER UPDATE OF folder_id, flags ON locations
  WHEN OLD.folder_id <> NEW.folder_id OR (OLD.flags & 1) <> (NEW.flags & 1)
BEGIN
  UPDATE folder_counts SET total = total - 1, unread = unread - ((OLD.flags & 1) = 0)
    WHERE folder_id = OLD.folder_id;
  UPDATE folder_counts SET total = total + 1, unread = unread + ((NEW.flags & 1) = 0)
    WHERE folder_id = NEW.folder_id;
END;
