package web

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

// TestNewConversationDialog: the inbox offers the email and SMS inboxes the agent may write
// from (not another team's, not a disabled one, no chat); the contact page writes to the
// contact, with their addresses for each channel.
func TestNewConversationDialog(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	ana := e.newUser(t, "ana", inbox.RoleAgent)
	front, err := e.store.TeamByName(ctx, teamtest.FrontDeskName) // newUser put ana there
	if err != nil {
		t.Fatal(err)
	}
	billing, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []inbox.NewInbox{
		{Kind: inbox.ChannelEmail, Name: "Front mail", TeamID: front.ID},
		{Kind: inbox.ChannelSMS, Name: "Front texts", TeamID: front.ID},
		{Kind: inbox.ChannelEmail, Name: "Billing mail", TeamID: billing.ID},
		{Kind: inbox.ChannelChat, Name: "Front widget", TeamID: front.ID},
	} {
		if _, err := e.store.CreateInbox(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	_, page := ana.get(t, "/inbox")
	mustContain(t, "inbox", page, `data-newconv-open`)
	mustContain(t, "inbox", page, `data-channel="email">Email: Front mail</option>`)
	mustContain(t, "inbox", page, `data-channel="sms">SMS: Front texts</option>`)
	mustNotContain(t, "inbox", page, "Billing mail")
	mustNotContain(t, "inbox", page, "Front widget</option>")

	res := e.customer(t, "c-1", "kim@example.com", "Kim", "Hello", "hi")
	_, contact := ana.get(t, "/contacts/"+i64(res.ContactID))
	mustContain(t, "contact", contact, `data-contact-id="`+i64(res.ContactID)+`" data-email="kim@example.com" data-phone=""`)
}
