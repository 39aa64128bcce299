package chat_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// startJobs runs the workflow's River client with what the node's chat server contributes to
// a server process (its sender and its fallback job, as `parley serve` wires them) and returns
// a channel of completed chat fallback jobs. (The test runs workflow's client end to end; the
// channel's own code imports no workflow.)
func startJobs(t *testing.T, e *env, n *node) (<-chan *river.Event, *workflow.Enqueuer) {
	t.Helper()
	enq, err := workflow.NewEnqueuer(n.store.Pool())
	if err != nil {
		t.Fatal(err)
	}
	cfg := workflow.Config{Pool: n.store.Pool(), Store: n.store}
	cfg.AddChannel(inbox.ChannelChat, n.srv.Parts(enq))
	client, err := workflow.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done, cancel := client.Subscribe(river.EventKindJobCompleted)
	t.Cleanup(cancel)
	fallbacks := make(chan *river.Event, 16)
	go func() {
		for ev := range done {
			if ev.Job.Kind == (chat.FallbackArgs{}).Kind() {
				fallbacks <- ev
			}
		}
	}()
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = client.Stop(ctx)
	})
	return fallbacks, enq
}

func awaitJob(t *testing.T, ch <-chan *river.Event) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatal("the chat fallback job never completed")
	}
}

// waitSockets waits until the server has noticed closed sockets.
func waitSockets(t *testing.T, n *node, want int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); n.srv.Sockets() != want; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("server holds %d sockets, want %d", n.srv.Sockets(), want)
		}
	}
}

func fallbackSetup(t *testing.T) (*env, *node, inbox.Inbox, inbox.Inbox) {
	e := setup(t)
	e.clock.Set(time.Now().Add(-time.Hour)) // replies are an hour old: their fallback is due
	n := e.node(t, chat.Config{Store: e.store})
	mail, err := e.store.CreateInbox(context.Background(), inbox.NewInbox{Kind: inbox.ChannelEmail, Name: "Support mail"})
	if err != nil {
		t.Fatal(err)
	}
	in := e.chatInbox(t, chat.Settings{FallbackInboxID: mail.ID, FallbackAfter: "10m"})
	return e, n, in, mail
}

func emailCopies(t *testing.T, e *env) []inbox.Message {
	t.Helper()
	var out []inbox.Message
	rows, err := e.store.Pool().Query(context.Background(), "SELECT id FROM messages WHERE auto = $1 ORDER BY id", chat.AutoEmailFallback)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, mustMessage(t, e, id))
	}
	return out
}

// A visitor who left an email and went away: the reply also goes by email, through the
// fallback inbox, once; the chat still shows the reply alone when they come back.
func TestUnseenReplyFallsBackToEmail(t *testing.T) {
	t.Parallel()
	e, n, in, mail := fallbackSetup(t)
	agent := e.agent(t, "Ada Agent")
	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{Name: "Vera", Email: "vera@example.com"})
	ack := v.say("c1", "Please email me the answer")
	v.conn.Close()
	waitSockets(t, n, 0)

	fallbacks, _ := startJobs(t, e, n)
	reply := e.reply(t, mustMessage(t, e, ack.ID).ConversationID, agent, "Your parcel left today.")
	awaitJob(t, fallbacks)

	copies := emailCopies(t, e)
	if len(copies) != 1 {
		t.Fatalf("%d email copies, want 1", len(copies))
	}
	c := copies[0]
	if c.Channel != inbox.ChannelEmail || c.InboxID == nil || *c.InboxID != mail.ID || c.Text != reply.Text ||
		c.Metadata["to"] != "vera@example.com" || c.Metadata["chat_fallback_of"] != float64(reply.ID) ||
		c.AuthorAgentID == nil || *c.AuthorAgentID != agent.ID || c.ConversationID != reply.ConversationID {
		t.Fatalf("email copy %+v of reply %d", c, reply.ID)
	}

	// Back in the chat: the reply, not its email copy.
	v2 := dial(t, n, in.ID)
	v2.hello(chat.Hello{Token: w.Token, LastID: ack.ID})
	if got := v2.message(); got.ID != reply.ID {
		t.Fatalf("replayed %+v, want the reply %d", got, reply.ID)
	}
	if got := mustMessage(t, e, reply.ID); got.DeliveryStatus != inbox.DeliveryDelivered && got.DeliveryStatus != inbox.DeliverySent {
		t.Fatalf("reply delivery %q", got.DeliveryStatus)
	}
}

// A reply the visitor saw in the chat is not emailed, even if its fallback job runs.
func TestSeenReplyIsNotEmailed(t *testing.T) {
	t.Parallel()
	e, n, in, _ := fallbackSetup(t)
	agent := e.agent(t, "Ada Agent")
	deliveries := events(t, n, inbox.EventMessageDelivery)
	v := dial(t, n, in.ID)
	v.hello(chat.Hello{Email: "vera@example.com"})
	ack := v.say("c1", "Still here")
	reply := e.reply(t, mustMessage(t, e, ack.ID).ConversationID, agent, "Great, here is the answer.")
	if got := v.message(); got.ID != reply.ID {
		t.Fatalf("got %+v", got)
	}
	await(t, deliveries, func(ev inbox.Event) bool { return ev.MessageID == reply.ID && ev.Delivery == inbox.DeliveryDelivered })

	fallbacks, enq := startJobs(t, e, n)
	// As if the sender had scheduled it before the socket pushed the reply.
	if err := enq.Insert(context.Background(), chat.FallbackArgs{MessageID: reply.ID},
		&river.InsertOpts{ScheduledAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	awaitJob(t, fallbacks)
	if copies := emailCopies(t, e); len(copies) != 0 {
		t.Fatalf("a seen reply was emailed: %+v", copies)
	}
}

// Resolving a chat conversation sends the satisfaction survey through the chat: the widget
// gets a survey frame (not a message), and its rating is recorded as the survey's answer.
func TestSurveyRatedInChat(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.clock.Set(time.Now())
	n := e.node(t, chat.Config{Store: e.store, Surveys: workflow.NewSurveys(e.store)})
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")
	answered := events(t, n, workflow.EventSurveyAnswered)
	startJobs(t, e, n)

	v := dial(t, n, in.ID)
	v.hello(chat.Hello{})
	ack := v.say("c1", "thanks, all good")
	conv := mustMessage(t, e, ack.ID).ConversationID
	if _, err := e.store.SetStatus(context.Background(), conv, inbox.StatusResolved, inbox.Actor{AgentID: agent.ID}); err != nil {
		t.Fatal(err)
	}
	var survey frame
	for survey.Type != "survey" {
		switch survey = v.read(); survey.Type {
		case "survey", "status":
		default:
			t.Fatalf("unexpected frame %+v while waiting for the survey", survey)
		}
	}
	if survey.SurveyID == "" || survey.Prompt == "" {
		t.Fatalf("survey frame %+v", survey)
	}
	v.write(map[string]any{"type": "rating", "survey_id": survey.SurveyID, "score": 5, "comment": "quick and kind"})
	ev := await(t, answered, func(inbox.Event) bool { return true })
	if ev.ConversationID != conv || ev.Data["score"] != float64(5) {
		t.Fatalf("survey.answered %+v", ev)
	}

	// Someone else's survey id is refused.
	other := dial(t, n, in.ID)
	other.hello(chat.Hello{})
	other.say("c1", "me too")
	other.write(map[string]any{"type": "rating", "survey_id": survey.SurveyID, "score": 1})
	if f := other.expect("error"); f.Code != chat.CodeInvalid {
		t.Fatalf("rating another's survey: %+v", f)
	}
}
