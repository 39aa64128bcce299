package sms_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/inbox"
)

func TestNewInbox(t *testing.T) {
	t.Parallel()
	got, err := sms.NewInbox("Support", sms.Settings{AccountSID: accountSID, From: "+1 (415) 555-0100"}, " "+authToken+"\n", 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Settings.(sms.Settings)
	if got.Kind != inbox.ChannelSMS || got.Name != "Support" || got.TeamID != 3 || s.From != "+14155550100" ||
		got.Secrets.(sms.Secrets).AuthToken != authToken {
		t.Errorf("NewInbox = %+v, want an sms inbox from +14155550100 with the trimmed token", got)
	}
	if _, err := sms.NewInbox("Short code", sms.Settings{AccountSID: accountSID, From: "72345"}, authToken, 0, nil); err != nil {
		t.Errorf("a short code: %v", err)
	}
	if _, err := sms.NewInbox("Pool", sms.Settings{AccountSID: accountSID, MessagingServiceSID: serviceSID}, authToken, 0, nil); err != nil {
		t.Errorf("a messaging service alone: %v", err)
	}
}

func TestNewInboxRejects(t *testing.T) {
	t.Parallel()
	settings := func(v sms.Settings) json.RawMessage {
		b, _ := json.Marshal(v)
		return b
	}
	existing := []inbox.Inbox{
		{ID: 1, Kind: inbox.ChannelSMS, Name: "Support", Settings: settings(sms.Settings{AccountSID: accountSID, From: ourNumber})},
		{ID: 2, Kind: inbox.ChannelSMS, Name: "Pool", Settings: settings(sms.Settings{AccountSID: accountSID, MessagingServiceSID: serviceSID})},
	}
	cases := map[string]struct {
		s     sms.Settings
		token string
		want  string
	}{
		"bad account":     {sms.Settings{AccountSID: "AC123", From: "+14155550111"}, authToken, "account SID"},
		"no token":        {sms.Settings{AccountSID: accountSID, From: "+14155550111"}, " ", "auth token"},
		"short token":     {sms.Settings{AccountSID: accountSID, From: "+14155550111"}, "secret", "auth token is 6 characters"},
		"token with dash": {sms.Settings{AccountSID: accountSID, From: "+14155550111"}, "feedface-123456789abcdef01234567", "32 letters and digits"},
		"no sender":       {sms.Settings{AccountSID: accountSID}, authToken, "from number or a messaging service"},
		"national number": {sms.Settings{AccountSID: accountSID, From: "4155550111"}, authToken, "from number"},
		"bad service":     {sms.Settings{AccountSID: accountSID, MessagingServiceSID: "MGxyz"}, authToken, "messaging service SID"},
		"number taken":    {sms.Settings{AccountSID: accountSID, From: "+1 415 555 0100"}, authToken, "inbox 1 (Support) already answers"},
		"service taken":   {sms.Settings{AccountSID: accountSID, From: "+14155550111", MessagingServiceSID: serviceSID}, authToken, "inbox 2 (Pool) already answers"},
	}
	for name, c := range cases {
		_, err := sms.NewInbox("New", c.s, c.token, 0, existing)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one about %q", name, err, c.want)
		}
	}
	other := sms.Settings{AccountSID: "AC" + strings.Repeat("0", 32), From: ourNumber}
	if _, err := sms.NewInbox("Other account", other, authToken, 0, existing); err != nil {
		t.Errorf("the same number on another account: %v", err)
	}
}
