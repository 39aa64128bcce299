-- Status callbacks that arrive before their part is recorded: Twilio may post "sent" or even
-- "delivered" before the delivery job that sent the part has stored its SID. They wait here
-- and are applied when the part is recorded, so nothing Twilio reports is lost. Ones for SIDs
-- Parley never records are dropped after a day.
CREATE TABLE sms_early_statuses (
    sid         text        NOT NULL,
    status      text        NOT NULL,
    error       text        NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    PRIMARY KEY (sid, status)
);
CREATE INDEX sms_early_statuses_received_idx ON sms_early_statuses (received_at);
