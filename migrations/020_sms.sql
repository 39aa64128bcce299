-- SMS channel (Twilio, package channels/sms): opt-outs, the log of carrier keywords, and the
-- Twilio messages each sent reply went out as.

-- A phone number (E.164) that texted an opt-out keyword (STOP, UNSUBSCRIBE, ...) is sent no SMS
-- until it texts an opt-in keyword (START, UNSTOP, YES). One row per number while it is opted
-- out, whichever of our numbers it wrote to.
CREATE TABLE sms_opt_outs (
    phone      text        PRIMARY KEY CHECK (phone <> ''),
    keyword    text        NOT NULL,
    message_id bigint      REFERENCES messages ON DELETE SET NULL,
    created_at timestamptz NOT NULL
);

-- Every carrier keyword received, in order: the audit trail of opt-outs, opt-ins and help
-- requests. The keyword message itself is an ordinary inbound message (auto = 'keyword').
CREATE TABLE sms_keywords (
    id         bigserial   PRIMARY KEY,
    phone      text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('opt-out', 'opt-in', 'help')),
    keyword    text        NOT NULL,
    contact_id bigint      REFERENCES contacts,
    message_id bigint      REFERENCES messages ON DELETE SET NULL,
    inbox_id   bigint      REFERENCES inboxes ON DELETE SET NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX sms_keywords_phone_idx ON sms_keywords (phone, id);

-- The Twilio messages an outbound message went out as: one, or one per numbered part of a long
-- reply. A retried delivery skips the parts recorded here; status callbacks (keyed by sid) find
-- their message here, and the message's delivery status is the combination of its parts'.
CREATE TABLE sms_parts (
    message_id bigint      NOT NULL REFERENCES messages ON DELETE CASCADE,
    part       integer     NOT NULL CHECK (part >= 1),
    total      integer     NOT NULL CHECK (total >= part),
    sid        text        NOT NULL UNIQUE,
    status     text        NOT NULL,
    error      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (message_id, part)
);
