package channels_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// OpenSealed refuses to go on without the key that seals the secrets, names the verb in its
// errors and finds the --team by name.
func TestOpenSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := inbox.New(dbtest.Pool(t), inbox.Options{})
	team, err := store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	envWith := func(key string) channels.SetupEnv {
		return channels.SetupEnv{Open: func(context.Context) (channels.Setup, error) {
			return channels.Setup{Store: store, SecretKey: key}, nil
		}}
	}

	if _, _, err := envWith("").OpenSealed(ctx, inbox.ChannelSMS, "the auth token", ""); err == nil ||
		err.Error() != "inbox add sms: PARLEY_SECRET_KEY is not set; it seals the auth token" {
		t.Fatalf("no key: %v", err)
	}
	_, _, err = envWith("k").OpenSealed(ctx, inbox.ChannelEmail, "the passwords", "Nobody")
	if !errors.Is(err, inbox.ErrNotFound) || !strings.HasPrefix(err.Error(), `inbox add email: team "Nobody": `) {
		t.Fatalf("unknown team: %v, want inbox add email: team \"Nobody\": not found", err)
	}
	refused := errors.New("no database")
	failing := channels.SetupEnv{Open: func(context.Context) (channels.Setup, error) { return channels.Setup{}, refused }}
	if _, _, err := failing.OpenSealed(ctx, inbox.ChannelChat, "x", "Billing"); !errors.Is(err, refused) {
		t.Fatalf("Open failing: %v, want its error", err)
	}
	for name, want := range map[string]int64{"": 0, "Billing": team.ID} {
		set, id, err := envWith("k").OpenSealed(ctx, inbox.ChannelSlack, "the bot token", name)
		if err != nil || id != want || set.Store != store || set.SecretKey != "k" {
			t.Fatalf("team %q: %d %+v %v, want %d and the setup", name, id, set, err, want)
		}
	}
}
