-- 007-content-key.sql: merge copies of a message only on evidence
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Messages were merged across folders when their Message-ID, date and size agreed, which
-- two different messages can do (a resent or edited draft, a list copy, a forged
-- Message-ID).  content_key is a digest of what a copy keeps and another message does
-- not share (see find_existing_message() in store/lb-store-messages.c); rows stored
-- before it stay NULL and are never merged with again.
ALTER TABLE messages ADD COLUMN content_key TEXT;
