package email

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// SenderConfig configures a Sender. Store is required.
type SenderConfig struct {
	Store  *inbox.Store
	Logger *slog.Logger
	// SecretKey is PARLEY_SECRET_KEY; it keys the thread tokens and must be the Fetcher's.
	SecretKey string
	// TLSConfig replaces the system's TLS settings (tests give their own CA).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// Dial connects to the SMTP server; nil means a net.Dialer (tests inject their own).
	Dial Dialer
	// Relay, when set, is the SMTP server every message goes to in place of its inbox's (the
	// sandbox's sink, on loopback): the inbox's login is not sent to it, nor any other.
	Relay *Server
	// HTTPClient reaches the OAuth2 token endpoints of inboxes that sign in with OAuth2; nil
	// means an http.Client with a 30 s timeout. Tests give one that reaches their fake.
	HTTPClient *http.Client
}

// Sender sends outbound messages of email inboxes over SMTP; it implements channels.Sender for
// inbox.ChannelEmail.
type Sender struct {
	store  *inbox.Store
	log    *slog.Logger
	tokens ThreadTokens
	oauth  *oauthTokens
	cfg    SenderConfig
}

// NewSender returns a Sender for cfg.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sender{store: cfg.Store, log: cfg.Logger, tokens: NewThreadTokens(cfg.SecretKey), cfg: cfg,
		oauth: newOAuthTokens(cfg.Store, cfg.SecretKey, cfg.HTTPClient, cfg.Logger)}
}

// Send delivers an outbound message as an email from its inbox's address, through the inbox's
// SMTP server. Its Message-ID (<random@inbox-domain>, the receipt's ExternalID) is stored with
// the message before the send, so a retried delivery sends the same Message-ID; In-Reply-To
// and References chain it to the customer's latest email; Reply-To is the inbox's
// plus-address with the conversation's token (support+<token>@example.com) and the subject
// "Re: <subject> [#<conversation id>]", so that the customer's answer threads back even when
// their mail program drops the references. The body is the text and HTML escaped from it;
// attachments go along. System messages (Message.Auto) are marked Auto-Submitted.
//
// The recipients are those stored with the message (inbox.RecipientsOf: To, Cc, and Bcc sent
// in the envelope only, never in a header); without a To, it goes to the address in the
// message's metadata "to" (the chat fallback sets it), else the sender of the email it
// answers, else the contact's email address (verified first). Files are streamed into the
// MIME tree as it is sent (see outgoingMail.writeTo); the agent's and the inbox's signatures
// end an agent's reply, and a forward (inbox.AutoForward) quotes the conversation instead.
// Failures a retry cannot fix are permanent (SendError.Temporary false) and shown to agents: no
// recipient, no email inbox, a 5xx answer. 4xx answers and network failures are temporary.
func (s *Sender) Send(ctx context.Context, out channels.Outgoing) (channels.Receipt, error) {
	if out.Inbox == nil {
		return channels.Receipt{}, permanent("the message has no email inbox to send from")
	}
	a, err := accountOf(s.store, *out.Inbox)
	if err != nil {
		if errors.Is(err, inbox.ErrNotFound) || errors.Is(err, inbox.ErrNoSecretKey) {
			return channels.Receipt{}, permanent("inbox %d cannot send: %v", out.Inbox.ID, err)
		}
		return channels.Receipt{}, temporary(err)
	}
	m := out.Message
	thread, err := s.store.PrepareEmail(ctx, m.ID, newMessageID(a.domain()))
	if err != nil {
		if errors.Is(err, inbox.ErrInvalid) {
			return channels.Receipt{}, permanent("%v", err)
		}
		return channels.Receipt{}, temporary(err)
	}
	rc, err := s.recipients(ctx, out, thread.ParentID)
	if err != nil {
		return channels.Receipt{}, err
	}
	name := out.Inbox.Name
	mail := outgoingMail{
		from:       &gomail.Address{Name: name, Address: a.settings.Address},
		replyTo:    &gomail.Address{Name: name, Address: s.tokens.ReplyAddress(a.settings.Address, out.Conversation.ID)},
		to:         rc.to,
		cc:         rc.cc,
		subject:    subjectFor(out.Conversation, name, thread.ParentID != 0),
		date:       s.store.Now(),
		messageID:  thread.MessageID,
		inReplyTo:  thread.InReplyTo,
		references: thread.References,
		text:       m.Text,
		auto:       m.Auto != "" && m.Auto != inbox.AutoForward,
		files:      out.Files,
	}
	if m.Auto == inbox.AutoForward {
		err = s.forward(ctx, &mail, out)
	} else {
		err = s.sign(ctx, &mail, out)
	}
	if err != nil {
		return channels.Receipt{}, err
	}
	server, cred, err := s.smtpLogin(ctx, a)
	if err != nil {
		return channels.Receipt{}, err
	}
	err = smtpDeliver(ctx, server, cred, a.domain(), link{TLS: s.cfg.TLSConfig, Timeout: s.cfg.Timeout, Dial: s.cfg.Dial},
		a.settings.Address, rc.envelope(), func(w io.Writer) error { return mail.writeTo(ctx, w) })
	if err != nil {
		return channels.Receipt{}, composeError(err)
	}
	return channels.Receipt{ExternalID: thread.MessageID, Status: inbox.DeliverySent}, nil
}

// subjectFor is "Re: <subject> [#id]" (without "Re: " when the email answers nothing), the
// conversation's subject with its reply prefixes and its own token stripped; the inbox's name
// stands in for a conversation without a subject.
func subjectFor(c inbox.Conversation, inboxName string, reply bool) string {
	subject := NormalizeSubject(c.Subject)
	token := "[#" + strconv.FormatInt(c.ID, 10) + "]"
	if n, ok := SubjectToken(subject); ok && n == c.ID {
		subject = strings.TrimSpace(strings.Replace(subject, token, "", 1))
	}
	if subject == "" {
		subject = inboxName
	}
	if reply {
		subject = "Re: " + subject
	}
	return subject + " " + token
}

// recipient picks the address the message goes to.
func (s *Sender) recipient(ctx context.Context, out channels.Outgoing, parentID int64) (*gomail.Address, error) {
	if to, ok := out.Message.Metadata["to"].(string); ok && to != "" {
		return parseRecipient(to, out.Contact.Name)
	}
	if parentID != 0 {
		parent, err := s.store.GetMessage(ctx, parentID)
		if err != nil {
			return nil, temporary(err)
		}
		if e, ok := parent.Metadata["email"].(map[string]any); ok && parent.Direction == inbox.DirectionInbound {
			if from, ok := e["from"].(string); ok && from != "" {
				return parseRecipient(from, out.Contact.Name)
			}
		}
	}
	var best *inbox.Identity
	for i, id := range out.Contact.Identities {
		if id.Kind == inbox.IdentityEmail && (best == nil || id.Verified && !best.Verified) {
			best = &out.Contact.Identities[i]
		}
	}
	if best == nil {
		return nil, permanent("the customer has no email address to write to")
	}
	return parseRecipient(best.Address, out.Contact.Name)
}

func parseRecipient(address, name string) (*gomail.Address, error) {
	a, err := mail.ParseAddress(address)
	if err != nil {
		return nil, permanent("%q is not an email address to write to", address)
	}
	return &gomail.Address{Name: name, Address: a.Address}, nil
}
