-- rule_version counts the changes to what routing decides by: the rule sets and their rules (a
-- rule files by category id, so a renamed category changes nothing it decides). Each
-- process's route job keeps its rules compiled (workflow.Matcher) and reads this one row in
-- its transaction: the same number means the same rules, so no process routes by rules
-- another process has changed.
CREATE TABLE rule_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint  NOT NULL
);
INSERT INTO rule_version (version) VALUES (1);

CREATE FUNCTION rule_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rule_version SET version = version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER rule_sets_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rule_sets
    FOR EACH STATEMENT EXECUTE FUNCTION rule_version_bump();
CREATE TRIGGER routing_rules_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routing_rules
    FOR EACH STATEMENT EXECUTE FUNCTION rule_version_bump();
