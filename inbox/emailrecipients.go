package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MaxEmailRecipients caps the addresses of one email (To, Cc and Bcc together).
const MaxEmailRecipients = 50

// EmailRecipients are the addresses an outbound email goes to. A reply keeps them in its
// metadata under "recipients"; the email channel writes To and Cc as headers and sends to
// Bcc as envelope recipients only.
type EmailRecipients struct {
	To  []string `json:"to"`
	Cc  []string `json:"cc,omitempty"`
	Bcc []string `json:"bcc,omitempty"`
}

// Empty reports whether no address is given.
func (r EmailRecipients) Empty() bool { return len(r.To)+len(r.Cc)+len(r.Bcc) == 0 }

// clean checks every address (a *ValidationError names the field and the bad address), keeps
// each bare and lower-cased, and drops repeats: an address in To is not copied again.
func (r EmailRecipients) clean() (EmailRecipients, error) {
	seen := map[string]bool{}
	var out EmailRecipients
	for _, l := range []struct {
		field string
		in    []string
		out   *[]string
	}{{"to", r.To, &out.To}, {"cc", r.Cc, &out.Cc}, {"bcc", r.Bcc, &out.Bcc}} {
		for _, raw := range l.in {
			a, err := mail.ParseAddress(strings.TrimSpace(raw))
			if err != nil || !strings.Contains(a.Address, "@") || strings.ContainsAny(a.Address, "\r\n") {
				return out, invalid(l.field, "%q is not an email address", raw)
			}
			addr := strings.ToLower(a.Address)
			if !seen[addr] {
				seen[addr] = true
				*l.out = append(*l.out, addr)
			}
		}
	}
	if len(seen) > MaxEmailRecipients {
		return out, invalid("to", "more than %d addresses", MaxEmailRecipients)
	}
	return out, nil
}

// RecipientsOf returns the recipients stored with message m ("recipients" in its metadata);
// ok is false when it has none.
func RecipientsOf(m Message) (r EmailRecipients, ok bool) {
	v, found := m.Metadata["recipients"]
	if !found {
		return r, false
	}
	b, err := json.Marshal(v)
	if err != nil || json.Unmarshal(b, &r) != nil {
		return EmailRecipients{}, false
	}
	return r, !r.Empty()
}

// ReplyAll is who a reply to conversation id goes to by default: To the sender of the
// customer's latest email, Cc the other addresses of its To and Cc, never an address of one of
// our email inboxes (plus-addresses included). Empty when the conversation holds no email
// from the customer.
func (s *Store) ReplyAll(ctx context.Context, id int64) (EmailRecipients, error) {
	return replyAll(ctx, s.pool, id)
}

func replyAll(ctx context.Context, db rowQuerier, id int64) (EmailRecipients, error) {
	var e struct {
		From string   `json:"from"`
		To   []string `json:"to"`
		Cc   []string `json:"cc"`
	}
	var own []string
	err := db.QueryRow(ctx, `SELECT coalesce((SELECT metadata->'email' FROM messages
			WHERE conversation_id = $1 AND direction = 'inbound' AND channel = 'email' AND auto = ''
			ORDER BY id DESC LIMIT 1), '{}'),
		coalesce((SELECT array_agg(lower(settings->>'address')) FROM inboxes
			WHERE kind = 'email' AND settings->>'address' IS NOT NULL), '{}')`, id).Scan(&e, &own)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return EmailRecipients{}, fmt.Errorf("inbox: reply-all %d: %w", id, err)
	}
	var out EmailRecipients
	if e.From == "" {
		return out, nil
	}
	from := strings.ToLower(e.From)
	out.To = []string{from}
	for _, a := range append(e.To, e.Cc...) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || a == from || slices.Contains(out.Cc, a) || ownAddress(own, a) || len(out.Cc)+1 >= MaxEmailRecipients {
			continue
		}
		out.Cc = append(out.Cc, a)
	}
	return out, nil
}

// ownAddress reports whether addr is one of the addresses in own, or a plus-address of one.
func ownAddress(own []string, addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	base, _, _ := strings.Cut(local, "+")
	return slices.Contains(own, base+"@"+domain)
}

// withRecipients fixes the recipients of an outbound email reply in its metadata: those asked
// for (checked; none at all means the customer alone), else reply-all when the customer's
// latest email had other recipients. System messages (r.Auto) go to the customer alone unless
// they name their recipients.
func withRecipients(ctx context.Context, tx pgx.Tx, convID int64, channel Channel, r Reply) (map[string]any, error) {
	if r.Recipients == nil {
		if channel != ChannelEmail || r.Auto != "" || r.Metadata["to"] != nil {
			return r.Metadata, nil
		}
		def, err := replyAll(ctx, tx, convID)
		if err != nil || len(def.Cc) == 0 {
			return r.Metadata, err
		}
		return withKey(r.Metadata, "recipients", def), nil
	}
	if r.Recipients.Empty() {
		return r.Metadata, nil
	}
	if channel != ChannelEmail {
		return nil, fmt.Errorf("inbox: reply: %w", invalid("to", "recipients are for email replies only"))
	}
	rc, err := r.Recipients.clean()
	if err != nil {
		return nil, fmt.Errorf("inbox: reply: %w", err)
	}
	meta := withKey(r.Metadata, "recipients", rc)
	if len(rc.To) > 0 {
		meta["to"] = rc.To[0]
	}
	return meta, nil
}

// withKey is a copy of meta with key set to v.
func withKey(meta map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(meta)+1)
	for k, x := range meta {
		out[k] = x
	}
	out[key] = v
	return out
}
