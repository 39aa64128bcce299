package sms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// AutoKeyword marks a stored carrier keyword (STOP, START, HELP, ...) as
// automatic: agents see it, but it reopens no resolved conversation.
const AutoKeyword = "keyword"

// InboundHandler serves InboundPath: it finds the SMS inbox by the posted
// AccountSid and To number (or MessagingServiceSid), checks the signature
// with that inbox's auth token, and stores the message in one transaction
// with any opt-out or opt-in it asks for, then answers EmptyTwiML. A
// redelivered MessageSid stores nothing new. It refuses with a JSON error: 403
// for a wrong or missing signature or an account no inbox holds, 404 for a
// number no inbox of the account answers for, 413 for an oversized body, 400
// for a malformed form. A message to a disabled inbox is answered EmptyTwiML and not stored.
func (c *Twilio) InboundHandler() http.Handler { return http.HandlerFunc(c.receive) }

func (c *Twilio) receive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form, acct, matched, err := c.authenticate(r, "To")
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	if !matched {
		c.answerError(w, r, &RequestError{Status: http.StatusNotFound,
			Reason: fmt.Sprintf("no SMS inbox answers for number %q", form.Get("To"))})
		return
	}
	if acct.inbox.Disabled() { // an admin turned the inbox off: acknowledged, not stored
		c.log.Info("sms: message to a disabled inbox dropped", "inbox", acct.inbox.ID, "sid", form.Get("MessageSid"))
		answerTwiML(w)
		return
	}
	in, err := ParseInbound(form)
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	res, err := c.ingest(ctx, acct, in)
	if errors.Is(err, inbox.ErrInvalid) {
		err = badRequest(err.Error(), err)
	}
	if err != nil {
		c.answerError(w, r, err)
		return
	}
	c.log.Debug("sms received", "inbox", acct.inbox.ID, "sid", in.MessageSID,
		"conversation", res.ConversationID, "duplicate", res.Duplicate)
	answerTwiML(w)
}

// authenticate reads a Twilio webhook's form, finds the SMS inbox of its AccountSid whose number
// is the form's ourField ("To" for an incoming message, "From" for a status callback) or its
// MessagingServiceSid (matched false when only the account is known), and checks the request's
// signature with that inbox's auth token.
func (c *Twilio) authenticate(r *http.Request, ourField string) (url.Values, account, bool, error) {
	form, err := ReadRequest(r)
	if err != nil {
		return nil, account{}, false, err
	}
	acct, matched, err := findAccount(r.Context(), c.store, form.Get("AccountSid"), form.Get(ourField), form.Get("MessagingServiceSid"))
	if err != nil {
		return nil, account{}, false, err
	}
	if err := Verify(r, form, c.publicURL, acct.token); err != nil {
		return nil, account{}, false, err
	}
	return form, acct, matched, nil
}

// ingest stores in and, for a carrier keyword, the consent change it asks for,
// in one transaction. A duplicate changes nothing: replaying an old STOP must
// not undo a later START.
func (c *Twilio) ingest(ctx context.Context, acct account, in Inbound) (inbox.IngestResult, error) {
	kw := Keyword(in.Body)
	msg := inbox.Inbound{
		InboxID:    acct.inbox.ID,
		Channel:    inbox.ChannelSMS,
		ExternalID: in.MessageSID,
		From:       inbox.Identity{Kind: inbox.IdentityPhone, Address: in.From, Verified: true},
		Text:       textOf(in),
		Metadata:   metadataOf(in, kw),
	}
	if kw != NoKeyword {
		msg.Auto = AutoKeyword
	}
	var res inbox.IngestResult
	err := c.store.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		res, err = c.store.IngestTx(ctx, tx, msg)
		if err != nil || res.Duplicate {
			return err
		}
		if err := c.fetchMediaLater(ctx, tx, acct.inbox.ID, res.MessageID, in.Media); err != nil {
			return err
		}
		if kw == NoKeyword {
			return nil
		}
		return c.recordKeyword(ctx, tx, kw, in, acct.inbox.ID, res)
	})
	if err != nil {
		return inbox.IngestResult{}, fmt.Errorf("sms: receive %s: %w", in.MessageSID, err)
	}
	return res, nil
}

// textOf is the message's text; an MMS without text is described by its
// media types, since a message needs text and the media are not fetched here.
func textOf(in Inbound) string {
	if strings.TrimSpace(in.Body) != "" || len(in.Media) == 0 {
		return in.Body
	}
	types := make([]string, 0, len(in.Media))
	for _, m := range in.Media {
		t := m.ContentType
		if t == "" {
			t = "file"
		}
		types = append(types, t)
	}
	return "[MMS: " + strings.Join(types, ", ") + "]"
}

// metadataOf keeps what agents may want that the message's columns do not
// hold: the number written to, the media URLs (Twilio keeps the files), the
// keyword recognised.
func metadataOf(in Inbound, kw KeywordKind) map[string]any {
	meta := map[string]any{"to": in.To}
	if len(in.Media) > 0 {
		media := make([]map[string]string, 0, len(in.Media))
		for _, m := range in.Media {
			media = append(media, map[string]string{"url": m.URL, "content_type": m.ContentType})
		}
		meta["media"] = media
	}
	if kw != NoKeyword {
		meta["keyword"] = kw.String()
	}
	return meta
}
