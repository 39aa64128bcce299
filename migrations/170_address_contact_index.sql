-- An address prefix search (the contact list's "customer1", the inbox's search) takes the ids of
-- the contacts holding matching addresses from the index alone: with the contact id beside the
-- address, a prefix that 111,111 of a million contacts share is an index-only range scan and a
-- sort of ids, not 111,111 visits to the table. It replaces migration 062's address index,
-- which it serves as well.
CREATE INDEX contact_identities_address_contact_idx ON contact_identities (address text_pattern_ops, contact_id);
DROP INDEX contact_identities_address_idx;
