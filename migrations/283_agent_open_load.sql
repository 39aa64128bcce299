-- An agent's load (their conversations in new, open or pending) kept on their row, so that an
-- assignment pass reads it instead of counting every agent's open conversations at each pass
-- (seen with 40 agents holding about 350 each: 5 ms a pass, about a tenth of the machine's
-- CPU with new customers arriving at 650 a second, and more as the loads grow).
--
-- A change of a conversation does not write the agent's row, which an assignment pass holds
-- locked while it hands out conversations (the lock order puts agents before conversations,
-- and an ingest that reopens a conversation holds its row): it appends its change to
-- agent_load_news, which takes no lock anyone waits for. A pass, holding the agents' locks,
-- folds their news into open_load in the same statement that reads it (inbox.lockAgentLoads),
-- so open_load plus an agent's news is always their count, as of what has committed.
ALTER TABLE agents ADD COLUMN open_load integer NOT NULL DEFAULT 0;

CREATE TABLE agent_load_news (
    agent_id bigint  NOT NULL,
    delta    integer NOT NULL
);
CREATE INDEX agent_load_news_agent_idx ON agent_load_news (agent_id);

-- agent_load_note records what a conversation's insert, update or delete changes in its
-- assignee's load (and its previous assignee's).
CREATE FUNCTION agent_load_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.assignee_id IS NOT NULL AND OLD.status IN ('new', 'open', 'pending') THEN
        INSERT INTO agent_load_news (agent_id, delta) VALUES (OLD.assignee_id, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.assignee_id IS NOT NULL AND NEW.status IN ('new', 'open', 'pending') THEN
        INSERT INTO agent_load_news (agent_id, delta) VALUES (NEW.assignee_id, 1);
    END IF;
    RETURN NULL;
END
$$;

-- Only a change that moves a load calls the function: a message's activity, an unassigned
-- conversation's insert, a status change between two counted states do not.
CREATE TRIGGER conversations_load_insert AFTER INSERT ON conversations
    FOR EACH ROW WHEN (NEW.assignee_id IS NOT NULL AND NEW.status IN ('new', 'open', 'pending'))
    EXECUTE FUNCTION agent_load_note();
CREATE TRIGGER conversations_load_delete AFTER DELETE ON conversations
    FOR EACH ROW WHEN (OLD.assignee_id IS NOT NULL AND OLD.status IN ('new', 'open', 'pending'))
    EXECUTE FUNCTION agent_load_note();
CREATE TRIGGER conversations_load_update AFTER UPDATE OF assignee_id, status ON conversations
    FOR EACH ROW WHEN ((NEW.assignee_id, NEW.status IN ('new', 'open', 'pending'))
        IS DISTINCT FROM (OLD.assignee_id, OLD.status IN ('new', 'open', 'pending')))
    EXECUTE FUNCTION agent_load_note();

-- The loads as they stand. The triggers exist from here on in this transaction, and creating
-- them locked conversations against every write until it commits, so no change falls between
-- the count and the news.
UPDATE agents a SET open_load = (SELECT count(*) FROM conversations c
    WHERE c.assignee_id = a.id AND c.status IN ('new', 'open', 'pending'));
