-- 012-outbox-subject.sql: what the Outbox list shows, stored with the message
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- subject is the decoded Subject of the outgoing message, written when it is queued, so
-- that listing the outbox never reads or parses the message bytes.  Rows queued before
-- this migration have NULL here; their subject is read from the message the first time
-- the outbox is listed (on the account's worker, never on the main thread).
ALTER TABLE outbox ADD COLUMN subject TEXT;
