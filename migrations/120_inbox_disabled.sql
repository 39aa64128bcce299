-- An inbox an admin disabled (the web admin's inbox pages): it takes in nothing new while
-- disabled_at is set (its mailbox is not polled, its chat widget is refused, its SMS and Slack
-- webhooks are acknowledged and dropped); its conversations and settings stay.
ALTER TABLE inboxes ADD COLUMN disabled_at timestamptz;
