package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestInboxAddSlack(t *testing.T) {
	t.Parallel()
	fake := slacktest.New("xoxb-good")
	defer fake.Close()
	url := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": "SWLp6Ku9i/ASQCOYYin7Hi6IGnjZlncPTR69JOY0b1Q=",
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
		{env, []string{"--name", "NoSecret", "--bot-token", "xoxb-good"}, "no --signing-secret given and nothing for it on stdin"},
		{env, []string{"--name", "Ghost", "--bot-token", "xoxb-good", "--signing-secret", "s", "--team", "Ghosts"}, "Ghosts"},
		{noKey, []string{"--name", "NoKey", "--bot-token", "xoxb-good", "--signing-secret", "s"}, "PARLEY_SECRET_KEY"},
	} {
		out, err := parley(t, f.env, "", append([]string{"inbox", "add", "slack"}, f.args...)...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("inbox add slack %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
	// Both secrets from stdin ("-"): the token read is the good one, already connected.
	out, err = parley(t, env, "xoxb-good\ns\n", "inbox", "add", "slack", "--name", "Stdin", "--bot-token", "-", "--signing-secret", "-")
	if err == nil || !strings.Contains(err.Error()+out, "already connected as inbox "+id) {
		t.Errorf("secrets on stdin: %q, %v", out, err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM inboxes WHERE kind = 'slack'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d Slack inboxes (%v), want 1", n, err)
	}
	servedSlack(t, env, fake, conn)
}

// servedSlack checks the wiring of `parley serve`: the events URL answers Slack, a customer's
// message is stored, and the running job workers look up the new contact's Slack profile.
func servedSlack(t *testing.T, env map[string]string, fake *slacktest.Server, listen *pgx.Conn) {
	t.Helper()
	fake.AddUser(slacktest.User{ID: "U0ADA", Name: "ada", RealName: "Ada Lovelace"})
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveInBackground(t, env, ln)
	if _, err := listen.Exec(ctx, "LISTEN "+inbox.NotifyChannel); err != nil {
		t.Fatal(err)
	}
	post := func(body []byte) string {
		req, err := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+slack.EventsPath, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		slacktest.Sign(req.Header, "s3cret", time.Now(), body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", slack.EventsPath, resp.StatusCode, answer)
		}
		return string(answer)
	}
	if answer := post(slacktest.URLVerification("ch4llenge")); !strings.Contains(answer, `"challenge":"ch4llenge"`) {
		t.Fatalf("url_verification answered %s", answer)
	}
	post(slacktest.MessageEvent(slacktest.Message{Channel: "C0HELP", User: "U0ADA", Text: "VPN down", TS: "1700000000.000100"}))
	wait, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	for {
		n, err := listen.WaitForNotification(wait)
		if err != nil {
			t.Fatalf("the profile job did not complete the contact: %v", err)
		}
		if strings.Contains(n.Payload, `"type":"`+inbox.EventContactUpdated+`"`) && strings.Contains(n.Payload, "Ada Lovelace") {
			return
		}
	}
}
