-- The contact list's address prefix search takes the newest holders of a prefix. With the
-- address first in the index (migration 170) that means reading and sorting every holder: a
-- prefix that 111,111 of a million contacts share ("customer1") cost 38 ms. Led by the
-- contact's bucket of 65,536 ids (contact_id >> 16), the index answers "the newest holders in
-- this bucket" with a range scan of that bucket's matches, so the search walks the buckets
-- newest first and reads only as far as a page needs (inbox.contactPlan.addressWalk).
CREATE INDEX contact_identities_bucket_address_idx ON contact_identities ((contact_id >> 16), address text_pattern_ops, contact_id);
