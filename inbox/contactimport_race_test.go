package inbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// A message from an address the import is about to create a contact for, stored while the
// import runs, makes the import fail whole with ErrConflict (import again): never a new contact
// without the address its row gave it.
func TestImportLosesNoAddressToAConcurrentMessage(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	msg, err := e.store.IngestTx(ctx, tx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "race-1",
		From: emailFrom("zoe@race.example"), Name: "Zoe", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		rep inbox.ImportReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := e.store.ImportContacts(ctx, strings.NewReader("name,email\nZoe Import,zoe@race.example\nAl,al@race.example\n"), false, inbox.CLIActor())
		done <- result{rep, err}
	}()
	// The import's identity insert waits for the message's uncommitted one: commit it then.
	for {
		var waiting int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%contact_identities%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("the import finished before the message committed: %+v %v", r.rep, r.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, inbox.ErrConflict) || !strings.Contains(r.err.Error(), "zoe@race.example") {
		t.Fatalf("import = %v, want ErrConflict naming the address", r.err)
	}
	c, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "zoe@race.example")
	if err != nil || c.ID != msg.ContactID {
		t.Errorf("zoe@race.example belongs to %d (%v), want the message's contact %d", c.ID, err, msg.ContactID)
	}
	if _, err := e.store.ContactByIdentity(ctx, inbox.IdentityEmail, "al@race.example"); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("the failed import kept row 3: %v", err)
	}
	var named int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE name = 'Zoe Import'`).Scan(&named); err != nil || named != 0 {
		t.Errorf("%d contacts named Zoe Import (%v): the failed import left one without its address", named, err)
	}
}

// An update adds the file's tags to the contact's own (and, merging, to the other contact's):
// when the sum passes the cap of 30 the row is refused, naming the field, and nothing changes.
func TestImportKeepsTheTagCap(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	maria := e.ingest(t, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "tags-1", From: emailFrom("maria@tags.example"), Name: "Maria", Text: "hi"})
	var tags []string
	for i := range 25 {
		tags = append(tags, "t"+string(rune('a'+i)))
	}
	if _, err := e.store.As(inbox.Everyone()).UpdateContact(ctx, maria.ContactID, inbox.ContactPatch{Tags: &tags}, inbox.CLIActor()); err != nil {
		t.Fatal(err)
	}
	file := "email,tags\nmaria@tags.example,ta;tb;new1;new2;new3;new4;new5;new6\n"
	rep, err := e.store.ImportContacts(ctx, strings.NewReader(file), false, inbox.CLIActor())
	if !errors.Is(err, inbox.ErrInvalid) || len(rep.Errors) != 1 || rep.Errors[0].Row != 2 || rep.Errors[0].Field != "tags" ||
		!strings.Contains(rep.Errors[0].Message, "31 tags") {
		t.Fatalf("import = %+v, %v: want row 2 refused on tags (31)", rep.Errors, err)
	}
	c, err := e.store.GetContact(ctx, maria.ContactID)
	if err != nil || len(c.Tags) != 25 {
		t.Fatalf("the contact's tags after a refused import: %v %v", c.Tags, err)
	}
	file = "email,tags\nmaria@tags.example,ta;tb;new1;new2;new3\n"
	if rep, err := e.store.ImportContacts(ctx, strings.NewReader(file), false, inbox.CLIActor()); err != nil || rep.Updated != 1 {
		t.Fatalf("an import within the cap: %+v %v", rep, err)
	}
	if c, err := e.store.GetContact(ctx, maria.ContactID); err != nil || len(c.Tags) != 28 {
		t.Fatalf("tags after the import: %d %v, want 28", len(c.Tags), err)
	}
}
