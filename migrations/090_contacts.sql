-- The customer at the centre: companies, a contact's notes, custom attributes and company, the
-- admin-defined attribute types, and reversible merges. The contact list pages newest first by
-- id (the primary key serves it); tier, company and tag filters have their own indexes.
CREATE TABLE companies (
    id         bigserial PRIMARY KEY,
    name       text        NOT NULL CHECK (name <> ''),
    domains    text[]      NOT NULL DEFAULT '{}',
    tier       text        NOT NULL DEFAULT '',
    attributes jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX companies_name_idx ON companies (lower(name));
CREATE INDEX companies_domains_idx ON companies USING gin (domains);

ALTER TABLE contacts
    ADD COLUMN notes      text   NOT NULL DEFAULT '',
    ADD COLUMN attributes jsonb  NOT NULL DEFAULT '{}',
    ADD COLUMN company_id bigint REFERENCES companies ON DELETE SET NULL,
    ADD COLUMN erased_at  timestamptz;
CREATE INDEX contacts_tier_idx ON contacts (tier, id DESC) WHERE merged_into IS NULL;
CREATE INDEX contacts_company_idx ON contacts (company_id, id DESC) WHERE merged_into IS NULL;
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);
CREATE INDEX companies_name_search_idx ON companies USING gin (to_tsvector('simple', name));

-- What admins let agents record about a contact or a company: key, label and type (one of a
-- list: options).
CREATE TABLE attribute_definitions (
    id         bigserial PRIMARY KEY,
    object     text        NOT NULL CHECK (object IN ('contact', 'company')),
    key        text        NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label      text        NOT NULL CHECK (label <> ''),
    type       text        NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'list')),
    options    text[]      NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (object, key)
);

-- A merge as it was done, so that it can be undone: the merged contact's identities,
-- conversations and trail entries that moved, and the kept contact's fields before.
CREATE TABLE contact_merges (
    id          bigserial PRIMARY KEY,
    keep_id     bigint      NOT NULL REFERENCES contacts,
    merged_id   bigint      NOT NULL REFERENCES contacts,
    agent_id    bigint      REFERENCES agents ON DELETE SET NULL,
    before      jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    undone_at   timestamptz,
    undone_by   bigint      REFERENCES agents ON DELETE SET NULL
);
CREATE INDEX contact_merges_keep_idx ON contact_merges (keep_id, id DESC);
CREATE INDEX contact_merges_merged_idx ON contact_merges (merged_id, id DESC);

-- A contact joins the company of a new email identity's domain when they have none yet.
-- Companies never hold a free-mail domain (the inbox package refuses them), so a gmail.com
-- address joins nobody.
CREATE FUNCTION contacts_join_company() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contacts k SET company_id = co.id
    FROM (SELECT id FROM companies WHERE domains @> ARRAY[split_part(NEW.address, '@', 2)] ORDER BY id LIMIT 1) co
    WHERE k.id = NEW.contact_id AND k.company_id IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER contact_identities_company AFTER INSERT ON contact_identities
    FOR EACH ROW WHEN (NEW.kind = 'email') EXECUTE FUNCTION contacts_join_company();
-- A company's new domains find the contacts already known by an address there.
CREATE INDEX contact_identities_domain_idx ON contact_identities (split_part(address, '@', 2)) WHERE kind = 'email';
