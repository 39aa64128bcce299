-- Routing rules and SLA policies read the customer's profile. A rule may ask for the customer's
-- company (company_ids, any one of them) and for custom attributes (attributes: a list of
-- {"key", "op", "values"}, every one must hold; the ops and value types follow the attribute's
-- definition, checked when the rule is saved). A rule naming a company that is later deleted
-- matches no one through that id.
ALTER TABLE routing_rules
    ADD COLUMN company_ids bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN attributes  jsonb    NOT NULL DEFAULT '[]';

-- An SLA policy may apply to a customer tier (NULL: any tier): the contact's own tier, else
-- their company's. The most specific policy wins: tier first, then team, then priority.
ALTER TABLE sla_policies ADD COLUMN tier text CHECK (tier <> '' AND tier = lower(tier));
ALTER TABLE sla_policies DROP CONSTRAINT sla_policies_team_id_priority_key;
ALTER TABLE sla_policies ADD CONSTRAINT sla_policies_scope_key UNIQUE NULLS NOT DISTINCT (team_id, priority, tier);
