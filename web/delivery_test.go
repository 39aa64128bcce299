package web

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestFailedDeliveryShowsTheReason: a reply a provider refused for good (Twilio's 21610, the
// customer unsubscribed) is shown on the conversation page as not delivered, with the reason
// the channel gave; one still being retried shows none.
func TestFailedDeliveryShowsTheReason(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	ctx := context.Background()
	u := e.newUser(t, "ana", inbox.RoleAgent)
	res := e.customer(t, "d1", "li@example.org", "Li", "Parcel", "where is it?")
	const reason = "The recipient has opted out by replying STOP; they must text START to receive messages again."
	failed, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "It ships today."})
	if err != nil {
		t.Fatal(err)
	}
	retrying, err := e.store.Send(ctx, inbox.Reply{ConversationID: res.ConversationID, Text: "Still there?"})
	if err != nil {
		t.Fatal(err)
	}
	for _, up := range []inbox.DeliveryUpdate{
		{MessageID: failed.ID, Status: inbox.DeliveryFailed, Error: reason},
		{MessageID: retrying.ID, Status: inbox.DeliverySending},
	} {
		if _, err := e.store.UpdateDelivery(ctx, up); err != nil {
			t.Fatal(err)
		}
	}
	_, body := u.get(t, "/inbox/"+i64(res.ConversationID))
	mustContain(t, "conversation page", body, "Not delivered: The recipient has opted out by replying STOP;")
	if n := strings.Count(body, "Not delivered:"); n != 1 {
		t.Errorf("%d messages shown as not delivered, want the refused one only", n)
	}
}
