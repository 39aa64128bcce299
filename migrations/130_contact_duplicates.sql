-- Possible duplicates, found through indexes rather than scans: the same mailbox written another
-- way, the same national phone number under another country code, the same name.
--
-- contact_email_key is an address's mailbox: lower case (addresses are stored so), the
-- "+tag" of the local part dropped, and for Gmail (gmail.com, googlemail.com) the dots of the
-- local part dropped and the domain read as gmail.com, since Gmail delivers all of them to one
-- inbox. Other providers' dots are kept: for them a dot makes another mailbox.
CREATE FUNCTION contact_email_key(address text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN d IN ('gmail.com', 'googlemail.com') THEN replace(split_part(l, '+', 1), '.', '') || '@gmail.com'
                ELSE split_part(l, '+', 1) || '@' || d END
    FROM (SELECT regexp_replace(address, '@[^@]*$', '') AS l, regexp_replace(address, '^.*@', '') AS d) a
$$;
CREATE INDEX contact_identities_email_key_idx ON contact_identities (contact_email_key(address)) WHERE kind = 'email';

-- A phone's address read backwards, so that the numbers ending with a national number (the same
-- number under another country code) are a prefix scan.
CREATE INDEX contact_identities_phone_suffix_idx ON contact_identities (reverse(address) text_pattern_ops) WHERE kind = 'phone';

-- Contacts of the same name (the name-and-domain rule starts from them).
CREATE INDEX contacts_lower_name_idx ON contacts (lower(name)) WHERE merged_into IS NULL AND name <> '';
