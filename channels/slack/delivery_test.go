package slack_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
)

// TestInterruptedDeliveryPostsOnce: a delivery whose post Slack took but whose record was lost
// (the worker stopped between the two, so the message is still "sending") is found by its
// metadata on the retry and not posted again, in a thread and in a DM; a "sending" message that
// never reached Slack is posted.
func TestInterruptedDeliveryPostsOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "where is my invoice?", "1700001500.000001")))
	e.mustPost(t, slacktest.MessageEvent(slacktest.Message{Channel: "D0ADA", ChannelType: "im", User: "U0ADA",
		Text: "and the receipt?", TS: "1700001600.000001"}))
	for _, root := range []string{"C0SHARED:1700001500.000001", "D0ADA:1700001600.000001"} {
		m := e.message(t, root)
		before := len(e.fake.Posts())
		out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "Sent again just now."})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.deliver(t, out.ID); err != nil {
			t.Fatal(err)
		}
		sent, err := e.store.GetMessage(ctx, out.ID)
		if err != nil || sent.ExternalID == nil {
			t.Fatalf("delivered message = %+v, %v", sent, err)
		}
		// The worker's record of the send is lost: the message is back to "sending".
		if _, err := e.store.Pool().Exec(ctx, `UPDATE messages SET delivery_status = 'sending', external_id = NULL WHERE id = $1`, out.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.deliver(t, out.ID); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if n := len(e.fake.Posts()) - before; n != 1 {
			t.Fatalf("%s: %d posts for one reply", root, n)
		}
		again, err := e.store.GetMessage(ctx, out.ID)
		if err != nil || again.DeliveryStatus != inbox.DeliverySent || again.ExternalID == nil || *again.ExternalID != *sent.ExternalID {
			t.Fatalf("%s: after the retry the message is %+v (%v), want sent as %s", root, again, err, *sent.ExternalID)
		}
	}

	// A delivery cut off before it posted anything is posted on the retry.
	m := e.message(t, "C0SHARED:1700001500.000001")
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "One more thing."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Pool().Exec(ctx, `UPDATE messages SET delivery_status = 'sending' WHERE id = $1`, out.ID); err != nil {
		t.Fatal(err)
	}
	before := len(e.fake.Posts())
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts()
	if len(posts) != before+1 || posts[len(posts)-1].Text != "One more thing." {
		t.Fatalf("posts = %+v, want the reply posted once", posts[before:])
	}
	if md := posts[len(posts)-1].Metadata; md == nil || md.EventType != "parley_delivery" {
		t.Fatalf("the post carries metadata %+v, want the delivery marker", md)
	}
}
