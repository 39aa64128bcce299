-- The dashboard's daily rollups (inbox.Store.BuildReportDays, inbox.Scope.Report): the figures of
-- each whole UTC day (days since 1970-01-01) by the conversations' current team, channel,
-- assignee and category, so that a period's reports read a few thousand rows instead of every
-- conversation, message and audit entry of the period.
--
-- agent_id 0 holds the conversations' own figures, created on the day (created, closed,
-- resolved, single, returned, fr_*, res_*) or resolved or closed last on it (done); another
-- agent_id holds what is credited to that agent on the conversations created on the day:
-- replies, first responses (fr_*), resolutions (res_*) and handle times (handle_*). 0 in
-- team_id, assignee_id and category_id stands for none. A duration is kept as a histogram: *_b
-- the buckets (report_bucket), *_c how many fell in each.
--
-- level 0 rows hold every figure by every dimension. The histograms are also kept rolled up over
-- each combination of dimensions (a report reads the coarsest level its filters allow, a few
-- rows a day instead of one per combination): level is the bit mask of the dimensions rolled up,
-- 8 team, 4 channel, 2 assignee, 1 category (GROUPING()); a rolled-up dimension holds -1 or '*',
-- and those rows hold no counts.
CREATE TABLE report_days (
    day         integer  NOT NULL,
    level       smallint NOT NULL DEFAULT 0,
    team_id     bigint   NOT NULL,
    channel     text     NOT NULL,
    assignee_id bigint   NOT NULL,
    category_id bigint   NOT NULL,
    category    text     NOT NULL,
    agent_id    bigint   NOT NULL,
    created     integer  NOT NULL DEFAULT 0,
    closed      integer  NOT NULL DEFAULT 0,
    resolved    integer  NOT NULL DEFAULT 0,
    single      integer  NOT NULL DEFAULT 0,
    returned    integer  NOT NULL DEFAULT 0,
    done        integer  NOT NULL DEFAULT 0,
    replies     integer  NOT NULL DEFAULT 0,
    fr_b        smallint[] NOT NULL DEFAULT '{}',
    fr_c        integer[]  NOT NULL DEFAULT '{}',
    res_b       smallint[] NOT NULL DEFAULT '{}',
    res_c       integer[]  NOT NULL DEFAULT '{}',
    handle_b    smallint[] NOT NULL DEFAULT '{}',
    handle_c    integer[]  NOT NULL DEFAULT '{}'
);
CREATE INDEX report_days_day_idx ON report_days (day, level, agent_id);

-- The days whose rows in report_days are complete, and when they were built. A day not listed
-- (today, or one the job has not reached yet) is read from the base tables.
CREATE TABLE report_built (
    day      integer     PRIMARY KEY,
    built_at timestamptz NOT NULL
);

-- The days a change touched since they were built: the reports read those from the base tables
-- until the report_days job rebuilds them. Rows are only ever inserted by the triggers below (no
-- two writers wait on one another) and deleted by the job.
CREATE TABLE report_news (
    id  bigserial PRIMARY KEY,
    day integer   NOT NULL
);
CREATE INDEX report_news_day_idx ON report_news (day);

-- report_bucket is the histogram bucket of a duration in seconds: the whole second below 64 s,
-- then sixteen buckets an octave (each 4.4% wide: a bucket's middle, inbox.bucketSeconds, is
-- within 2.2% of every duration in it). Negative durations fall in bucket 0.
CREATE FUNCTION report_bucket(secs double precision) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN secs IS NULL OR secs < 1 THEN 0
        WHEN secs < 64 THEN floor(secs)::smallint
        ELSE least(64 + floor(16 * ln(secs / 64) / ln(2)), 32767)::smallint END
$$;

CREATE FUNCTION report_day(t timestamptz) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM t) / 86400)::integer
$$;

-- report_note_days records the days a version of a conversation counts on: the day it was
-- created, the day it was resolved or closed, and, when moved is set (it is new, removed, moved
-- to another contact or another instant), the creation days of the contact's earlier
-- conversations resolved in the 7 days before it (their repeat contact).
CREATE FUNCTION report_note_days(id bigint, contact_id bigint, created_at timestamptz, status text,
    resolved_at timestamptz, closed_at timestamptz, moved boolean) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_news (day)
    SELECT DISTINCT d FROM (
        SELECT report_day(created_at) AS d
        UNION ALL
        SELECT report_day(coalesce(resolved_at, closed_at)) WHERE status IN ('resolved', 'closed')
            AND coalesce(resolved_at, closed_at) IS NOT NULL
        UNION ALL
        SELECT report_day(p.created_at) FROM conversations p
        WHERE moved AND p.contact_id = report_note_days.contact_id AND p.id < report_note_days.id
            AND p.resolved_at >= report_note_days.created_at - interval '7 days' AND p.resolved_at < report_note_days.created_at) x
$$;

-- report_note_conversation records the days a conversation's change touches, before and after.
CREATE FUNCTION report_note_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved boolean := TG_OP <> 'UPDATE';
BEGIN
    IF TG_OP = 'UPDATE' THEN
        moved := NEW.contact_id <> OLD.contact_id OR NEW.created_at <> OLD.created_at;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM report_note_days(OLD.id, OLD.contact_id, OLD.created_at, OLD.status, OLD.resolved_at, OLD.closed_at, moved);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM report_note_days(NEW.id, NEW.contact_id, NEW.created_at, NEW.status, NEW.resolved_at, NEW.closed_at, moved);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER conversations_report_insert AFTER INSERT OR DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION report_note_conversation();
-- Only what the reports read calls the function: a message's new activity does not.
CREATE TRIGGER conversations_report_update AFTER UPDATE ON conversations
    FOR EACH ROW WHEN ((NEW.contact_id, NEW.channel, NEW.status, NEW.team_id, NEW.assignee_id, NEW.category,
        NEW.category_id, NEW.created_at, NEW.first_response_at, NEW.first_response_by, NEW.resolved_at, NEW.resolved_by,
        NEW.closed_at) IS DISTINCT FROM (OLD.contact_id, OLD.channel, OLD.status, OLD.team_id, OLD.assignee_id,
        OLD.category, OLD.category_id, OLD.created_at, OLD.first_response_at, OLD.first_response_by, OLD.resolved_at,
        OLD.resolved_by, OLD.closed_at))
    EXECUTE FUNCTION report_note_conversation();

-- report_note_conversation_day records the creation day of the conversation a row belongs to:
-- an agent's reply (replies, first-contact resolution) or a status or assignment entry of the
-- audit trail (reopenings, handle time).
CREATE FUNCTION report_note_conversation_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO report_news (day) SELECT report_day(c.created_at) FROM conversations c WHERE c.id = OLD.conversation_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO report_news (day) SELECT report_day(c.created_at) FROM conversations c WHERE c.id = NEW.conversation_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_report_insert AFTER INSERT ON messages
    FOR EACH ROW WHEN (NEW.direction = 'outbound' AND NEW.auto = '' AND NEW.author_agent_id IS NOT NULL)
    EXECUTE FUNCTION report_note_conversation_day();
CREATE TRIGGER messages_report_delete AFTER DELETE ON messages
    FOR EACH ROW WHEN (OLD.direction = 'outbound' AND OLD.auto = '' AND OLD.author_agent_id IS NOT NULL)
    EXECUTE FUNCTION report_note_conversation_day();
CREATE TRIGGER messages_report_update AFTER UPDATE OF conversation_id, direction, auto, author_agent_id ON messages
    FOR EACH ROW EXECUTE FUNCTION report_note_conversation_day();
CREATE TRIGGER conversation_events_report_insert AFTER INSERT ON conversation_events
    FOR EACH ROW WHEN (NEW.kind IN ('status', 'assign') AND NEW.conversation_id IS NOT NULL)
    EXECUTE FUNCTION report_note_conversation_day();
