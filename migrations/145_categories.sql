-- Categories and resolution codes (inbox): an admin-managed list of categories in two levels
-- ("Delivery" and its child "Damaged"), each marked a complaint or not, and the codes a
-- resolved complaint is closed with ("Refund", "Replacement", ...). Neither is ever deleted:
-- an archived one stays on the conversations that carry it and is offered no more.
-- conversations.category keeps the category's path as text ("Delivery › Damaged"), which the
-- reports, surveys and contact history read; category_id is the truth.
CREATE TABLE categories (
    id          bigserial PRIMARY KEY,
    parent_id   bigint      REFERENCES categories ON DELETE RESTRICT,
    name        text        NOT NULL CHECK (name <> '' AND length(name) <= 50),
    complaint   boolean     NOT NULL DEFAULT false,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_name_idx ON categories (coalesce(parent_id, 0), lower(name));

CREATE TABLE resolution_codes (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL CHECK (name <> '' AND length(name) <= 50),
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX resolution_codes_name_idx ON resolution_codes (lower(name));

ALTER TABLE conversations
    ADD COLUMN category_id        bigint REFERENCES categories ON DELETE RESTRICT,
    ADD COLUMN resolution_code_id bigint REFERENCES resolution_codes ON DELETE RESTRICT;
-- The complaint register: conversations of a category, newest first.
CREATE INDEX conversations_category_idx ON conversations (category_id, created_at DESC, id DESC)
    WHERE category_id IS NOT NULL;

-- A team may require a category before its conversations are resolved.
ALTER TABLE teams ADD COLUMN require_category boolean NOT NULL DEFAULT false;

-- Routing rules name the category they set by id; set_category keeps its path for display.
ALTER TABLE routing_rules ADD COLUMN set_category_id bigint REFERENCES categories ON DELETE RESTRICT;

-- The free-text categories set so far become top-level categories of their own name (first
-- letter capitalised); "complaint" and its like are marked complaints. A starter list joins them.
INSERT INTO categories (name, complaint)
SELECT upper(left(v, 1)) || substr(v, 2), v LIKE '%complain%'
FROM (SELECT DISTINCT lower(btrim(category)) AS v FROM conversations WHERE btrim(category) <> ''
      UNION SELECT lower(btrim(set_category)) FROM routing_rules WHERE btrim(set_category) <> '') old
WHERE length(v) <= 50
ON CONFLICT DO NOTHING;
INSERT INTO categories (name, complaint) VALUES ('Billing', false), ('Question', false), ('Complaint', true)
ON CONFLICT DO NOTHING;
UPDATE conversations c SET category_id = k.id, category = k.name
FROM categories k WHERE k.parent_id IS NULL AND btrim(c.category) <> '' AND lower(k.name) = lower(btrim(c.category));
UPDATE routing_rules r SET set_category_id = k.id, set_category = k.name
FROM categories k WHERE k.parent_id IS NULL AND btrim(r.set_category) <> '' AND lower(k.name) = lower(btrim(r.set_category));

INSERT INTO resolution_codes (name) VALUES ('Refund'), ('Replacement'), ('Fixed'), ('No fault found'), ('Explained');
