package sms

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// Settings are an SMS inbox's visible settings: which Twilio account and
// number (or messaging service) it is.
type Settings struct {
	// AccountSID is the Twilio account ("AC...").
	AccountSID string `json:"account_sid"`
	// From is the inbox's number in E.164, or a short code; replies are
	// sent from it, and messages to it arrive in this inbox.
	From string `json:"from,omitempty"`
	// MessagingServiceSID ("MG...") sends through a messaging service;
	// messages to any of the service's numbers arrive in this inbox.
	MessagingServiceSID string `json:"messaging_service_sid,omitempty"`
}

// Secrets are an SMS inbox's credentials, sealed at rest.
type Secrets struct {
	// AuthToken is the Twilio account's auth token: it authenticates sends
	// and signs webhooks.
	AuthToken string `json:"auth_token"`
}

// NewInbox checks an SMS inbox's settings and credentials and returns what
// inbox.Store.CreateInbox stores, with From normalized to E.164. An invalid
// SID, number or a missing token is a *inbox.ValidationError naming the
// field (account_sid, auth_token, from, messaging_service_sid), and so is an
// SMS inbox among existing that already answers for the same account and
// number or service (webhooks could not tell the two apart).
func NewInbox(name string, s Settings, authToken string, teamID int64, existing []inbox.Inbox) (inbox.NewInbox, error) {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("sms: inbox: %w", &inbox.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if !isSID(s.AccountSID, "AC") {
		return inbox.NewInbox{}, bad("account_sid", "account SID %q is not AC and 32 hex digits", s.AccountSID)
	}
	if strings.TrimSpace(authToken) == "" {
		return inbox.NewInbox{}, bad("auth_token", "the auth token is required")
	}
	if t := strings.TrimSpace(authToken); !isAuthToken(t) {
		return inbox.NewInbox{}, bad("auth_token", "the auth token is %d characters; Twilio's is 32 letters and digits (Console > Account Info)", len(t))
	}
	if s.From == "" && s.MessagingServiceSID == "" {
		return inbox.NewInbox{}, bad("from", "a from number or a messaging service SID is required")
	}
	if s.From != "" {
		from, err := recipient(s.From)
		if err != nil {
			return inbox.NewInbox{}, bad("from", "from number: %s", strings.TrimPrefix(err.Error(), "sms: "))
		}
		s.From = from
	}
	if s.MessagingServiceSID != "" && !isSID(s.MessagingServiceSID, "MG") {
		return inbox.NewInbox{}, bad("messaging_service_sid", "messaging service SID %q is not MG and 32 hex digits", s.MessagingServiceSID)
	}
	for _, in := range existing {
		var other Settings
		if in.Kind != inbox.ChannelSMS || in.DecodeSettings(&other) != nil || other.AccountSID != s.AccountSID {
			continue
		}
		if (s.From != "" && other.From == s.From) || (s.MessagingServiceSID != "" && other.MessagingServiceSID == s.MessagingServiceSID) {
			return inbox.NewInbox{}, bad("from", "SMS inbox %d (%s) already answers for this number or service", in.ID, in.Name)
		}
	}
	return inbox.NewInbox{Kind: inbox.ChannelSMS, Name: name, Settings: s,
		Secrets: Secrets{AuthToken: strings.TrimSpace(authToken)}, TeamID: teamID}, nil
}

// account is an SMS inbox with its settings and opened credentials.
type account struct {
	inbox    inbox.Inbox
	settings Settings
	token    string
}

// serves reports whether the account answers for our number ours (E.164 or
// short code) or the messaging service service.
func (a account) serves(ours, service string) bool {
	if service != "" && a.settings.MessagingServiceSID == service {
		return true
	}
	n, err := recipient(ours)
	return err == nil && a.settings.From != "" && a.settings.From == n
}

// errUnknownAccount means no SMS inbox holds the Twilio account a webhook
// names, so its signature cannot be checked.
var errUnknownAccount = errors.New("no SMS inbox is connected to this Twilio account")

// findAccount returns the SMS inbox of Twilio account accountSID that answers
// for our number or service; when none does, another inbox of the account
// (whose auth token still checks the signature) and matched false. It returns
// errUnknownAccount when no inbox holds the account.
func findAccount(ctx context.Context, store *inbox.Store, accountSID, ours, service string) (account, bool, error) {
	inboxes, err := store.Inboxes(ctx, inbox.ChannelSMS)
	if err != nil {
		return account{}, false, fmt.Errorf("sms: find inbox: %w", err)
	}
	var fallback *account
	for _, in := range inboxes {
		a := account{inbox: in}
		if in.DecodeSettings(&a.settings) != nil || accountSID == "" || a.settings.AccountSID != accountSID {
			continue
		}
		if a.serves(ours, service) {
			a, err := a.open(store)
			return a, err == nil, err
		}
		if fallback == nil {
			fallback = &a
		}
	}
	if fallback == nil {
		return account{}, false, errUnknownAccount
	}
	a, err := fallback.open(store)
	return a, false, err
}

// open decrypts the account's auth token.
func (a account) open(store *inbox.Store) (account, error) {
	var sec Secrets
	if err := store.OpenSecrets(a.inbox, &sec); err != nil {
		return account{}, fmt.Errorf("sms: inbox %d: %w", a.inbox.ID, err)
	}
	a.token = sec.AuthToken
	return a, nil
}

// isAuthToken reports whether t has the shape of a Twilio auth token: 32 ASCII letters and
// digits (twilio-go refuses any other, so a bad one would only fail at the first send).
func isAuthToken(t string) bool {
	if len(t) != 32 {
		return false
	}
	for _, r := range t {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return false
		}
	}
	return true
}
