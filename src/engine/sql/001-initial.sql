-- 001-initial.sql: the first Letterbox schema
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Applied inside one transaction by lb-store.c, which then sets
-- PRAGMA user_version to 1.  Never edit a migration that has shipped: add a
-- new numbered file instead.

-- One row per configured account.  There is deliberately no password
-- column: secrets live in the keyring (src/engine/secrets/).
CREATE TABLE accounts (
  id             INTEGER PRIMARY KEY,
  email          TEXT NOT NULL,
  display_name   TEXT,
  imap_host      TEXT NOT NULL,
  imap_port      INTEGER NOT NULL,
  imap_security  INTEGER NOT NULL,          -- LbSecurity
  smtp_host      TEXT,
  smtp_port      INTEGER NOT NULL DEFAULT 0,
  smtp_security  INTEGER NOT NULL DEFAULT 0,
  username       TEXT NOT NULL,
  provider_id    TEXT,
  ca_file        TEXT,
  proxy          TEXT,
  color          TEXT,
  created        INTEGER NOT NULL           -- unix time
);

CREATE TABLE folders (
  id             INTEGER PRIMARY KEY,
  account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  raw_name       TEXT NOT NULL,             -- the name on the wire (modified UTF-7)
  display_name   TEXT NOT NULL,             -- decoded, for people
  delimiter      TEXT,                      -- NULL for a flat namespace
  role           INTEGER NOT NULL DEFAULT 0, -- LbFolderRole
  attributes     TEXT,                      -- LIST attributes, space separated
  subscribed     INTEGER NOT NULL DEFAULT 1,
  selectable     INTEGER NOT NULL DEFAULT 1,
  uidvalidity    INTEGER NOT NULL DEFAULT 0,
  uidnext        INTEGER NOT NULL DEFAULT 0,
  highestmodseq  INTEGER NOT NULL DEFAULT 0,
  total_count    INTEGER NOT NULL DEFAULT 0,  -- as last reported by the server
  unread_count   INTEGER NOT NULL DEFAULT 0,
  last_sync      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (account_id, raw_name)
);
CREATE INDEX folders_role ON folders (role);

-- A message is stored once per account, however many folders (Gmail labels)
-- hold it; the locations table places it in folders.
CREATE TABLE messages (
  id               INTEGER PRIMARY KEY,
  account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  message_id       TEXT,                    -- the Message-ID header, without <>
  gm_msgid         INTEGER,                 -- X-GM-MSGID, NULL off Gmail
  date             INTEGER NOT NULL DEFAULT 0,  -- unix time
  from_name        TEXT,
  from_address     TEXT,
  to_text          TEXT,                    -- decoded display text
  cc_text          TEXT,
  subject          TEXT,
  in_reply_to      TEXT,
  refs             TEXT,                    -- the References header
  size             INTEGER NOT NULL DEFAULT 0,
  has_attachments  INTEGER NOT NULL DEFAULT 0,
  preview          TEXT,
  thread_key       TEXT
);
CREATE UNIQUE INDEX messages_gm_msgid ON messages (account_id, gm_msgid)
  WHERE gm_msgid IS NOT NULL;
CREATE INDEX messages_message_id ON messages (account_id, message_id);
CREATE INDEX messages_thread ON messages (account_id, thread_key);

-- Where a message is on the server.  date and unified are copies, kept in
-- step by the triggers below, so that the message lists (one folder, or the
-- unified inbox) are read newest first straight from an index without a sort
-- or a join per skipped row.
CREATE TABLE locations (
  id          INTEGER PRIMARY KEY,
  folder_id   INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
  uid         INTEGER NOT NULL,
  message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  flags       INTEGER NOT NULL DEFAULT 0,   -- LbFlags
  keywords    TEXT,                         -- other keywords, space separated
  modseq      INTEGER NOT NULL DEFAULT 0,
  date        INTEGER NOT NULL DEFAULT 0,   -- = messages.date
  unified     INTEGER NOT NULL DEFAULT 0,   -- 1 when the folder's role is INBOX
  UNIQUE (folder_id, uid)
);
CREATE INDEX locations_message ON locations (message_id);
CREATE INDEX locations_folder_date ON locations (folder_id, date);
CREATE INDEX locations_unified_date ON locations (unified, date) WHERE unified = 1;
CREATE INDEX locations_unread ON locations (folder_id) WHERE (flags & 1) = 0;

CREATE TRIGGER folders_role_changed AFTER UPDATE OF role ON folders
  WHEN (OLD.role = 1) <> (NEW.role = 1)
BEGIN
  UPDATE locations SET unified = (NEW.role = 1) WHERE folder_id = NEW.id;
END;

CREATE TRIGGER messages_date_changed AFTER UPDATE OF date ON messages
  WHEN OLD.date <> NEW.date
BEGIN
  UPDATE locations SET date = NEW.date WHERE message_id = NEW.id;
END;

-- Raw RFC 822 bytes, cached on demand.
CREATE TABLE bodies (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  raw         BLOB NOT NULL,
  fetched     INTEGER NOT NULL
);

-- Changes made locally first and replayed to the server by the account's
-- worker.  kind is LbStoreOpKind; uids is an IMAP uid set ("1:4,9").
CREATE TABLE pending_ops (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  kind        INTEGER NOT NULL,
  folder_id   INTEGER REFERENCES folders (id) ON DELETE CASCADE,
  uids        TEXT,
  args        TEXT,
  created     INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);
CREATE INDEX pending_ops_account ON pending_ops (account_id, id);

-- Mail waiting to be sent.  rcpts holds one address per line.
CREATE TABLE outbox (
  id            INTEGER PRIMARY KEY,
  account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  raw           BLOB NOT NULL,
  env_from      TEXT NOT NULL,
  rcpts         TEXT NOT NULL,
  state         INTEGER NOT NULL DEFAULT 0,   -- LbStoreOutboxState
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_attempt  INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  message_id    TEXT,
  created       INTEGER NOT NULL
);
CREATE INDEX outbox_account ON outbox (account_id, id);

-- Decoded, searchable text of each message.  Header fields are filled when
-- the envelope arrives, body once the body has been fetched and decoded.
CREATE TABLE message_text (
  message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  subject     TEXT,
  sender      TEXT,
  recipients  TEXT,
  body        TEXT
);
