package slack_test

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/jobtest"
)

// runProfile works the profile job enqueued for the Slack member user.
func runProfile(t *testing.T, e *env, user string) error {
	t.Helper()
	w := jobtest.New[slack.ProfileArgs](t, e.pool, e.workers(t))
	return w.WorkJob(t, jobtest.JobID(t, e.pool, "slack_profile", map[string]any{"user_id": user}), 1)
}

// A Slack member whose email is a known email customer's becomes that customer: one contact, one
// timeline across email and Slack, and their next Slack message joins the open conversation.
func TestProfileMergesIntoEmailCustomer(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	mail, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<a1@acme.example>",
		From:    inbox.Identity{Kind: inbox.IdentityEmail, Address: "Ada@Acme.example", Verified: true},
		Subject: "Export stuck", Text: "Our export is stuck."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetStatus(ctx, mail.ConversationID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.fake.AddUser(slacktest.User{ID: "U0ADA", TeamID: customerTeam, Name: "ada", RealName: "Ada Lovelace", Email: "ada@acme.example"})
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "any news on the export?", "1700002000.000001")))
	onSlack := e.message(t, "C0SHARED:1700002000.000001")
	if *onSlack.ContactID == mail.ContactID {
		t.Fatal("the Slack member was matched before the profile lookup")
	}

	if err := runProfile(t, e, "U0ADA"); err != nil {
		t.Fatal(err)
	}
	merged, err := e.store.GetContact(ctx, *onSlack.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != mail.ContactID || merged.Name != "Ada Lovelace" {
		t.Fatalf("Slack contact resolves to %d %q, want the email customer %d named by Slack", merged.ID, merged.Name, mail.ContactID)
	}
	kinds := map[inbox.IdentityKind]bool{}
	for _, id := range merged.Identities {
		kinds[id.Kind] = true
	}
	if !kinds[inbox.IdentityEmail] || !kinds[inbox.IdentitySlack] {
		t.Fatalf("identities = %+v", merged.Identities)
	}
	page, err := e.store.ListConversations(ctx, inbox.ConversationQuery{ContactID: mail.ContactID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Conversations) != 2 {
		t.Fatalf("the customer has %d conversations, want the email and the Slack one", len(page.Conversations))
	}
	// Running the job again (River may) changes nothing.
	if err := runProfile(t, e, "U0ADA"); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM contacts WHERE merged_into IS NULL`); n != 1 {
		t.Fatalf("%d live contacts, want 1", n)
	}
}

// Without a known customer, the email is attached as a claimed identity and the name filled in.
func TestProfileClaimsUnknownEmail(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.fake.AddUser(slacktest.User{ID: "U0BOB", TeamID: customerTeam, Name: "bob", Email: "bob@acme.example"})
	e.mustPost(t, slacktest.MessageEvent(customer("U0BOB", "hi", "1700002100.000001")))
	if err := runProfile(t, e, "U0BOB"); err != nil {
		t.Fatal(err)
	}
	c, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "bob@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "bob" || len(c.Identities) != 2 {
		t.Fatalf("contact = %+v", c)
	}
	for _, id := range c.Identities {
		if id.Kind == inbox.IdentityEmail && id.Verified {
			t.Fatalf("the Slack-reported email was stored as verified: %+v", id)
		}
	}
}

// A member Slack does not know ends the job at once, without retries.
func TestProfileOfUnknownMemberIsCancelled(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.mustPost(t, slacktest.MessageEvent(customer("U0GHOST", "boo", "1700002200.000001")))
	var cancel *river.JobCancelError
	if err := runProfile(t, e, "U0GHOST"); !errors.As(err, &cancel) {
		t.Fatalf("err = %v, want the job cancelled", err)
	}
}

// An email another contact only claimed (typed into a form, never proven) merges nothing: a
// Slack member does not join a stranger's timeline on an unproven claim.
func TestProfileDoesNotMergeIntoAClaim(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	claim, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "form-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "ada@acme.example"}, Text: "I am Ada, honest"})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.AddUser(slacktest.User{ID: "U0ADA", TeamID: customerTeam, Name: "ada", Email: "ada@acme.example"})
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "hello", "1700002300.000001")))
	if err := runProfile(t, e, "U0ADA"); err != nil {
		t.Fatal(err)
	}
	member, err := e.store.ContactByIdentity(ctx, inbox.IdentitySlack, customerTeam+":U0ADA")
	if err != nil {
		t.Fatal(err)
	}
	if member.ID == claim.ContactID || member.Name != "ada" || len(member.Identities) != 1 {
		t.Fatalf("Slack member = %+v, want a contact of its own, named, with only its Slack identity", member)
	}
}
