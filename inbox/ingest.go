package inbox

import (
	"context"
	"encoding/json"
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

// ingestTx does the work of one ingest on tx and returns the events to publish.
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
	res := IngestResult{ContactID: look.contactID}
	if res.ContactID == 0 {
		if res.ContactID, err = createContact(ctx, tx, in, now); err != nil {
			return IngestResult{}, nil, err
		}
		res.NewContact = true
	} else if err := touchContact(ctx, tx, res.ContactID, in, look.verified, now); err != nil {
		return IngestResult{}, nil, err
	}
	cands := look.cands
	if !res.NewContact {
		latest, err := latestConversation(ctx, tx, res.ContactID)
		if err != nil {
			return IngestResult{}, nil, err
		}
		if latest != nil {
			cands = append(cands, *latest)
		}
	}
	d := decideThread(cands, in.Auto != "")
	res.ThreadedBy = d.reason

	var events []Event
	conv := convState{id: d.conversationID}
	if conv.id == 0 {
		if conv, err = createConversation(ctx, tx, in, res.ContactID, d.previousID, at); err != nil {
			return IngestResult{}, nil, err
		}
		res.NewConversation = true
		events = append(events, conv.event(EventConversationCreated, at))
	} else {
		previous := conv.status
		if conv, err = touchConversation(ctx, tx, conv.id, d, at); err != nil {
			return IngestResult{}, nil, err
		}
		if d.reopen || d.wake {
			e := conv.event(EventConversationStatus, at)
			e.Previous = string(previous)
			events = append(events, e)
			if err := audit(ctx, tx, auditEntry{conversationID: &conv.id, contactID: &res.ContactID,
				actor: "customer", kind: "status", data: map[string]any{"from": previous, "to": conv.status, "why": "customer replied"}, at: now}); err != nil {
				return IngestResult{}, nil, err
			}
		}
	}
	res.ConversationID = conv.id
	if res.MessageID, err = insertInbound(ctx, tx, in, res, at); err != nil {
		return IngestResult{}, nil, err
	}
	if err := insertAttachments(ctx, tx, res.MessageID, in.Attachments, now); err != nil {
		return IngestResult{}, nil, err
	}
	e := conv.event(EventMessageCreated, at)
	e.MessageID = res.MessageID
	e.Direction = DirectionInbound
	e.Channel = in.Channel
	if in.Auto != "" {
		e.Data = map[string]any{"auto": in.Auto}
	}
	events = append(events, e)
	return res, events, nil
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
	b.Queue(`SELECT c.id, c.status FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.email_message_id = ANY($1) ORDER BY m.id DESC LIMIT 1`, refs)
	b.Queue(`SELECT id, status FROM conversations WHERE id = ANY($1)`, hintIDs)
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
	var ref candidate
	err = br.QueryRow().Scan(&ref.id, &ref.status)
	switch {
	case err == nil:
		ref.reason = ThreadedByReference
		out.cands = append(out.cands, ref)
	case !errors.Is(err, pgx.ErrNoRows):
		return out, fmt.Errorf("inbox: ingest: follow references: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return out, fmt.Errorf("inbox: ingest: hints: %w", err)
	}
	found := map[int64]Status{}
	for rows.Next() {
		var id int64
		var st Status
		if err := rows.Scan(&id, &st); err != nil {
			return out, fmt.Errorf("inbox: ingest: hints: %w", err)
		}
		found[id] = st
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("inbox: ingest: hints: %w", err)
	}
	for _, h := range in.Hints {
		if st, ok := found[h.ConversationID]; ok {
			out.cands = append(out.cands, candidate{id: h.ConversationID, status: st, reason: h.Reason})
		}
	}
	return out, nil
}

func createContact(ctx context.Context, tx pgx.Tx, in *Inbound, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `WITH c AS (
			INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id)
		INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
		SELECT id, $3, $4, $5, $2 FROM c RETURNING contact_id`,
		in.Name, now, in.From.Kind, in.From.Address, in.From.Verified).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inbox: ingest: create contact: %w", err)
	}
	return id, addClaimed(ctx, tx, id, in.Also, now)
}

// touchContact fills in what a known contact's message newly tells: a name, a verification,
// further addresses.
func touchContact(ctx context.Context, tx pgx.Tx, contactID int64, in *Inbound, verified bool, now time.Time) error {
	if in.Name != "" {
		if _, err := tx.Exec(ctx, `UPDATE contacts SET name = $2 WHERE id = $1 AND name = ''`, contactID, in.Name); err != nil {
			return fmt.Errorf("inbox: ingest: name contact: %w", err)
		}
	}
	if in.From.Verified && !verified {
		if _, err := tx.Exec(ctx, `UPDATE contact_identities SET verified = true WHERE kind = $1 AND address = $2`,
			in.From.Kind, in.From.Address); err != nil {
			return fmt.Errorf("inbox: ingest: verify identity: %w", err)
		}
	}
	return addClaimed(ctx, tx, contactID, in.Also, now)
}

// addClaimed attaches addresses nobody holds yet to the contact, as claimed.
func addClaimed(ctx context.Context, tx pgx.Tx, contactID int64, ids []Identity, now time.Time) error {
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
			VALUES ($1, $2, $3, false, $4) ON CONFLICT (kind, address) DO NOTHING`,
			contactID, id.Kind, id.Address, now); err != nil {
			return fmt.Errorf("inbox: ingest: add identity: %w", err)
		}
	}
	return nil
}

// latestConversation locks the contact (so two channels of one merged customer thread one at a
// time) and returns the conversation a new message of theirs belongs to: the newest active one
// (new, open, pending) whatever its channel, else the newest resolved one, else the newest.
func latestConversation(ctx context.Context, tx pgx.Tx, contactID int64) (*candidate, error) {
	var c candidate
	err := tx.QueryRow(ctx, `WITH locked AS (SELECT id FROM contacts WHERE id = $1 FOR UPDATE)
		SELECT c.id, c.status FROM conversations c, locked WHERE c.contact_id = locked.id
		ORDER BY c.status IN ('new', 'open', 'pending') DESC, c.status = 'resolved' DESC, c.id DESC
		LIMIT 1`, contactID).Scan(&c.id, &c.status)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: ingest: latest conversation: %w", err)
	}
	c.reason = ThreadedByContactOpen
	return &c, nil
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

func createConversation(ctx context.Context, tx pgx.Tx, in *Inbound, contactID, previousID int64, at time.Time) (convState, error) {
	c, err := scanConvState(tx.QueryRow(ctx, `INSERT INTO conversations
			(contact_id, inbox_id, channel, subject, team_id, previous_id, created_at, last_activity_at)
		VALUES ($1, $2, $3, $4, (SELECT team_id FROM inboxes WHERE id = $2), $5, $6, $6)
		RETURNING `+convStateCols,
		contactID, nonZero(in.InboxID), in.Channel, subjectOf(in), nonZero(previousID), at))
	if err != nil {
		return c, fmt.Errorf("inbox: ingest: create conversation: %w", err)
	}
	return c, nil
}

// touchConversation records the customer's activity and applies a reopen or wake-up.
func touchConversation(ctx context.Context, tx pgx.Tx, id int64, d threadDecision, at time.Time) (convState, error) {
	c, err := scanConvState(tx.QueryRow(ctx, `UPDATE conversations SET
			last_activity_at = greatest(last_activity_at, $2),
			status = CASE WHEN $3 OR $4 THEN 'open' ELSE status END,
			resolved_at = CASE WHEN $3 THEN NULL ELSE resolved_at END
		WHERE id = $1 RETURNING `+convStateCols, id, at, d.reopen, d.wake))
	if err != nil {
		return c, fmt.Errorf("inbox: ingest: update conversation: %w", err)
	}
	return c, nil
}

func insertInbound(ctx context.Context, tx pgx.Tx, in *Inbound, res IngestResult, at time.Time) (int64, error) {
	meta, err := json.Marshal(orEmpty(in.Metadata))
	if err != nil {
		return 0, fmt.Errorf("inbox: ingest: metadata: %w", err)
	}
	var mid, irt *string
	refs := []string{}
	if in.Email != nil {
		mid, irt, refs = strOrNil(in.Email.MessageID), strOrNil(in.Email.InReplyTo), append(refs, in.Email.References...)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO messages
			(conversation_id, direction, channel, inbox_id, external_id, contact_id, text, html,
			 email_message_id, email_in_reply_to, email_references, delivery_status, threaded_by, auto,
			 metadata, created_at)
		VALUES ($1, 'inbound', $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12, $13, $14)
		ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
		res.ConversationID, in.Channel, nonZero(in.InboxID), in.ExternalID, res.ContactID, in.Text, in.HTML,
		mid, irt, refs, res.ThreadedBy, in.Auto, meta, at).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, errRaced
	}
	if err != nil {
		return 0, fmt.Errorf("inbox: ingest: insert message: %w", err)
	}
	return id, nil
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
