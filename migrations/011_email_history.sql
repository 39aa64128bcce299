-- The mail a mailbox already held, and had already been read, when Parley first connected is
-- history, not requests waiting for an answer: a message with the \Seen flag that arrived on the
-- server (INTERNALDATE) at or before import_since is not imported, neither on the first sync nor
-- on a re-sync after a UIDVALIDITY change. Unread history is imported. NULL imports everything
-- (the mailbox was empty when Parley first read it).
ALTER TABLE email_mailbox_state ADD COLUMN import_since timestamptz;
