-- Lifecycle settings (workflow): when idle conversations resolve and close on their own, and
-- how satisfaction surveys go out. One row. A delay of 0 turns that step off.
CREATE TABLE lifecycle_settings (
    id                   boolean     PRIMARY KEY DEFAULT true CHECK (id),
    pending_resolve_secs integer     NOT NULL DEFAULT 259200 CHECK (pending_resolve_secs >= 0),
    resolved_close_secs  integer     NOT NULL DEFAULT 604800 CHECK (resolved_close_secs >= 0),
    auto_resolve_message text        NOT NULL DEFAULT '',
    survey_enabled       boolean     NOT NULL DEFAULT true,
    survey_valid_secs    integer     NOT NULL DEFAULT 604800 CHECK (survey_valid_secs > 0),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
INSERT INTO lifecycle_settings DEFAULT VALUES;
