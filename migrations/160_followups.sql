-- Service recovery (workflow): a survey answer scored at or below the threshold opens one
-- follow-up for the conversation's team's supervisor, who records what was done and closes it.
-- recovery_threshold is global (lifecycle settings); 0 opens none.
ALTER TABLE lifecycle_settings ADD COLUMN recovery_threshold smallint NOT NULL DEFAULT 2
    CHECK (recovery_threshold BETWEEN 0 AND 5);

CREATE TABLE followups (
    id              bigserial PRIMARY KEY,
    conversation_id bigint      NOT NULL REFERENCES conversations ON DELETE CASCADE,
    survey_id       bigint      NOT NULL UNIQUE REFERENCES surveys ON DELETE CASCADE,
    score           smallint    NOT NULL CHECK (score BETWEEN 1 AND 5),
    assignee_id     bigint      REFERENCES agents ON DELETE SET NULL,
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    outcome         text        NOT NULL DEFAULT ''
        CHECK (outcome IN ('', 'contacted', 'refunded', 'replaced', 'apologised', 'no_action')),
    outcome_note    text        NOT NULL DEFAULT '',
    due_at          timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    closed_at       timestamptz,
    closed_by       bigint      REFERENCES agents ON DELETE SET NULL,
    CHECK ((status = 'done') = (closed_at IS NOT NULL)),
    CHECK (status = 'open' OR outcome <> '')
);
-- The follow-up list: open first, newest first within each.
CREATE INDEX followups_list_idx ON followups ((status = 'done'), created_at DESC, id DESC);
CREATE INDEX followups_conversation_idx ON followups (conversation_id, id DESC);
CREATE INDEX followups_assignee_idx ON followups (assignee_id) WHERE status = 'open';
