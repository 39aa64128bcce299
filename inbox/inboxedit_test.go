package inbox_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// TestUpdateAndDisableInbox: an update replaces the name, team and settings and keeps the
// sealed secrets unless new ones are given; a name taken is ErrConflict, a missing inbox
// ErrNotFound; disabling keeps its first time and enabling clears it.
func TestUpdateAndDisableInbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := inbox.New(dbtest.Pool(t), inbox.Options{SecretKey: "test-key"})
	in, err := store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "Line", Settings: map[string]string{"from": "+1"},
		Secrets: map[string]string{"auth_token": "first"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	team, err := store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	update := func(id int64, c inbox.InboxChange) (inbox.Inbox, error) {
		var out inbox.Inbox
		err := store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			out, err = store.UpdateInboxTx(ctx, tx, id, c)
			return err
		})
		return out, err
	}
	secret := func(in inbox.Inbox) string {
		var s map[string]string
		if err := store.OpenSecrets(in, &s); err != nil {
			t.Fatal(err)
		}
		return s["auth_token"]
	}
	got, err := update(in.ID, inbox.InboxChange{Name: " Main line ", TeamID: team.ID, Settings: map[string]string{"from": "+2"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Main line" || got.TeamID == nil || *got.TeamID != team.ID || string(got.Settings) != `{"from": "+2"}` || secret(got) != "first" {
		t.Errorf("after an update without secrets: %+v %s, secret %q", got, got.Settings, secret(got))
	}
	if got, err = update(in.ID, inbox.InboxChange{Name: "Main line", Secrets: map[string]string{"auth_token": "second"}}); err != nil || secret(got) != "second" || got.TeamID != nil {
		t.Errorf("after new secrets: %v, team %v", err, got.TeamID)
	}
	if _, err := update(in.ID, inbox.InboxChange{Name: "Other"}); !errors.Is(err, inbox.ErrConflict) {
		t.Errorf("a name taken: %v, want ErrConflict", err)
	}
	var ve *inbox.ValidationError
	if _, err := update(in.ID, inbox.InboxChange{Name: " "}); !errors.As(err, &ve) || ve.Field != "name" {
		t.Errorf("an empty name: %v", err)
	}
	if _, err := update(in.ID, inbox.InboxChange{Name: "x", TeamID: 999999}); !errors.As(err, &ve) || ve.Field != "team_id" {
		t.Errorf("an unknown team: %v", err)
	}
	if _, err := update(999999, inbox.InboxChange{Name: "x"}); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("a missing inbox: %v", err)
	}

	disable := func(id int64, on bool) (inbox.Inbox, error) {
		var out inbox.Inbox
		err := store.InTx(ctx, func(tx pgx.Tx) error {
			var err error
			out, err = store.SetInboxDisabledTx(ctx, tx, id, on)
			return err
		})
		return out, err
	}
	first, err := disable(in.ID, true)
	if err != nil || !first.Disabled() {
		t.Fatalf("disable: %+v %v", first, err)
	}
	again, err := disable(in.ID, true)
	if err != nil || !again.DisabledAt.Equal(*first.DisabledAt) {
		t.Errorf("disabling again moved the time: %v -> %v (%v)", first.DisabledAt, again.DisabledAt, err)
	}
	if listed, _ := store.GetInbox(ctx, in.ID); !listed.Disabled() {
		t.Error("GetInbox does not show it disabled")
	}
	if on, err := disable(in.ID, false); err != nil || on.Disabled() {
		t.Errorf("enable: %+v %v", on, err)
	}
	if _, err := disable(999999, true); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("disable a missing inbox: %v", err)
	}
}
