package email_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

func TestParseIMAPURL(t *testing.T) {
	tests := []struct {
		url      string
		want     email.Server
		password string
		err      string
	}{
		{url: "imaps://me:pw@imap.example.com", password: "pw",
			want: email.Server{Security: email.SecurityTLS, Host: "imap.example.com", Port: 993, Username: "me", Mailbox: "INBOX"}},
		{url: "imap+starttls://me:pw@imap.example.com:1143/Support/Inbox", password: "pw",
			want: email.Server{Security: email.SecurityStartTLS, Host: "imap.example.com", Port: 1143, Username: "me", Mailbox: "Support/Inbox"}},
		{url: "imap://me:pw@127.0.0.1", password: "pw",
			want: email.Server{Security: email.SecurityNone, Host: "127.0.0.1", Port: 143, Username: "me", Mailbox: "INBOX"}},
		{url: "imaps://support@example.com:p%40ss:w@imap.gmail.com/INBOX", password: "p@ss:w",
			want: email.Server{Security: email.SecurityTLS, Host: "imap.gmail.com", Port: 993, Username: "support@example.com", Mailbox: "INBOX"}},
		{url: "imaps://imap.example.com", err: "a user name and a password are required"},
		{url: "imaps://me@imap.example.com", err: "a user name and a password are required"},
		{url: "pop3://me:pw@pop.example.com", err: `scheme "pop3"`},
		{url: "imap://me:pw@imap.example.com?starttls=1", err: "query parameters are not supported"},
		{url: "imaps://me:pw@imap.example.com:99999", err: "bad port"},
		{url: "imaps://me:pw@", err: "no host"},
	}
	for _, tt := range tests {
		got, pw, err := email.ParseIMAPURL(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.url, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("%s: the error quotes the password: %v", tt.url, err)
			}
			continue
		}
		if err != nil || got != tt.want || pw != tt.password {
			t.Errorf("%s: %+v %q %v, want %+v %q", tt.url, got, pw, err, tt.want, tt.password)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		url      string
		want     email.Server
		password string
		err      string
	}{
		{url: "smtps://me:pw@smtp.example.com", password: "pw",
			want: email.Server{Security: email.SecurityTLS, Host: "smtp.example.com", Port: 465, Username: "me"}},
		{url: "smtp://me:pw@smtp.example.com", password: "pw",
			want: email.Server{Security: email.SecurityStartTLS, Host: "smtp.example.com", Port: 587, Username: "me"}},
		{url: "smtp://relay.internal:25",
			want: email.Server{Security: email.SecurityStartTLS, Host: "relay.internal", Port: 25}},
		{url: "smtp://me@smtp.example.com", err: "both a user name and a password"},
		{url: "smtp://me:pw@smtp.example.com/x", err: "unexpected path"},
		{url: "http://smtp.example.com", err: `scheme "http"`},
	}
	for _, tt := range tests {
		got, pw, err := email.ParseSMTPURL(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want || pw != tt.password {
			t.Errorf("%s: %+v %q %v, want %+v %q", tt.url, got, pw, err, tt.want, tt.password)
		}
	}
}

func TestNewInbox(t *testing.T) {
	ni, err := email.NewInbox("Support", " Support@Example.COM ", "imaps://me:imap-pw@imap.example.com", "smtp://me:smtp-pw@smtp.example.com", 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(ni.Settings)
	if strings.Contains(string(settings), "pw") {
		t.Errorf("settings (shown to admins) hold a password: %s", settings)
	}
	if s := ni.Settings.(email.Settings); s.Address != "support@example.com" || ni.Kind != inbox.ChannelEmail || ni.TeamID != 7 {
		t.Errorf("new inbox %+v", ni)
	}
	if sec := ni.Secrets.(email.Secrets); sec.IMAPPassword != "imap-pw" || sec.SMTPPassword != "smtp-pw" {
		t.Errorf("secrets %+v", sec)
	}

	existing := []inbox.Inbox{{ID: 3, Kind: inbox.ChannelEmail, Name: "Old", Settings: settings}}
	if _, err := email.NewInbox("Again", "other@example.com", "imaps://me:x@imap.example.com/INBOX", "smtp://me:y@smtp.example.com", 0, existing); err == nil ||
		!strings.Contains(err.Error(), "already reads this mailbox") {
		t.Errorf("a second inbox on the same mailbox: %v", err)
	}
	if _, err := email.NewInbox("Other box", "other@example.com", "imaps://me:x@imap.example.com/Sales", "smtp://me:y@smtp.example.com", 0, existing); err != nil {
		t.Errorf("another folder of the same account: %v", err)
	}
	for _, addr := range []string{"support+x@example.com", "Support <support@example.com>", "support@localhost", "nope"} {
		if _, err := email.NewInbox("X", addr, "imaps://me:x@imap.example.com", "smtp://me:y@smtp.example.com", 0, nil); err == nil {
			t.Errorf("address %q accepted", addr)
		}
	}
}

func TestThreadTokens(t *testing.T) {
	tokens := email.NewThreadTokens("key one")
	for _, id := range []int64{1, 42, 1 << 40} {
		tok := tokens.Token(id)
		if got, ok := tokens.Conversation(tok); !ok || got != id {
			t.Errorf("token %q of %d reads as %d %v", tok, id, got, ok)
		}
		addr := tokens.ReplyAddress("support@example.com", id)
		if got := email.PlusToken([]string{strings.ToUpper(addr)}, "support"); got != tok {
			t.Errorf("plus token of %q = %q, want %q (tokens must survive lower-casing)", addr, got, tok)
		}
		if _, ok := email.NewThreadTokens("key two").Conversation(tok); ok {
			t.Errorf("token %q accepted under another key", tok)
		}
	}
	tok := tokens.Token(42)
	last := tok[len(tok)-1]
	flipped := tok[:len(tok)-1] + string("ab"[(int(last)+1)%2])
	if flipped == tok {
		flipped = tok[:len(tok)-1] + "c"
	}
	for _, bad := range []string{"", "42", "abc", flipped, tok + "a", tokens.Token(43)[:3] + tok[3:]} {
		if id, ok := tokens.Conversation(bad); ok && bad != tok {
			t.Errorf("forged token %q accepted as conversation %d", bad, id)
		}
	}
}
