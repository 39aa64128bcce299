package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/custtext"
)

// write is what the second round trip of an ingest stores for one message: the message, and
// the contact and conversation it needs. Most messages are written with the others of their
// wave, in one statement per kind (firstWrites, replyWrites); the rest queue statements of
// their own in the wave's pipelined batch.
type write struct {
	in  *Inbound
	at  time.Time // when the message was received
	now time.Time
	d   threadDecision
	// route is the routing the conversation a first-time sender starts is written with (see
	// Store.routeFirst), or nil.
	route *Routing
}

// waitingSince is when the message starts the customer's wait for a reply: its time, or none
// for an automatic message (an out-of-office awaits nobody).
func (w write) waitingSince() *time.Time {
	if w.in.Auto != "" {
		return nil
	}
	return &w.at
}

// args collects a statement's parameters and names their placeholders.
type args []any

func (a *args) p(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// insertConversation is an INSERT of a new conversation for the known contact contactID, in
// the inbox of the message, with that inbox's team, returning convStateCols. (A first-time
// sender's conversation, which may be routed as it is written, is firstWrites'.)
func (w write) insertConversation(a *args, contactID int64) string {
	inboxID := a.p(nonZero(w.in.InboxID))
	return `INSERT INTO conversations (contact_id, inbox_id, channel, subject, team_id, previous_id, created_at, last_activity_at, waiting_since, language)
		SELECT ` + a.p(contactID) + `::bigint, ` + inboxID + `::bigint, ` + a.p(w.in.Channel) + `, ` + a.p(subjectOf(w.in)) + `,
			(SELECT team_id FROM inboxes WHERE id = ` + inboxID + `::bigint), ` + a.p(nonZero(w.d.previousID)) + `::bigint, ` +
		a.p(w.at) + `::timestamptz, ` + a.p(w.at) + `::timestamptz, ` + a.p(w.waitingSince()) + `::timestamptz, ` +
		a.p(languageOf(w.in)) + `::text RETURNING ` + convStateCols
}

// languageOf is the language a new conversation of in remembers: the channel's, when shipped;
// NULL (the inbox's) otherwise.
func languageOf(in *Inbound) *string {
	if !custtext.Supported(in.Language) {
		return nil
	}
	return &in.Language
}

// insertMessage is an INSERT of the inbound message into the conversation and contact that
// convExpr and contactExpr yield (from the rows of from), returning its id; nothing when the
// external id is taken.
func (w write) insertMessage(a *args, convExpr, contactExpr, from string) (string, error) {
	meta, err := json.Marshal(orEmpty(w.in.Metadata))
	if err != nil {
		return "", fmt.Errorf("inbox: ingest: metadata: %w", err)
	}
	var mid, irt *string
	refs := []string{}
	if e := w.in.Email; e != nil {
		mid, irt, refs = strOrNil(e.MessageID), strOrNil(e.InReplyTo), append(refs, e.References...)
	}
	return `INSERT INTO messages (conversation_id, contact_id, direction, channel, inbox_id, external_id, text, html,
			email_message_id, email_in_reply_to, email_references, delivery_status, threaded_by, auto, metadata, created_at)
		SELECT ` + convExpr + `, ` + contactExpr + `, 'inbound', ` + a.p(w.in.Channel) + `, ` + a.p(nonZero(w.in.InboxID)) + `::bigint, ` +
		a.p(w.in.ExternalID) + `, ` + a.p(w.in.Text) + `, ` + a.p(w.in.HTML) + `, ` + a.p(mid) + `::text, ` + a.p(irt) + `::text, ` +
		a.p(refs) + `::text[], 'received', ` + a.p(w.d.reason) + `, ` + a.p(w.in.Auto) + `, ` + a.p(meta) + `::jsonb, ` +
		a.p(w.at) + `::timestamptz ` + from + `
		ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`, nil
}

// contact stores a new sender and their identity.
func (w write) contact(ctx context.Context, tx pgx.Tx) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `WITH k AS (INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id)
		INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
		SELECT id, $3, $4, $5, $2 FROM k RETURNING contact_id`,
		w.in.Name, w.now, w.in.From.Kind, w.in.From.Address, w.in.From.Verified).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inbox: ingest: create contact: %w", err)
	}
	return id, nil
}

// takeOver moves a claimed address to a new contact of its proven owner and returns that
// contact, with an audit entry on the claimant.
func (w write) takeOver(ctx context.Context, tx pgx.Tx, claimant int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `WITH k AS (INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id)
		UPDATE contact_identities i SET contact_id = k.id, verified = true FROM k
		WHERE i.kind = $3 AND i.address = $4 RETURNING k.id`,
		w.in.Name, w.now, w.in.From.Kind, w.in.From.Address).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("inbox: ingest: take over claimed address: %w", err)
	}
	data, _ := json.Marshal(map[string]any{"kind": w.in.From.Kind, "address": w.in.From.Address, "to_contact": id})
	if _, err := tx.Exec(ctx, `INSERT INTO conversation_events (contact_id, actor, kind, data, created_at)
		VALUES ($1, 'system', 'identity-proven-elsewhere', $2, $3)`, claimant, data, w.now); err != nil {
		return 0, fmt.Errorf("inbox: ingest: take over claimed address: %w", err)
	}
	return id, nil
}

// agentWroteTo reports whether an agent wrote to the address from on a conversation of contact
// (the "to" of an outbound message of theirs on its channel): the rare path of a claimed
// address proven by its owner, read only then.
func agentWroteTo(ctx context.Context, tx pgx.Tx, contactID int64, from Identity) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.contact_id = $1 AND m.direction = 'outbound' AND m.author_agent_id IS NOT NULL
			AND m.channel = $2 AND m.metadata->>'to' = $3)`, contactID, from.Kind.Channel(), from.Address).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("inbox: ingest: claimed address: %w", err)
	}
	return ok, nil
}

// queueConversationMessage queues a new conversation for a known contact, with the message.
func (w write) queueConversationMessage(b *pgx.Batch, look looked) (pendingWrite, error) {
	var a args
	conv := w.insertConversation(&a, look.contactID)
	msg, err := w.insertMessage(&a, "v.id", "v.contact_id", "FROM v")
	if err != nil {
		return pendingWrite{}, err
	}
	plain := w.touchContact(b, look)
	b.Queue(`WITH v AS (`+conv+`), m AS (`+msg+`) SELECT v.*, (SELECT id FROM m) FROM v`, a...)
	return pendingWrite{plain: plain}, nil
}

// queueMessage queues what a message into an existing conversation tells besides itself (see
// touchContact) and, when it reopens or wakes the conversation, the change's audit entry; the
// conversation's change and the message are replyWrites', written for the wave in one
// statement after these.
func (w write) queueMessage(b *pgx.Batch, look looked) pendingWrite {
	plain := w.touchContact(b, look)
	if w.d.reopen || w.d.wake {
		from := look.statusOf(w.d.conversationID)
		entry := map[string]any{"from": from, "to": StatusOpen, "why": "customer replied"}
		if from == StatusSnoozed {
			entry["woke"] = WokeCustomer
		}
		data, _ := json.Marshal(entry)
		b.Queue(`INSERT INTO conversation_events (conversation_id, contact_id, actor, kind, data, created_at)
			VALUES ($1, $2, 'customer', 'status', $3, $4)`, w.d.conversationID, look.contactID, data, w.now)
		plain++
	}
	return pendingWrite{plain: plain, inSet: true}
}

// touchContact queues what a known sender's message newly tells of them (a name, a
// verification of their address) and returns how many statements it queued.
func (w write) touchContact(b *pgx.Batch, look looked) int {
	n := 0
	if w.in.Name != "" && look.unnamed {
		b.Queue(`UPDATE contacts SET name = $2 WHERE id = $1 AND name = ''`, look.contactID, w.in.Name)
		n++
	}
	if w.in.From.Verified && !look.verified {
		b.Queue(`UPDATE contact_identities SET verified = true WHERE kind = $1 AND address = $2`, w.in.From.Kind, w.in.From.Address)
		n++
	}
	return n
}

// scanWritten reads a row of convStateCols followed by the new message's id; no id means a
// concurrent transaction took the external id first.
func scanWritten(row pgx.Row) (convState, int64, error) {
	var c convState
	var mid *int64
	if err := row.Scan(&c.id, &c.contactID, &c.inboxID, &c.teamID, &c.assigneeID, &c.channel, &c.status, &c.priority, &mid); err != nil {
		return c, 0, fmt.Errorf("inbox: ingest: write: %w", err)
	}
	if mid == nil {
		return c, 0, errRaced
	}
	return c, *mid, nil
}

// pendingWrite is a queued write whose results are still to be read: plain statements first,
// then, unless its message is written in a wave's set (inSet: replyWrites), a row of the
// conversation's state carrying the message id.
type pendingWrite struct {
	plain int
	inSet bool
}

// written is what the row of a message's write tells.
type written struct {
	conv      convState
	messageID int64
	// inboxTeam is the team of the conversation's inbox (0: none), read for a first-time
	// sender's conversation (firstWrites), which may be written routed.
	inboxTeam int64
}

// read reads a pendingWrite's results from the batch it was queued in; own is false when its
// message's row is a set's, read with the set.
func (p pendingWrite) read(br pgx.BatchResults) (w written, own bool, err error) {
	for range p.plain {
		if _, err := br.Exec(); err != nil {
			return written{}, false, fmt.Errorf("inbox: ingest: write: %w", err)
		}
	}
	if p.inSet {
		return written{}, false, nil
	}
	w.conv, w.messageID, err = scanWritten(br.QueryRow())
	return w, err == nil, err
}
