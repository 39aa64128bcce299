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

// Ingest stores a customer message in one transaction, as docs/architecture.md describes: it resolves the
// sender's identity to a contact (creating both if new), threads the message, inserts it
// idempotently on (channel, external id), enqueues the jobs it causes through Jobs and announces
// the change. A redelivered message changes nothing and reports Duplicate with the stored ids.
// Concurrent ingests share transactions (group commit) without changing these guarantees: when
// Ingest returns nil, the message, its jobs and its events are durable.
func (s *Store) Ingest(ctx context.Context, in Inbound) (IngestResult, error) {
	if err := in.normalize(s.region); err != nil {
		s.meter.Inbound(string(in.Channel), "failed")
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if err := typeAttributes(ctx, s.pool, &in); err != nil {
		s.meter.Inbound(string(in.Channel), "failed")
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if err := s.stage(ctx, &in); err != nil {
		s.meter.Inbound(string(in.Channel), "failed")
		return IngestResult{}, err
	}
	res, err := s.group.do(ctx, &in)
	if err != nil || res.Duplicate {
		s.unstage(ctx, in.Attachments)
	}
	s.meter.Inbound(string(in.Channel), ingestResult(res, err))
	return res, err
}

// IngestTx is Ingest inside the caller's transaction, for channels that record provider state
// (an IMAP UID, a Slack event id) in the same commit. The events are published on tx. For the
// rest of tx, cached statements use generic plans (plan_cache_mode, see queueLookup).
func (s *Store) IngestTx(ctx context.Context, tx pgx.Tx, in Inbound) (IngestResult, error) {
	if err := in.normalize(s.region); err != nil {
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if err := typeAttributes(ctx, tx, &in); err != nil {
		return IngestResult{}, fmt.Errorf("inbox: ingest: %w", err)
	}
	if err := s.stage(ctx, &in); err != nil {
		return IngestResult{}, err
	}
	results, events, deferred, err := s.ingestWave(ctx, tx, []*Inbound{&in})
	if err != nil {
		s.unstage(ctx, in.Attachments)
		return IngestResult{}, err
	}
	if results[0].Duplicate {
		s.unstage(ctx, in.Attachments)
	}
	if len(deferred) > 0 {
		return IngestResult{}, fmt.Errorf("inbox: ingest: a lone message was deferred")
	}
	res := results[0]
	if err := s.Publish(ctx, tx, events...); err != nil {
		return IngestResult{}, err
	}
	s.meter.Inbound(string(in.Channel), ingestResult(res, nil))
	return res, nil
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
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		var key *string
		if a.key != "" {
			key = &a.key
			tag, err := tx.Exec(ctx, `DELETE FROM uploads WHERE store_key = $1`, a.key)
			if err != nil {
				return fmt.Errorf("inbox: ingest: attachment: %w", err)
			}
			if a.held && tag.RowsAffected() == 0 {
				return fmt.Errorf("inbox: ingest: %w", invalid("attachments", "%s was already sent or is gone", a.Filename))
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO attachments (message_id, filename, content_type, content_id, size, store_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, messageID, a.Filename, ct, a.ContentID, max(a.Size, 0), key, now); err != nil {
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
