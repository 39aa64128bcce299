package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestInboxAddSlack(t *testing.T) {
	t.Parallel()
	fake := slacktest.New("xoxb-good")
	defer fake.Close()
	url := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": "test-key",
		"PARLEY_SLACK_API_URL": fake.URL()}
	if out, err := parley(t, env, "", "team", "add", "--name", "Support"); err != nil {
		t.Fatalf("team add: %v\n%s", err, out)
	}
	out, err := parley(t, env, "", "inbox", "add", "slack", "--name", "Acme", "--bot-token", "xoxb-good",
		"--signing-secret", "s3cret", "--team", "Support", "--alert-channel", "C0ALERTS")
	if err != nil {
		t.Fatalf("inbox add slack: %v\n%s", err, out)
	}
	id := strings.TrimSpace(out)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var raw, sealed []byte
	var team *int64
	if err := conn.QueryRow(ctx, `SELECT settings, secrets, team_id FROM inboxes WHERE id = $1 AND kind = 'slack'`, id).
		Scan(&raw, &sealed, &team); err != nil {
		t.Fatalf("inbox %q: %v", id, err)
	}
	var set slack.Settings
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	want := slack.Settings{TeamID: "T0PARLEY", AppID: "A0PARLEY", BotUserID: "U0PARLEYBOT", BotID: "B0PARLEY", AlertChannel: "C0ALERTS"}
	if set != want || team == nil {
		t.Fatalf("settings = %+v, team %v; want %+v and a team", set, team, want)
	}
	if len(sealed) == 0 || bytes.Contains(sealed, []byte("xoxb-good")) || bytes.Contains(sealed, []byte("s3cret")) {
		t.Fatalf("secrets are not sealed: %q", sealed)
	}

	noKey := map[string]string{"DATABASE_URL": url, "PARLEY_SLACK_API_URL": fake.URL()}
	for _, f := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"--name", "Bad", "--bot-token", "xoxb-bad", "--signing-secret", "s"}, "invalid or revoked"},
		{env, []string{"--name", "Again", "--bot-token", "xoxb-good", "--signing-secret", "s"}, "already connected as inbox " + id},
		{env, []string{"--name", "User", "--bot-token", "xoxp-user", "--signing-secret", "s"}, "bot token (xoxb-"},
		{env, []string{"--name", "NoSecret", "--bot-token", "xoxb-good"}, "--signing-secret is required"},
		{env, []string{"--name", "Ghost", "--bot-token", "xoxb-good", "--signing-secret", "s", "--team", "Ghosts"}, "Ghosts"},
		{noKey, []string{"--name", "NoKey", "--bot-token", "xoxb-good", "--signing-secret", "s"}, "PARLEY_SECRET_KEY"},
	} {
		out, err := parley(t, f.env, "", append([]string{"inbox", "add", "slack"}, f.args...)...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("inbox add slack %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM inboxes WHERE kind = 'slack'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d Slack inboxes (%v), want 1", n, err)
	}
}
