package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestWeakSecretKeyRefusedAtStart(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	for _, key := range []string{"test-key", "a long passphrase that is not random bytes at all, honestly", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="} {
		out, err := parley(t, map[string]string{"DATABASE_URL": url, "PARLEY_SECRET_KEY": key}, "", "migrate")
		if err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") || !strings.Contains(err.Error(), "parley secrets generate") {
			t.Errorf("key %q: %v %s, want a refusal saying how to make a key", key, err, out)
		}
	}
	out, err := parley(t, nil, "", "secrets", "generate")
	if err != nil || inbox.CheckSecretKey(strings.TrimSpace(out)) != nil {
		t.Fatalf("secrets generate: %q %v", out, err)
	}
	if _, err := parley(t, map[string]string{"DATABASE_URL": url, "PARLEY_SECRET_KEY": strings.TrimSpace(out)}, "", "migrate"); err != nil {
		t.Fatalf("a generated key refused: %v", err)
	}
}

func TestSMTPURLChecked(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"http://mail.example.com", "smtp://user@mail.example.com", "smtp://:pw@", "smtp://u:p@mail.example.com:99999"} {
		_, err := loadConfig(func(k string) string {
			return map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_SMTP_URL": bad}[k]
		})
		if err == nil || !strings.Contains(err.Error(), "PARLEY_SMTP_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	c, err := loadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_SMTP_URL": "smtps://me%40example.com:pw@mail.example.com"}[k]
	})
	if err != nil || c.SMTPURL == "" {
		t.Fatalf("a good URL: %v", err)
	}
}

func TestSecretsRotate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	oldKey, newKey := inbox.GenerateSecretKey(), inbox.GenerateSecretKey()
	oldEnv := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": oldKey}
	if out, err := parley(t, oldEnv, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	out, err := parley(t, oldEnv, "imaps://u:imap-pw@imap.acme.example\nsmtps://u:smtp-pw@smtp.acme.example\n",
		"inbox", "add", "email", "--name", "Support", "--address", "support@acme.example", "--imap-url", "-", "--smtp-url", "-")
	if err != nil {
		t.Fatalf("inbox add: %v %s", err, out)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(out), 10, 64)
	if err != nil {
		t.Fatal(out)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	opens := func(key string) bool {
		s := inbox.New(pool, inbox.Options{SecretKey: key})
		in, err := s.GetInbox(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var sec email.Secrets
		return s.OpenSecrets(in, &sec) == nil && sec.IMAPPassword == "imap-pw" && sec.SMTPPassword == "smtp-pw"
	}
	newEnv := map[string]string{"DATABASE_URL": url, "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": newKey}
	if _, err := parley(t, newEnv, "", "secrets", "rotate"); err == nil {
		t.Fatal("rotate without the old key succeeded")
	}
	newEnv["PARLEY_SECRET_KEY_OLD"] = oldKey
	if out, err := parley(t, newEnv, "", "secrets", "rotate"); err != nil || !strings.Contains(out, "1 re-sealed, 0 already current") {
		t.Fatalf("rotate: %q %v", out, err)
	}
	if !opens(newKey) || opens(oldKey) {
		t.Fatalf("after rotating: new key opens %v, old key opens %v", opens(newKey), opens(oldKey))
	}
	if out, err := parley(t, newEnv, "", "secrets", "rotate"); err != nil || !strings.Contains(out, "0 re-sealed, 1 already current") {
		t.Fatalf("rotate again: %q %v", out, err)
	}
}

func TestAgentAddPasswordOnStdinAndPolicy(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	if out, err := parley(t, env, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	out, err := parley(t, env, "a-long-enough-pw\n", "agent", "add", "--email", "a@example.com", "--name", "A", "--password", "-")
	if err != nil || !strings.Contains(out, "<a@example.com>") {
		t.Fatalf("password on stdin: %q %v", out, err)
	}
	for pw, want := range map[string]string{"1234567890": "most common", strings.Repeat("p", 80): "at most 72 bytes", "short": "at least 10"} {
		if _, err := parley(t, env, pw+"\n", "agent", "add", "--email", "b@example.com", "--name", "B", "--password", "-"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("password %q: %v, want %q", pw, err, want)
		}
	}
	if _, err := parley(t, env, "", "agent", "add", "--email", "c@example.com", "--name", "C", "--password", "-"); err == nil ||
		!strings.Contains(err.Error(), "nothing for it on stdin") {
		t.Errorf("- with an empty stdin: %v", err)
	}
	out, _ = parley(t, env, "", "agent", "add", "-h")
	if !strings.Contains(out, "given as -, is read from stdin") {
		t.Errorf("agent add -h does not say how secrets are read: %q", out)
	}
}
