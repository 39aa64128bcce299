package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
)

// The whole trip: a customer writes in a Slack Connect channel, a colleague of theirs answers in
// the thread, an agent replies from Parley, the reply is posted into that thread, and Slack's
// echo of the post is not taken for a new message.
func TestRoundTripInSharedChannel(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	const root = "1700000100.000001"
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "Our export is stuck: <https://acme.example/jobs/7|job 7>", root)))

	first := e.message(t, "C0SHARED:"+root)
	if first.Text != "Our export is stuck: job 7 (https://acme.example/jobs/7)" || first.Direction != inbox.DirectionInbound {
		t.Fatalf("message = %+v", first)
	}
	meta, _ := first.Metadata["slack"].(map[string]any)
	if meta["channel"] != "C0SHARED" || meta["thread_ts"] != root || meta["user_team"] != customerTeam {
		t.Fatalf("metadata = %v", first.Metadata)
	}
	contact, err := e.store.ContactByIdentity(ctx, inbox.IdentitySlack, customerTeam+":U0ADA")
	if err != nil {
		t.Fatal(err)
	}
	if !contact.Identities[0].Verified || *first.ContactID != contact.ID {
		t.Fatalf("contact = %+v", contact)
	}
	profile := job(t, e, slack.ProfileArgs{}, map[string]any{"contact_id": contact.ID})
	if profile.Args.UserID != "U0ADA" || profile.Args.InboxID != e.inbox.ID {
		t.Fatalf("profile job args = %+v", profile.Args)
	}

	// A colleague (another contact) answers in the customer's thread: it joins that conversation.
	e.mustPost(t, slacktest.ThreadReply(customer("U0BOB", "same here", "1700000200.000001"), root, "U0ADA"))
	reply := e.message(t, "C0SHARED:1700000200.000001")
	if reply.ConversationID != first.ConversationID || reply.ThreadedBy != slack.ThreadedBySlack {
		t.Fatalf("thread reply went to conversation %d by %q, want %d by %q",
			reply.ConversationID, reply.ThreadedBy, first.ConversationID, slack.ThreadedBySlack)
	}

	agent, err := e.store.CreateAgent(ctx, inbox.NewAgent{Email: "sam@parley.example", Name: "Sam", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: first.ConversationID, Author: inbox.Actor{AgentID: agent.ID},
		Text: "Restarting job 7 <now> & watching it"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	posts := e.fake.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %+v", posts)
	}
	p := posts[0]
	if p.Channel != "C0SHARED" || p.ThreadTS != root || p.Text != "Restarting job 7 &lt;now&gt; &amp; watching it" {
		t.Fatalf("post = %+v", p)
	}
	sent, err := e.store.GetMessage(ctx, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.DeliveryStatus != inbox.DeliverySent || *sent.ExternalID != "C0SHARED:"+p.TS {
		t.Fatalf("sent message = %+v", sent)
	}

	// Slack echoes the bot's post; the echo of our own message stores nothing.
	echo := slacktest.Message{Channel: "C0SHARED", Text: p.Text, TS: p.TS, ThreadTS: root}
	e.mustPost(t, slacktest.OwnMessage(echo, e.fake.Identity()))
	if n := e.count(t, `SELECT count(*) FROM messages`); n != 3 {
		t.Fatalf("%d messages after the echo, want 3", n)
	}
}

func TestDirectMessageIsAnsweredInTheDM(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.mustPost(t, slacktest.MessageEvent(slacktest.Message{Channel: "D0ADA", ChannelType: "im", User: "U0ADA",
		Text: "hello?", TS: "1700000300.000001"}))
	m := e.message(t, "D0ADA:1700000300.000001")
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "Hi! How can we help?"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts()
	if len(posts) != 1 || posts[0].Channel != "D0ADA" || posts[0].ThreadTS != "" {
		t.Fatalf("posts = %+v, want one top-level post in the DM", posts)
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.post(t, slacktest.URLVerification("3eZbrw1aBm2rZgRNFdxV"))
	var answer map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil || w.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", w.Code, w.Body)
	}
	if answer["challenge"] != "3eZbrw1aBm2rZgRNFdxV" {
		t.Fatalf("answer = %v", answer)
	}
}

// Refused requests answer the right status with a JSON error, and store nothing.
func TestRefusals(t *testing.T) {
	t.Parallel()
	body := slacktest.MessageEvent(customer("U0ADA", "hello", "1700000400.000001"))
	cases := map[string]struct {
		body   []byte
		edit   func(*http.Request)
		status int
		says   string
	}{
		"bad signature": {body: body, status: http.StatusUnauthorized, says: "bad signature",
			edit: func(r *http.Request) { slacktest.Sign(r.Header, "another-secret", time.Now(), body) }},
		"no signature": {body: body, status: http.StatusUnauthorized, says: "bad signature",
			edit: func(r *http.Request) { r.Header.Del("X-Slack-Signature") }},
		"stale timestamp": {body: body, status: http.StatusUnauthorized, says: "stale",
			edit: func(r *http.Request) { slacktest.Sign(r.Header, signingSecret, time.Now().Add(-10*time.Minute), body) }},
		"unknown app": {body: bytes.Replace(body, []byte(`"A0PARLEY"`), []byte(`"A0OTHER"`), 1),
			status: http.StatusUnauthorized, says: "no Slack inbox"},
		"not JSON": {body: []byte(`{"type":"event_callback","event":`), status: http.StatusBadRequest, says: "malformed"},
		"callback without event": {body: []byte(`{"type":"event_callback","api_app_id":"A0PARLEY","team_id":"T0PARLEY"}`),
			status: http.StatusBadRequest, says: "without event"},
		"oversized": {body: append(bytes.Repeat([]byte(" "), slack.MaxBodyBytes), body...),
			status: http.StatusRequestEntityTooLarge, says: "too large"},
	}
	e := setup(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := e.post(t, tc.body, func(r *http.Request) {
				if tc.edit != nil {
					tc.edit(r)
				}
			})
			var answer map[string]string
			_ = json.Unmarshal(w.Body.Bytes(), &answer)
			if w.Code != tc.status || !strings.Contains(answer["error"], tc.says) || answer["code"] == "" {
				t.Fatalf("status %d, body %s; want %d saying %q", w.Code, w.Body, tc.status, tc.says)
			}
			for _, table := range []string{"messages", "contacts", "slack_events", "slack_threads", "river_job"} {
				if n := e.count(t, "SELECT count(*) FROM "+table); n != 0 {
					t.Errorf("%s has %d rows", table, n)
				}
			}
		})
	}
}

// A redelivery (X-Slack-Retry-Num, the same event id) and the same message under another
// event id are no-ops: one message, one event row, one profile job.
func TestRedeliveryIsNoOp(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := customer("U0ADA", "hello", "1700000500.000001")
	m.EventID = "Ev0FIRST"
	body := slacktest.MessageEvent(m)
	e.mustPost(t, body)
	w := e.post(t, body, func(r *http.Request) { slacktest.SetRetry(r.Header, 1, "http_timeout") })
	if w.Code != http.StatusOK {
		t.Fatalf("retry: status %d: %s", w.Code, w.Body)
	}
	m.EventID = "Ev0SECOND"
	e.mustPost(t, slacktest.MessageEvent(m))
	for table, want := range map[string]int{"messages": 1, "conversations": 1, "contacts": 1, "slack_threads": 1, "slack_events": 2} {
		if n := e.count(t, "SELECT count(*) FROM "+table); n != want {
			t.Errorf("%s has %d rows, want %d", table, n, want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'slack_profile'`); n != 1 {
		t.Errorf("%d profile jobs, want 1", n)
	}
}

func TestEditThenDelete(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	m := customer("U0ADA", "order 24 is late", "1700000600.000001")
	e.mustPost(t, slacktest.MessageEvent(m))

	listen, err := e.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer listen.Release()
	if _, err := listen.Exec(ctx, "LISTEN "+inbox.NotifyChannel); err != nil {
		t.Fatal(err)
	}

	m.Text = "order 42 is late"
	first := slacktest.EditEvent(m, "order 24 is late", "1700000650.000001")
	e.mustPost(t, first)
	m.Text = "order <https://acme.example/o/42|42> is late!"
	e.mustPost(t, slacktest.EditEvent(m, "order 42 is late", "1700000660.000001"))
	e.mustPost(t, first) // a late redelivery of the first edit must not undo the second
	got := e.message(t, "C0SHARED:1700000600.000001")
	if got.Text != "order 42 (https://acme.example/o/42) is late!" || got.Metadata["original_text"] != "order 24 is late" ||
		got.Metadata["edits"] != float64(2) || got.Metadata["edited_at"] == nil {
		t.Fatalf("edited message = %q, metadata %v", got.Text, got.Metadata)
	}
	waitEvent(t, listen.Conn(), inbox.EventMessageUpdated, got.ID)

	e.mustPost(t, slacktest.DeleteEvent(m, "1700000700.000001"))
	got = e.message(t, "C0SHARED:1700000600.000001")
	if got.Metadata["deleted"] != true || got.Metadata["deleted_at"] == nil || got.Text == "" {
		t.Fatalf("deleted message = %q, metadata %v", got.Text, got.Metadata)
	}
	if n := e.count(t, `SELECT count(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages, want 1: an edit is never a new message", n)
	}
	trail := e.count(t, `SELECT count(*) FROM conversation_events WHERE kind IN ('message_edit', 'message_delete') AND conversation_id = $1`,
		got.ConversationID)
	if trail != 3 {
		t.Fatalf("%d audit entries, want 3 (two edits, one deletion)", trail)
	}

	// Changes to messages Parley does not hold are acknowledged and ignored.
	other := customer("U0ADA", "never seen", "1600000000.000001")
	e.mustPost(t, slacktest.EditEvent(other, "before", "1700000800.000001"))
	e.mustPost(t, slacktest.DeleteEvent(other, "1700000900.000001"))
	if _, err := e.store.GetMessage(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
}

// waitEvent reads notifications until one announces typ for the message.
func waitEvent(t *testing.T, conn *pgx.Conn, typ string, messageID int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("no %s event for message %d: %v", typ, messageID, err)
		}
		var events []inbox.Event
		if err := json.Unmarshal([]byte(n.Payload), &events); err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.Type == typ && ev.MessageID == messageID {
				return
			}
		}
	}
}

// The app's own posts, other bots' posts and the staff's own words in a shared channel are not
// customer messages.
func TestNotCustomersAreIgnored(t *testing.T) {
	t.Parallel()
	e := setup(t)
	staff := slacktest.MessageEvent(slacktest.Message{Channel: "C0SHARED", User: "U0STAFF", Text: "on it", TS: "1700001000.000001"})
	staff = bytes.Replace(staff, []byte(`"is_ext_shared_channel":false`), []byte(`"is_ext_shared_channel":true`), 1)
	for name, body := range map[string][]byte{
		"own":   slacktest.OwnMessage(slacktest.Message{Channel: "C0SHARED", Text: "our reply", TS: "1700001001.000001"}, e.fake.Identity()),
		"bot":   slacktest.BotMessage(slacktest.Message{Channel: "C0SHARED", Text: "build passed", TS: "1700001002.000001"}, "B0CI", "ci"),
		"staff": staff,
	} {
		if w := e.post(t, body); w.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", name, w.Code, w.Body)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored, want none", n)
	}
	// Outside a shared channel the same member is a customer (an internal helpdesk).
	internal := slacktest.MessageEvent(slacktest.Message{Channel: "C0HELP", User: "U0STAFF", Text: "VPN is down", TS: "1700001003.000001"})
	e.mustPost(t, internal)
	if n := e.count(t, `SELECT count(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages stored, want the helpdesk one", n)
	}
}

// A rate-limited post is snoozed for Slack's Retry-After without using up an attempt; a refused
// one fails the message with the reason, for the agent to see.
func TestDeliveryFailures(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "hello", "1700001100.000001")))
	m := e.message(t, "C0SHARED:1700001100.000001")

	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "first"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.FailNext("chat.postMessage", slacktest.RateLimit(30*time.Second))
	err = e.deliver(t, out.ID)
	var snooze *river.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 30*time.Second {
		t.Fatalf("rate limited: err = %v, want a 30s snooze", err)
	}
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatalf("after the rate limit: %v", err)
	}
	if got, _ := e.store.GetMessage(ctx, out.ID); got.DeliveryStatus != inbox.DeliverySent {
		t.Fatalf("status = %s, want sent", got.DeliveryStatus)
	}

	second, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "second"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.FailNext("chat.postMessage", slacktest.APIError("not_in_channel"))
	var cancel *river.JobCancelError
	if err := e.deliver(t, second.ID); !errors.As(err, &cancel) {
		t.Fatalf("refused: err = %v, want the job cancelled", err)
	}
	got, _ := e.store.GetMessage(ctx, second.ID)
	if got.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(got.DeliveryError, "invite it") {
		t.Fatalf("refused message = %s %q", got.DeliveryStatus, got.DeliveryError)
	}
}
