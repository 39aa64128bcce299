package workflow

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// TestAutoCloseResolvesIdlePending: pending without a customer reply for 72 hours resolves with
// the configured message (then a survey follows); a reply in between wakes the conversation and
// the old timer does nothing; resolved for a week closes.
func TestAutoCloseResolvesIdlePending(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	alice := env.agent("alice", inbox.RoleAgent)
	set, err := env.sla.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set.PendingResolveAfter != 72*time.Hour || set.ResolvedCloseAfter != 7*24*time.Hour || set.SurveyValidFor != 7*24*time.Hour {
		t.Fatalf("default settings = %+v", set)
	}
	set.AutoResolveMessage = "We have not heard back, so we are closing this for now."
	if err := env.sla.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	pend := func(conv int64) {
		if _, err := env.store.Send(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: alice.ID},
			Text: "Could you send a photo?", SetStatus: inbox.StatusPending}); err != nil {
			t.Fatal(err)
		}
		env.runDue()
	}
	quiet := env.sms("+14155550121", "SM1", "The lid is cracked").ConversationID
	chatty := env.sms("+14155550122", "SM2", "The handle broke").ConversationID
	pend(quiet)
	pend(chatty)

	env.advance(24 * time.Hour)
	env.sms("+14155550122", "SM3", "Photo attached") // wakes chatty: its first timer is stale
	env.advance(6 * time.Hour)
	pend(chatty) // pending again at 30 h

	env.advance(41*time.Hour + 59*time.Minute) // 71:59
	if s := env.conversation(quiet).Status; s != inbox.StatusPending {
		t.Fatalf("quiet is %s before 72 h, want pending", s)
	}
	env.advance(time.Minute) // 72 h
	if s := env.conversation(quiet).Status; s != inbox.StatusResolved {
		t.Fatalf("quiet is %s after 72 h pending, want resolved", s)
	}
	if s := env.conversation(chatty).Status; s != inbox.StatusPending {
		t.Fatalf("chatty is %s 42 h after it went pending again, want pending", s)
	}
	msgs, err := env.store.Messages(ctx, quiet, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var autoClose, survey bool
	for _, m := range msgs {
		autoClose = autoClose || m.Auto == "auto-close" && m.Text == set.AutoResolveMessage
		survey = survey || m.Auto == AutoSurvey
	}
	if !autoClose || !survey {
		t.Fatalf("quiet's messages: auto-close %v, survey %v; want both", autoClose, survey)
	}
	if n := env.count(`SELECT count(*) FROM conversation_events WHERE conversation_id = $1 AND kind = 'autoclose'`, quiet); n != 1 {
		t.Fatalf("%d autoclose audit entries, want 1", n)
	}

	env.advance(30 * time.Hour) // 102 h: chatty's second timer
	if s := env.conversation(chatty).Status; s != inbox.StatusResolved {
		t.Fatalf("chatty is %s 72 h after it went pending again, want resolved", s)
	}
	env.advance(7*24*time.Hour - 30*time.Hour) // a week after quiet resolved
	if s := env.conversation(quiet).Status; s != inbox.StatusClosed {
		t.Fatalf("quiet is %s a week after it resolved, want closed", s)
	}
	if s := env.conversation(chatty).Status; s != inbox.StatusResolved {
		t.Fatalf("chatty is %s, resolved 5 days ago: want resolved", s)
	}
}

// TestAutoCloseOff: a zero delay turns the step off.
func TestAutoCloseOff(t *testing.T) {
	env := newSLAEnv(t)
	ctx := context.Background()
	set, err := env.sla.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.PendingResolveAfter = 0
	if err := env.sla.SetSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	conv := env.sms("+14155550123", "SM1", "hello").ConversationID
	if _, err := env.store.SetStatus(ctx, conv, inbox.StatusPending, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	env.advance(30 * 24 * time.Hour)
	if s := env.conversation(conv).Status; s != inbox.StatusPending {
		t.Fatalf("status %s with auto-resolve off, want pending", s)
	}
	set.SurveyValidFor = time.Second
	if err := env.sla.SetSettings(ctx, set); err == nil {
		t.Fatal("a one-second survey window was accepted")
	}
}
