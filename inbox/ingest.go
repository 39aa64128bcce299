package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// errRaced means a concurrent transaction stored the same external id first; the ingest is
// retried alone, and then finds the stored message.
var errRaced = errors.New("inbox: concurrent duplicate")

// Ingest stores a customer message in one transaction, as DESIGN.md describes: it resolves the
// sender's identity to a contact (creating both if new), threads the message, inserts it
// idempotently on (channel, external id), enqueues the jobs it causes through Jobs and announces
// the change. A redelivered message changes nothing and reports Duplicate with the stored ids.
// Concurrent ingests share transactions (group commit) without changing these guarantees: when
// Ingest returns nil, the message, its jobs and its events are durable.
func (s *Store) Ingest(ctx context.Context, in Inbound) (IngestResult, error) {
	if err := in.normalize(s.region); err != nil {
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	return s.group.do(ctx, &in)
}

// IngestTx is Ingest inside the caller's transaction, for channels that record provider state
// (an IMAP UID, a Slack event id) in the same commit. The events are published on tx.
func (s *Store) IngestTx(ctx context.Context, tx pgx.Tx, in Inbound) (IngestResult, error) {
	if err := in.normalize(s.region); err != nil {
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	res, events, err := s.ingestTx(ctx, tx, &in)
	if err != nil {
		return IngestResult{}, err
	}
	if err := s.Publish(ctx, tx, events...); err != nil {
		return IngestResult{}, err
	}
	return res, nil
}

// ingestTx does the work of one ingest on tx and returns the events to publish. It costs two
// round trips: one to lock and read everything threading needs, one to write.
func (s *Store) ingestTx(ctx context.Context, tx pgx.Tx, in *Inbound) (IngestResult, []Event, error) {
	now := s.now()
	at := in.ReceivedAt
	if at.IsZero() {
		at = now
	}
	look, err := lookup(ctx, tx, in)
	if err != nil {
		return IngestResult{}, nil, err
	}
	if look.existing != nil {
		return *look.existing, nil, nil
	}
	w := write{in: in, at: at, now: now}
	split := false
	if look.contactID != 0 && in.From.Verified && !look.verified {
		// Someone only claimed this address (typed it into a form); now its real owner writes
		// from it. The address moves to a contact of their own, so a claimant never reads the
		// owner's messages; an agent can merge the two if they are one person.
		if look.contactID, err = w.takeOver(ctx, tx, look.contactID); err != nil {
			return IngestResult{}, nil, err
		}
		look.verified, look.cands, split = true, withoutContactOwn(look.cands), true
	}
	if res, events, ok, err := s.intercepted(ctx, tx, in, look, at, now); ok || err != nil {
		return res, events, err
	}
	d := decideThread(look.cands, in.Auto != "")
	res := IngestResult{ContactID: look.contactID, ThreadedBy: d.reason, NewContact: split}
	w.d = d
	var conv convState
	switch {
	case look.contactID == 0 && d.conversationID == 0:
		conv, res.MessageID, err = w.contactConversationMessage(ctx, tx)
		res.ContactID, res.NewContact, res.NewConversation = conv.contactID, true, true
	case look.contactID == 0:
		// A new sender answering a thread we know (a colleague on an email thread).
		if look.contactID, err = w.contact(ctx, tx); err != nil {
			return IngestResult{}, nil, err
		}
		look.verified = in.From.Verified
		res.ContactID, res.NewContact = look.contactID, true
		conv, res.MessageID, err = w.message(ctx, tx, look)
	case d.conversationID == 0:
		conv, res.MessageID, err = w.conversationMessage(ctx, tx, look)
		res.NewConversation = true
	default:
		conv, res.MessageID, err = w.message(ctx, tx, look)
	}
	if err != nil {
		return IngestResult{}, nil, err
	}
	res.ConversationID = conv.id
	if err := addClaimed(ctx, tx, res.ContactID, in.Also, now); err != nil {
		return IngestResult{}, nil, err
	}
	if err := insertAttachments(ctx, tx, res.MessageID, in.Attachments, now); err != nil {
		return IngestResult{}, nil, err
	}
	var events []Event
	if res.NewConversation {
		events = append(events, conv.event(EventConversationCreated, at))
	}
	if d.reopen || d.wake {
		e := conv.event(EventConversationStatus, at)
		e.Previous = string(look.statusOf(d.conversationID))
		events = append(events, e)
	}
	e := conv.event(EventMessageCreated, at)
	e.MessageID, e.Direction, e.Channel = res.MessageID, DirectionInbound, in.Channel
	if in.Auto != "" {
		e.Data = map[string]any{"auto": in.Auto}
	}
	return res, append(events, e), nil
}

// looked is what the first round trip of an ingest learns.
type looked struct {
	existing  *IngestResult
	contactID int64
	verified  bool
	cands     []candidate
}

// lookup takes the sender's identity lock (so one sender's messages thread one at a time and a
// redelivery waits for the first copy's commit), then reads in one round trip: a stored copy of
// this message, the identity's contact, and the conversations the references and hints name.
func lookup(ctx context.Context, tx pgx.Tx, in *Inbound) (looked, error) {
	var refs []string
	if in.Email != nil {
		refs = append(refs, in.Email.References...)
		if in.Email.InReplyTo != "" {
			refs = append(refs, in.Email.InReplyTo)
		}
	}
	hintIDs := make([]int64, 0, len(in.Hints))
	for _, h := range in.Hints {
		hintIDs = append(hintIDs, h.ConversationID)
	}
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "identity:"+in.lockKey())
	b.Queue(`SELECT id, conversation_id, coalesce(contact_id, 0) FROM messages WHERE channel = $1 AND external_id = $2`,
		in.Channel, in.ExternalID)
	b.Queue(`SELECT contact_id, verified FROM contact_identities WHERE kind = $1 AND address = $2`,
		in.From.Kind, in.From.Address)
	if len(refs) > 0 {
		b.Queue(`SELECT c.id, c.status FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.email_message_id = ANY($1) ORDER BY m.id DESC LIMIT 1`, refs)
	}
	if len(hintIDs) > 0 {
		b.Queue(`SELECT id, status FROM conversations WHERE id = ANY($1)`, hintIDs)
	}
	// The contact's own conversation, with the contact locked so that two channels of one merged
	// customer thread one at a time: the newest active one (new, open, pending) whatever its
	// channel, else the newest resolved one, else the newest.
	b.Queue(`WITH k AS (SELECT c.id FROM contacts c JOIN contact_identities i ON i.contact_id = c.id
			WHERE i.kind = $1 AND i.address = $2 FOR UPDATE OF c)
		SELECT v.id, v.status FROM conversations v, k WHERE v.contact_id = k.id
		ORDER BY v.status IN ('new', 'open', 'pending') DESC, v.status = 'resolved' DESC, v.id DESC
		LIMIT 1`, in.From.Kind, in.From.Address)
	br := tx.SendBatch(ctx, b)
	defer br.Close()

	var out looked
	if _, err := br.Exec(); err != nil {
		return out, fmt.Errorf("inbox: ingest: lock identity: %w", err)
	}
	var dup IngestResult
	err := br.QueryRow().Scan(&dup.MessageID, &dup.ConversationID, &dup.ContactID)
	switch {
	case err == nil:
		dup.Duplicate = true
		out.existing = &dup
	case !errors.Is(err, pgx.ErrNoRows):
		return out, fmt.Errorf("inbox: ingest: find stored copy: %w", err)
	}
	err = br.QueryRow().Scan(&out.contactID, &out.verified)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return out, fmt.Errorf("inbox: ingest: find identity: %w", err)
	}
	if len(refs) > 0 {
		ref := candidate{reason: ThreadedByReference}
		err = br.QueryRow().Scan(&ref.id, &ref.status)
		switch {
		case err == nil:
			out.cands = append(out.cands, ref)
		case !errors.Is(err, pgx.ErrNoRows):
			return out, fmt.Errorf("inbox: ingest: follow references: %w", err)
		}
	}
	if len(hintIDs) > 0 {
		hinted, err := readHints(br, in.Hints)
		if err != nil {
			return out, err
		}
		out.cands = append(out.cands, hinted...)
	}
	own := candidate{reason: ThreadedByContactOpen}
	err = br.QueryRow().Scan(&own.id, &own.status)
	switch {
	case err == nil:
		out.cands = append(out.cands, own)
	case !errors.Is(err, pgx.ErrNoRows):
		return out, fmt.Errorf("inbox: ingest: contact's conversation: %w", err)
	}
	return out, nil
}

// withoutContactOwn drops the contact's own conversation from the candidates, keeping the
// references and hints.
func withoutContactOwn(cands []candidate) []candidate {
	out := cands[:0:0]
	for _, c := range cands {
		if c.reason != ThreadedByContactOpen {
			out = append(out, c)
		}
	}
	return out
}

// readHints reads the hinted conversations that exist, as candidates in the hints' order.
func readHints(br pgx.BatchResults, hints []ThreadHint) ([]candidate, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("inbox: ingest: hints: %w", err)
	}
	found := map[int64]Status{}
	for rows.Next() {
		var id int64
		var st Status
		if err := rows.Scan(&id, &st); err != nil {
			return nil, fmt.Errorf("inbox: ingest: hints: %w", err)
		}
		found[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("inbox: ingest: hints: %w", err)
	}
	var out []candidate
	for _, h := range hints {
		if st, ok := found[h.ConversationID]; ok {
			out = append(out, candidate{id: h.ConversationID, status: st, reason: h.Reason})
		}
	}
	return out, nil
}

// statusOf is the status a candidate conversation had when looked up.
func (l looked) statusOf(id int64) Status {
	for _, c := range l.cands {
		if c.id == id {
			return c.status
		}
	}
	return ""
}

// addClaimed attaches addresses nobody holds yet to the contact: claimed, unless the channel
// vouches for them (Verified).
func addClaimed(ctx context.Context, tx pgx.Tx, contactID int64, ids []Identity, now time.Time) error {
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, address) DO NOTHING`,
			contactID, id.Kind, id.Address, id.Verified, now); err != nil {
			return fmt.Errorf("inbox: ingest: add identity: %w", err)
		}
	}
	return nil
}

// convState is what events need to know of a conversation.
type convState struct {
	id, contactID, inboxID, teamID, assigneeID int64
	channel                                    Channel
	status                                     Status
	priority                                   Priority
}

func (c convState) event(typ string, at time.Time) Event {
	return Event{Type: typ, ConversationID: c.id, ContactID: c.contactID, InboxID: c.inboxID,
		TeamID: c.teamID, AssigneeID: c.assigneeID, Channel: c.channel, Status: c.status,
		Priority: c.priority, At: at}
}

const convStateCols = `id, contact_id, coalesce(inbox_id, 0), coalesce(team_id, 0), coalesce(assignee_id, 0), channel, status, priority`

func scanConvState(row pgx.Row) (convState, error) {
	var c convState
	err := row.Scan(&c.id, &c.contactID, &c.inboxID, &c.teamID, &c.assigneeID, &c.channel, &c.status, &c.priority)
	return c, err
}

func insertAttachments(ctx context.Context, tx pgx.Tx, messageID int64, atts []NewAttachment, now time.Time) error {
	for _, a := range atts {
		content := a.Content
		size := a.Size
		if size == 0 {
			size = len(content)
		}
		if len(content) > MaxAttachmentSize {
			content = nil
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO attachments (message_id, filename, content_type, content_id, size, content, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, messageID, a.Filename, ct, a.ContentID, size, content, now); err != nil {
			return fmt.Errorf("inbox: ingest: attachment: %w", err)
		}
	}
	return nil
}

// subjectOf is the conversation's subject: the message's, or the start of its text.
func subjectOf(in *Inbound) string {
	if in.Subject != "" {
		return in.Subject
	}
	line, _, _ := strings.Cut(strings.TrimSpace(in.Text), "\n")
	if utf8.RuneCountInString(line) > 80 {
		r := []rune(line)
		line = string(r[:79]) + "…"
	}
	return line
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
