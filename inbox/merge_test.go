package inbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestMergeUndoRestores merges a customer known by phone into one known by email, then undoes
// it: the phone identity, its conversation and messages return to the contact they came from,
// which is a contact again, the kept contact's profile is what it was, and both steps are
// audited. A second undo is ErrConflict.
func TestMergeUndoRestores(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	a := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "m1", From: emailFrom("ann@example.com"), Name: "Ann", Text: "one"})
	b := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelSMS, ExternalID: "SM1", From: phoneFrom("+15550100001"), Text: "two"})
	all := e.store.As(inbox.Everyone())
	tier := "gold"
	if _, err := all.UpdateContact(ctx, b.ContactID, inbox.ContactPatch{Tier: &tier}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	preview, err := all.MergePreview(ctx, a.ContactID, b.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if len(preview.Identities) != 1 || len(preview.Conversations) != 1 || preview.Conversations[0].ID != b.ConversationID || len(preview.Open) != 2 {
		t.Fatalf("preview %+v", preview)
	}
	c, mergeID, err := all.MergeAndRecord(ctx, a.ContactID, b.ContactID, inbox.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Identities) != 2 || c.Tier != "gold" {
		t.Fatalf("merged contact %+v", c)
	}
	m, err := all.UndoMerge(ctx, mergeID, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	if m.UndoneAt == nil || m.KeepID != a.ContactID || m.MergedID != b.ContactID {
		t.Fatalf("undone merge %+v", m)
	}
	keep, err := e.store.GetContact(ctx, a.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	back, err := e.store.GetContact(ctx, b.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID != b.ContactID || back.MergedInto != nil || len(back.Identities) != 1 || back.Identities[0].Address != "+15550100001" {
		t.Fatalf("restored contact %+v", back)
	}
	if keep.Tier != "" || len(keep.Identities) != 1 {
		t.Fatalf("kept contact after undo %+v", keep)
	}
	if n := e.count(t, `SELECT count(*) FROM conversations WHERE id = $1 AND contact_id = $2`, b.ConversationID, b.ContactID); n != 1 {
		t.Fatalf("the conversation did not return")
	}
	if n := e.count(t, `SELECT count(*) FROM messages WHERE conversation_id = $1 AND contact_id <> $2`, b.ConversationID, b.ContactID); n != 0 {
		t.Fatalf("%d messages still on the kept contact", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_log WHERE kind = $1`, inbox.AuditContactsUnmerged); n != 1 {
		t.Fatalf("%d unmerge audit records", n)
	}
	if _, err := all.UndoMerge(ctx, mergeID, inbox.CLIActor()); !errors.Is(err, inbox.ErrConflict) {
		t.Fatalf("second undo: %v", err)
	}
}
