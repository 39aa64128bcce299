package main

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestInboxAddEmail(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": "SWLp6Ku9i/ASQCOYYin7Hi6IGnjZlncPTR69JOY0b1Q="}
	if out, err := parley(t, env, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	ids := map[string]int64{}
	for _, tc := range []struct {
		name, stdin string
		args        []string
	}{
		{name: "Support", args: []string{"--address", "support@acme.example",
			"--imap-url", "imaps://support%40acme.example:imap-pw@imap.acme.example/INBOX",
			"--smtp-url", "smtp://support%40acme.example:smtp-pw@smtp.acme.example:587"}},
		// A second mailbox, its URLs (and passwords) on stdin.
		{name: "Sales", args: []string{"--address", "sales@acme.example"},
			stdin: "imap+starttls://sales:imap-pw2@imap.acme.example\nsmtps://sales:smtp-pw2@smtp.acme.example\n"},
	} {
		out, err := parley(t, env, tc.stdin, append([]string{"inbox", "add", "email", "--name", tc.name}, tc.args...)...)
		if err != nil {
			t.Fatalf("inbox add email %s: %v\n%s", tc.name, err, out)
		}
		if strings.Contains(out, "pw") {
			t.Errorf("output shows a password: %q", out)
		}
		id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
		if err != nil {
			t.Fatalf("no inbox id in %q", out)
		}
		ids[tc.name] = id
	}

	c := &cli{getenv: func(k string) string { return env[k] }, stdout: io.Discard, stderr: io.Discard}
	a, err := open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	in, err := a.store.GetInbox(context.Background(), ids["Sales"])
	if err != nil {
		t.Fatal(err)
	}
	var settings email.Settings
	var sealed email.Secrets
	if err := in.DecodeSettings(&settings); err != nil {
		t.Fatal(err)
	}
	if err := a.store.OpenSecrets(in, &sealed); err != nil {
		t.Fatal(err)
	}
	if in.Kind != inbox.ChannelEmail || settings.Address != "sales@acme.example" || settings.IMAP.Security != email.SecurityStartTLS ||
		settings.SMTP.Port != 465 || sealed.IMAPPassword != "imap-pw2" || sealed.SMTPPassword != "smtp-pw2" ||
		strings.Contains(string(in.Settings), "pw") {
		t.Errorf("stored %s %+v %+v", in.Settings, settings, sealed)
	}

	// OAuth2 sign-in at Google: its servers, the provider and the client id stored, the client
	// secret and the refresh token (from stdin) sealed and never shown.
	out, err := parley(t, env, "GOCSPX-client-secret\n1//refresh-token\n", "inbox", "add", "email", "--name", "Gmail",
		"--address", "gmail@acme.example", "--oauth", "google", "--oauth-client-id", "123.apps.googleusercontent.com")
	if err != nil || strings.Contains(out, "client-secret") || strings.Contains(out, "refresh-token") {
		t.Fatalf("inbox add email --oauth google: %q, %v", out, err)
	}
	oauthID, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatalf("no inbox id in %q", out)
	}
	if in, err = a.store.GetInbox(context.Background(), oauthID); err != nil {
		t.Fatal(err)
	}
	settings, sealed = email.Settings{}, email.Secrets{}
	if err := in.DecodeSettings(&settings); err != nil {
		t.Fatal(err)
	}
	if err := a.store.OpenSecrets(in, &sealed); err != nil {
		t.Fatal(err)
	}
	if settings.OAuth == nil || settings.OAuth.Provider != email.ProviderGoogle || settings.OAuth.ClientID != "123.apps.googleusercontent.com" ||
		settings.IMAP.Host != "imap.gmail.com" || settings.SMTP.Host != "smtp.gmail.com" || settings.IMAP.Username != "gmail@acme.example" ||
		sealed.OAuthClientSecret != "GOCSPX-client-secret" || sealed.OAuthRefreshToken != "1//refresh-token" ||
		strings.Contains(string(in.Settings), "refresh-token") {
		t.Errorf("stored %s %+v", in.Settings, sealed)
	}

	failures := []struct {
		args  []string
		stdin string
		env   map[string]string
		want  string
	}{
		{[]string{"--name", "A", "--address", "a@acme.example", "--imap-url", "imaps://support%40acme.example:other@imap.acme.example",
			"--smtp-url", "smtp://x:y@smtp.acme.example"}, "", env, "already reads this mailbox"},
		{[]string{"--name", "B", "--address", "b@acme.example"}, "", env, "no --imap-url given and nothing for it on stdin"},
		{[]string{"--name", "C", "--address", "c@acme.example", "--imap-url", "pop3://x:y@h", "--smtp-url", "smtp://h"}, "", env, "pop3"},
		{[]string{"--name", "D", "--address", "d@acme.example", "--imap-url", "imaps://x:y@h", "--smtp-url", "smtp://h"}, "",
			map[string]string{"DATABASE_URL": env["DATABASE_URL"]}, "PARLEY_SECRET_KEY"},
	}
	for _, f := range failures {
		out, err := parley(t, f.env, f.stdin, append([]string{"inbox", "add", "email"}, f.args...)...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("inbox add email %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
}
