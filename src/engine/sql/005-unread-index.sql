-- 005-unread-index.sql: unread counts from the index alone
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- The window counts unread mail per folder and in All Inboxes at start.  SQLite does not
-- see that the partial index of 001 already implies (flags & 1) = 0, so it read the
-- locations row of every unread message for the flags: pages all over the table, at every
-- start.  With flags in the index, the counts are answered from the index.
DROP INDEX locations_unread;
CREATE INDEX locations_unread ON locations (folder_id, flags) WHERE (flags & 1) = 0;
