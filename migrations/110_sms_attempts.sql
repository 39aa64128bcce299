-- A send to Twilio in flight: written and committed before a part of an outbound message is
-- posted, deleted in the transaction that records the part in sms_parts. A row left behind means
-- Twilio may have the part although its SID was never recorded (the process or the database
-- failed in between): a retried delivery then looks for it at Twilio, among the messages to the
-- same number created since started_at, before it sends the part again.
CREATE TABLE sms_attempts (
    message_id bigint      NOT NULL REFERENCES messages ON DELETE CASCADE,
    part       integer     NOT NULL CHECK (part >= 1),
    started_at timestamptz NOT NULL,
    PRIMARY KEY (message_id, part)
);
