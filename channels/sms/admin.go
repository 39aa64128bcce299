package sms

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Admin is the SMS channel's part of the web admin's inbox pages: a Twilio account, its auth
// token and the number or messaging service, checked by NewInbox as `parley inbox add sms` is.
type Admin struct {
	store *inbox.Store
}

// NewAdmin returns the SMS inbox admin over store.
func NewAdmin(store *inbox.Store) *Admin { return &Admin{store: store} }

// Kind is inbox.ChannelSMS.
func (*Admin) Kind() inbox.Channel { return inbox.ChannelSMS }

// Fields are the account, its token and the sender.
func (*Admin) Fields() []channels.Field {
	return []channels.Field{
		{Name: "account_sid", Label: "Twilio account SID", Required: true, Placeholder: "AC...",
			Help: "Set the number's incoming-message webhook to POST PARLEY_PUBLIC_URL" + InboundPath + "."},
		{Name: "auth_token", Label: "Auth token", Type: "password", Secret: true, Required: true},
		{Name: "from", Label: "Number", Placeholder: "+15551234567", Help: "E.164, or a short code."},
		{Name: "messaging_service_sid", Label: "Messaging service SID", Placeholder: "MG...", Help: "Instead of, or beside, the number."},
	}
}

// Values are an SMS inbox's settings as the form shows them.
func (*Admin) Values(in inbox.Inbox) (map[string]string, error) {
	var s Settings
	if err := in.DecodeSettings(&s); err != nil {
		return nil, fmt.Errorf("sms: %w", err)
	}
	return map[string]string{"account_sid": s.AccountSID, "from": s.From, "messaging_service_sid": s.MessagingServiceSID}, nil
}

// Build checks the form with NewInbox; a blank token of an edited inbox is its saved one.
func (a *Admin) Build(ctx context.Context, f channels.Form) (channels.Built, error) {
	token := f.Get("auth_token")
	if token == "" && f.Current != nil && f.OpenSecrets != nil {
		var saved Secrets
		if err := f.OpenSecrets(&saved); err != nil && !errors.Is(err, inbox.ErrNotFound) {
			return channels.Built{}, fmt.Errorf("sms: saved token: %w", err)
		}
		token = saved.AuthToken
	}
	all, err := a.store.Inboxes(ctx, inbox.ChannelSMS)
	if err != nil {
		return channels.Built{}, fmt.Errorf("sms: %w", err)
	}
	others := all[:0]
	for _, in := range all {
		if f.Current == nil || in.ID != f.Current.ID {
			others = append(others, in)
		}
	}
	in, err := NewInbox(f.Name, Settings{AccountSID: f.Get("account_sid"), From: f.Get("from"),
		MessagingServiceSID: f.Get("messaging_service_sid")}, token, f.TeamID, others)
	if err != nil {
		return channels.Built{}, err
	}
	return channels.Built{Inbox: in}, nil
}

// The admin implements the web admin's contract.
var _ channels.InboxAdmin = (*Admin)(nil)
