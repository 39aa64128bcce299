package inbox

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// looked is what the first round trip of an ingest learns.
type looked struct {
	existing  *IngestResult
	contactID int64
	verified  bool
	unnamed   bool // the contact has no name yet
	cands     []candidate
}

// lookupPlan remembers which optional reads queueLookup queued for a message.
type lookupPlan struct {
	refs, hints bool
}

// queueLookup queues the first round trip of a wave, for all its messages at once: it takes
// the senders' identity locks (so one sender's messages thread one at a time and a
// redelivery waits for the first copy's commit), locks their contacts in id order, then
// reads each message's stored copy and its sender's contact, the conversations its references and hints
// name, and the contact's own conversation. The common reads are one statement for the
// whole wave, each row found through an index; a wave of n messages costs five statements
// and its few optional reads, not 4n.
func queueLookup(b *pgx.Batch, ins []*Inbound) []lookupPlan {
	keys := make([]string, len(ins))
	channels, externalIDs := make([]string, len(ins)), make([]string, len(ins))
	kinds, addresses := make([]string, len(ins)), make([]string, len(ins))
	for i, in := range ins {
		keys[i] = "identity:" + in.lockKey()
		channels[i], externalIDs[i] = string(in.Channel), in.ExternalID
		kinds[i], addresses[i] = string(in.From.Kind), in.From.Address
	}
	// Every statement of an ingest has a fixed shape and finds its rows through an index, so
	// one generic plan serves every wave. Left to choose, PostgreSQL plans the wave statements
	// anew for every small wave (it guesses more rows in an array than a wave of one or two
	// has), which cost more than running them. SET LOCAL: the setting ends with the
	// transaction.
	b.Queue(`SET LOCAL plan_cache_mode = force_generic_plan`)
	// The locks are taken in the order of keys, which the group commit sorts: two
	// transactions never wait on each other's identities in opposite orders.
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) k`, keys)
	// Then the senders' contacts, in id order as the lock order wants (see the package doc),
	// FOR NO KEY UPDATE: the foreign-key checks of other transactions (an audit entry of a
	// route job, an agent's change) take FOR KEY SHARE on a contact and do not wait for it.
	// Each contact is locked a statement before its conversations are read, so that two
	// channels of one merged customer thread one at a time: a statement that waits for a lock
	// still reads with the snapshot it started with, so it would miss the conversation that
	// the transaction it waited for created.
	b.Queue(`SELECT k.id FROM unnest($1::text[], $2::text[]) AS x(kind, address)
		JOIN LATERAL (SELECT contact_id FROM contact_identities WHERE kind = x.kind AND address = x.address LIMIT 1) i ON true
		JOIN contacts k ON k.id = i.contact_id
		ORDER BY k.id FOR NO KEY UPDATE OF k`, kinds, addresses)
	// Each LATERAL read is kept from being flattened into a join (LIMIT 1, FOR NO KEY UPDATE):
	// a join could be planned, and its generic plan kept, as a scan of the whole table hashed
	// against the wave's rows; a lateral read is a lookup through the index for each row. Its
	// lock is the one above, taken again, unless a merge moved the address to another contact
	// meanwhile: that one is locked here, out of order, and a deadlock it may cause is retried.
	b.Queue(`SELECT m.id, m.conversation_id, m.contact_id, c.id, c.verified, c.unnamed
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(channel, external_id, kind, address, n)
		LEFT JOIN LATERAL (SELECT id, conversation_id, coalesce(contact_id, 0) AS contact_id FROM messages
			WHERE channel = x.channel AND external_id = x.external_id LIMIT 1) m ON true
		LEFT JOIN LATERAL (SELECT k.id, i.verified, k.name = '' AS unnamed
			FROM contact_identities i JOIN contacts k ON k.id = i.contact_id
			WHERE i.kind = x.kind AND i.address = x.address FOR NO KEY UPDATE OF k) c ON true
		ORDER BY x.n`, channels, externalIDs, kinds, addresses)
	plans := make([]lookupPlan, len(ins))
	for i, in := range ins {
		plans[i] = queueThreadReads(b, in)
	}
	// Each contact's own conversation: the newest active one (new, open, pending, snoozed) whatever its
	// channel, else the newest resolved one, else the newest.
	b.Queue(`SELECT o.id, o.status
		FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(kind, address, n)
		LEFT JOIN LATERAL (SELECT v.id, v.status FROM conversations v JOIN contact_identities i ON i.contact_id = v.contact_id
			WHERE i.kind = x.kind AND i.address = x.address
			ORDER BY v.status IN ('new', 'open', 'pending', 'snoozed') DESC, v.status = 'resolved' DESC, v.id DESC
			LIMIT 1) o ON true
		ORDER BY x.n`, kinds, addresses)
	return plans
}

// queueThreadReads queues the reads of the conversations a message's email references and
// its hints name, if it has any.
func queueThreadReads(b *pgx.Batch, in *Inbound) lookupPlan {
	var refs []string
	if in.Email != nil {
		refs = append(refs, in.Email.References...)
		if in.Email.InReplyTo != "" {
			refs = append(refs, in.Email.InReplyTo)
		}
	}
	if len(refs) > 0 {
		b.Queue(`SELECT c.id, c.status FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.email_message_id = ANY($1) ORDER BY m.id DESC LIMIT 1`, refs)
	}
	hintIDs := make([]int64, 0, len(in.Hints))
	for _, h := range in.Hints {
		hintIDs = append(hintIDs, h.ConversationID)
	}
	if len(hintIDs) > 0 {
		b.Queue(`SELECT id, status FROM conversations WHERE id = ANY($1)`, hintIDs)
	}
	return lookupPlan{refs: len(refs) > 0, hints: len(hintIDs) > 0}
}

// readLookup reads what queueLookup queued, a looked for each message.
func readLookup(br pgx.BatchResults, ins []*Inbound, plans []lookupPlan) ([]looked, error) {
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("inbox: ingest: plan generically: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("inbox: ingest: lock identities: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("inbox: ingest: lock contacts: %w", err)
	}
	out := make([]looked, len(ins))
	err := readPerMessage(br, len(ins), "find stored copies and identities", func(rows pgx.Rows, i int) error {
		var dupID, dupConv, dupContact, contactID *int64
		var verified, unnamed *bool
		if err := rows.Scan(&dupID, &dupConv, &dupContact, &contactID, &verified, &unnamed); err != nil {
			return err
		}
		if dupID != nil {
			out[i].existing = &IngestResult{MessageID: *dupID, ConversationID: *dupConv, ContactID: *dupContact, Duplicate: true}
		}
		if contactID != nil {
			out[i].contactID, out[i].verified, out[i].unnamed = *contactID, *verified, *unnamed
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, in := range ins {
		if err := readThreadReads(br, in, plans[i], &out[i]); err != nil {
			return nil, err
		}
	}
	err = readPerMessage(br, len(ins), "contacts' conversations", func(rows pgx.Rows, i int) error {
		var id *int64
		var st *Status
		if err := rows.Scan(&id, &st); err != nil {
			return err
		}
		if id != nil {
			out[i].cands = append(out[i].cands, candidate{id: *id, status: *st, reason: ThreadedByContactOpen})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// readPerMessage reads the next result of br, a statement over the wave that answers one row
// per message in the wave's order, handing each row and its message's index to scan.
func readPerMessage(br pgx.BatchResults, n int, what string, scan func(rows pgx.Rows, i int) error) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("inbox: ingest: %s: %w", what, err)
	}
	defer rows.Close()
	i := 0
	for ; rows.Next(); i++ {
		if i >= n {
			return fmt.Errorf("inbox: ingest: %s: more rows than the %d messages", what, n)
		}
		if err := scan(rows, i); err != nil {
			return fmt.Errorf("inbox: ingest: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("inbox: ingest: %s: %w", what, err)
	}
	if i != n {
		return fmt.Errorf("inbox: ingest: %s: %d rows for %d messages", what, i, n)
	}
	return nil
}

// readThreadReads reads what queueThreadReads queued into l's candidates.
func readThreadReads(br pgx.BatchResults, in *Inbound, plan lookupPlan, l *looked) error {
	if plan.refs {
		ref := candidate{reason: ThreadedByReference}
		err := br.QueryRow().Scan(&ref.id, &ref.status)
		switch {
		case err == nil:
			l.cands = append(l.cands, ref)
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("inbox: ingest: follow references: %w", err)
		}
	}
	if plan.hints {
		hinted, err := readHints(br, in.Hints)
		if err != nil {
			return err
		}
		l.cands = append(l.cands, hinted...)
	}
	return nil
}
