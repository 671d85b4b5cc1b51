-- 008-folder-errors.sql: why a folder could not be synced
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- One folder the server refuses to open (a shared folder with lookup rights only, a
-- folder that vanished between LIST and SELECT) must not stop the sync of the others.
-- Its failure is kept here, already sanitised for display, until a later sync of that
-- folder succeeds; NULL means the last sync went well.
ALTER TABLE folders ADD COLUMN last_error TEXT;
