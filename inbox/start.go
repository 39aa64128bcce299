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

// AuditConversationStarted is the trail entry of a conversation an agent started
// (Scope.StartConversation): the channel, inbox and address the opening message went to.
const AuditConversationStarted = "conversation.started"

// NewConversation is an outbound conversation an agent starts: an email or an SMS to a contact
// (ContactID) or to an address or number (To), never both.
type NewConversation struct {
	// ContactID is the contact written to; their address of the channel's kind is used,
	// verified first, else claimed.
	ContactID int64
	// To is an email address or a phone number (normalized to E.164 in the store's region). The
	// contact holding it is written to; nobody holding it, a contact is created with it, claimed.
	To string
	// Channel is ChannelEmail or ChannelSMS; InboxID an enabled inbox of that channel.
	Channel Channel
	InboxID int64
	// Subject is required for email, at most MaxSubjectChars on one line; an SMS has none (the
	// conversation is named after the text's first line, as an SMS that arrives is).
	Subject string
	// Text is the opening message, checked as a reply's text is.
	Text string
	// Key, when set, is the caller's idempotency key (1-255 visible ASCII characters): the same
	// agent starting with the same key again gets the conversation the key started (Started.
	// Replayed), and nothing is written; the key with another request is ErrConflict.
	Key string
}

// Started is what StartConversation did: the conversation, and whether it was started earlier
// with the same key (nothing written this time).
type Started struct {
	Conversation Conversation
	Replayed     bool
}

// StartConversation opens a conversation with the customer on the agent's initiative, in one
// transaction: the contact (found or created, as an ingest would), the conversation (open,
// team of the inbox, assigned to the agent, already routed: the agent chose its inbox and
// owner), a "conversation.started" trail entry, then the opening message written exactly as a
// reply (WriteTx: queued, its deliver job, its message.created event, the ReplyChecker, so an
// SMS to a number that texted STOP is refused with the channel's reason), which sets it pending:
// it waits on the customer, whose answer wakes it (threading: the email's Message-ID and plus
// address, or the contact's open conversation). The events are conversation.created,
// message.created and conversation.status.
//
// The viewer must see conversations of the inbox's team (Viewer.Sees with nobody assigned),
// else the inbox is ErrNotFound; a ContactID they may not see is ErrNotFound. Bad input is a
// *ValidationError naming the field; nothing is stored on any refusal. With n.Key, a start the
// agent's key made before is answered instead (Replayed), and the key with another request is
// ErrConflict (see conversation_starts, migration 255).
func (sc Scope) StartConversation(ctx context.Context, n NewConversation, by Actor) (Started, error) {
	if by.AgentID == 0 {
		return Started{}, fmt.Errorf("inbox: start conversation: %w", invalid("agent", "a conversation is started by an agent"))
	}
	n, kind, err := n.checked(sc.s.region)
	if err != nil {
		return Started{}, fmt.Errorf("inbox: start conversation: %w", err)
	}
	var id int64
	var replayed bool
	err = sc.s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		replayed = false
		if id, err = startedWith(ctx, tx, n, by); err != nil || id != 0 {
			replayed = id != 0
			return err
		}
		if id, err = sc.startTx(ctx, tx, n, kind, by); err != nil {
			return err
		}
		return keepKey(ctx, tx, n, by, id, sc.s.now())
	})
	if err != nil {
		return Started{}, err
	}
	c, err := sc.s.GetConversation(ctx, id)
	if err != nil {
		return Started{}, err
	}
	if !sc.v.SeesConversation(c) { // a replay of a conversation given away since
		return Started{}, hidden("conversation", id)
	}
	sc.visible[id], sc.contacts[c.ContactID] = true, true
	return Started{Conversation: c, Replayed: replayed}, nil
}

// checked returns n trimmed and checked before any statement, with the identity kind its
// channel writes to; To comes back normalized.
func (n NewConversation) checked(region string) (NewConversation, IdentityKind, error) {
	var kind IdentityKind
	switch n.Channel {
	case ChannelEmail:
		kind = IdentityEmail
	case ChannelSMS:
		kind = IdentityPhone
	case "":
		return n, "", invalid("channel", "is required: email or sms")
	default:
		return n, "", invalid("channel", "a conversation is started by email or sms, not %q", n.Channel)
	}
	n.To = strings.TrimSpace(n.To)
	switch {
	case n.ContactID != 0 && n.To != "":
		return n, "", invalid("to", "give contact_id or to, not both")
	case n.ContactID == 0 && n.To == "":
		return n, "", invalid("to", "give contact_id or to: whom to write to")
	case n.ContactID < 0:
		return n, "", invalid("contact_id", "must be a contact's id")
	}
	if n.InboxID <= 0 {
		return n, "", invalid("inbox_id", "is required: the %s inbox to write from", n.Channel)
	}
	if n.To != "" {
		to, err := NormalizeIdentity(kind, n.To, region)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				return n, "", invalid("to", "%s", ve.Reason)
			}
			return n, "", err
		}
		n.To = to
	}
	if n.Key != "" && !validKey(n.Key) {
		return n, "", invalid("idempotency_key", "is 1-255 visible ASCII characters")
	}
	n.Subject = strings.TrimSpace(n.Subject)
	if kind == IdentityPhone {
		n.Subject = ""
	} else {
		switch {
		case n.Subject == "":
			return n, "", invalid("subject", "an email needs a subject")
		case utf8.RuneCountInString(n.Subject) > MaxSubjectChars:
			return n, "", invalid("subject", "longer than %d characters", MaxSubjectChars)
		case strings.ContainsAny(n.Subject, "\r\n"):
			return n, "", invalid("subject", "must be one line")
		}
		if err := CleanAgentText("subject", n.Subject); err != nil {
			return n, "", err
		}
	}
	return n, kind, nil
}

// startTx is StartConversation's transaction; it returns the new conversation's id.
func (sc Scope) startTx(ctx context.Context, tx pgx.Tx, n NewConversation, kind IdentityKind, by Actor) (int64, error) {
	var in Inbox
	err := scanInbox(tx.QueryRow(ctx, "SELECT "+inboxCols+" FROM inboxes WHERE id = $1", n.InboxID), &in)
	if err != nil {
		return 0, fmt.Errorf("inbox: start conversation: inbox %d: %w", n.InboxID, notFound(err))
	}
	if !sc.v.Sees(deref(in.TeamID), 0) {
		return 0, hidden("inbox", n.InboxID)
	}
	if in.Kind != n.Channel {
		return 0, fmt.Errorf("inbox: start conversation: %w", invalid("inbox_id", "inbox %q is a %s inbox, not %s", in.Name, in.Kind, n.Channel))
	}
	if in.Disabled() {
		return 0, fmt.Errorf("inbox: start conversation: %w", invalid("inbox_id", "inbox %q is disabled", in.Name))
	}
	if err := checkAssignee(ctx, tx, by.AgentID); err != nil {
		return 0, err
	}
	now := sc.s.now()
	contactID, to, created := n.ContactID, n.To, false
	if to != "" {
		if contactID, created, err = holderOrNew(ctx, tx, kind, to, now); err != nil {
			return 0, err
		}
	} else {
		if to, err = sc.addressOf(ctx, tx, contactID, kind); err != nil {
			return 0, err
		}
	}
	subject := n.Subject
	if n.Channel == ChannelSMS {
		subject = subjectOf(&Inbound{Text: n.Text})
	}
	c, err := scanConvState(tx.QueryRow(ctx, `INSERT INTO conversations (contact_id, inbox_id, channel, status, subject,
			team_id, assignee_id, routed_at, created_at, last_activity_at)
		VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $7, $7) RETURNING `+convStateCols,
		contactID, in.ID, n.Channel, subject, in.TeamID, by.AgentID, now))
	if err != nil {
		return 0, fmt.Errorf("inbox: start conversation: %w", err)
	}
	data := map[string]any{"channel": n.Channel, "inbox_id": in.ID, "to": to}
	if created {
		data["new_contact"] = true
	}
	if err := sc.s.record(ctx, tx, c, by, AuditConversationStarted, data, c.event(EventConversationCreated, now)); err != nil {
		return 0, err
	}
	_, err = sc.s.WriteTx(ctx, tx, Reply{ConversationID: c.id, Author: by, Text: n.Text, Channel: n.Channel, InboxID: in.ID,
		Metadata: map[string]any{"to": to}, SetStatus: StatusPending}, DirectionOutbound)
	if err != nil {
		return 0, err
	}
	return c.id, nil
}

// holderOrNew returns the contact holding address (kind) and locks it, or creates one holding
// it, claimed (created true). The ingest's identity lock is taken first, so a message from the
// address meanwhile waits and then finds this contact, and the contact is locked before the
// conversation is written, as an ingest locks it before reading its conversations.
func holderOrNew(ctx context.Context, tx pgx.Tx, kind IdentityKind, address string, now time.Time) (int64, bool, error) {
	key := "identity:" + string(kind) + ":" + address
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return 0, false, fmt.Errorf("inbox: start conversation: lock: %w", err)
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT k.id FROM contact_identities i JOIN contacts k ON k.id = i.contact_id
		WHERE i.kind = $1 AND i.address = $2 FOR NO KEY UPDATE OF k`, kind, address).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("inbox: start conversation: find %s: %w", kind, err)
	}
	err = tx.QueryRow(ctx, `WITH k AS (INSERT INTO contacts (name, created_at, updated_at) VALUES ('', $1, $1) RETURNING id)
		INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
		SELECT id, $2, $3, false, $1 FROM k RETURNING contact_id`, now, kind, address).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("inbox: start conversation: create contact: %w", err)
	}
	return id, true, nil
}

// addressOf locks contact id, which the viewer must see, and returns its address of kind:
// verified first, then the most recent.
func (sc Scope) addressOf(ctx context.Context, tx pgx.Tx, id int64, kind IdentityKind) (string, error) {
	var merged *int64
	var erased bool
	err := tx.QueryRow(ctx, `SELECT merged_into, erased_at IS NOT NULL FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&merged, &erased)
	if err != nil {
		return "", fmt.Errorf("inbox: start conversation: contact %d: %w", id, notFound(err))
	}
	if ok, err := sc.seesContacts(ctx, tx, []int64{id}, false); err != nil || !ok {
		if err != nil {
			return "", err
		}
		return "", hidden("contact", id)
	}
	switch {
	case merged != nil:
		return "", fmt.Errorf("inbox: start conversation: %w", invalid("contact_id", "contact %d was merged into contact %d: write to that one", id, *merged))
	case erased:
		return "", fmt.Errorf("inbox: start conversation: %w", invalid("contact_id", "contact %d was erased", id))
	}
	var address string
	err = tx.QueryRow(ctx, `SELECT address FROM contact_identities WHERE contact_id = $1 AND kind = $2
		ORDER BY verified DESC, id DESC LIMIT 1`, id, kind).Scan(&address)
	if errors.Is(err, pgx.ErrNoRows) {
		what := "email address"
		if kind == IdentityPhone {
			what = "phone number"
		}
		return "", fmt.Errorf("inbox: start conversation: %w", invalid("contact_id", "the contact has no %s", what))
	}
	if err != nil {
		return "", fmt.Errorf("inbox: start conversation: address of contact %d: %w", id, err)
	}
	return address, nil
}

// StartInboxes lists the inboxes the viewer may start a conversation from: the enabled email
// and SMS inboxes of a team whose conversations they see (all of them for supervisors and
// admins), by kind then name.
func (sc Scope) StartInboxes(ctx context.Context) ([]Inbox, error) {
	rows, err := sc.s.pool.Query(ctx, "SELECT "+inboxCols+` FROM inboxes
		WHERE kind IN ('email', 'sms') AND disabled_at IS NULL ORDER BY kind, name, id`)
	if err != nil {
		return nil, fmt.Errorf("inbox: start inboxes: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Inbox, error) {
		var in Inbox
		err := scanInbox(r, &in)
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: start inboxes: %w", err)
	}
	out := all[:0]
	for _, in := range all {
		if sc.v.Sees(deref(in.TeamID), 0) {
			out = append(out, in)
		}
	}
	return out, nil
}
