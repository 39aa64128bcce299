package inbox_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

func TestWeakSecretKeysAreRefused(t *testing.T) {
	t.Parallel()
	random := make([]byte, 32)
	_, _ = rand.Read(random)
	for _, weak := range []string{
		"",
		"test-key",
		"correct horse battery staple and a good deal more words than that, surely long enough?", // a passphrase
		base64.StdEncoding.EncodeToString(random[:31]),                                           // 31 bytes
		hex.EncodeToString(random[:16]),
		base64.StdEncoding.EncodeToString(make([]byte, 32)),               // 32 zero bytes
		base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("ab"), 32)), // 64 bytes, two values
	} {
		err := inbox.CheckSecretKey(weak)
		if err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") || !strings.Contains(err.Error(), "parley secrets generate") {
			t.Errorf("key %q: %v, want a refusal saying how to make one", weak, err)
		}
	}
	for _, good := range []string{
		inbox.GenerateSecretKey(),
		hex.EncodeToString(random),
		base64.RawURLEncoding.EncodeToString(random),
		" " + base64.StdEncoding.EncodeToString(random) + "\n",
	} {
		if err := inbox.CheckSecretKey(good); err != nil {
			t.Errorf("key %q refused: %v", good, err)
		}
	}
	if k1, k2 := inbox.GenerateSecretKey(), inbox.GenerateSecretKey(); k1 == k2 {
		t.Error("two generated keys are equal")
	}
}

// legacySeal seals as Parley did before HKDF: AES-256-GCM under SHA-256 of the key, the nonce
// first, no marker.
func legacySeal(t *testing.T, key string, plain []byte) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil)
}

func TestSealerOpensTheFirstFormatAndSealsTheNew(t *testing.T) {
	t.Parallel()
	s := inbox.NewSealer("the-key")
	old := legacySeal(t, "the-key", []byte("imap password"))
	if got, err := s.Open(old); err != nil || string(got) != "imap password" {
		t.Fatalf("a value sealed before HKDF: %q %v", got, err)
	}
	sealed, err := s.Seal([]byte("smtp password"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, []byte("pv1:")) {
		t.Fatalf("no version marker: %x", sealed[:8])
	}
	if got, err := s.Open(sealed); err != nil || string(got) != "smtp password" {
		t.Fatalf("round trip: %q %v", got, err)
	}
	// The new format is not the old key schedule with a marker in front.
	if _, err := s.Open(legacySeal(t, "the-key", nil)[:0]); err == nil {
		t.Error("an empty value opened")
	}
	if _, err := inbox.NewSealer("another-key").Open(sealed); err == nil {
		t.Error("another key opened the value")
	}
	if _, err := inbox.NewSealer("another-key").Open(old); err == nil {
		t.Error("another key opened the old value")
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := s.Open(tampered); err == nil {
		t.Error("a tampered value opened")
	}
	if _, err := inbox.NewSealer("").Seal([]byte("x")); !errors.Is(err, inbox.ErrNoSecretKey) {
		t.Errorf("no key: %v", err)
	}
}

type creds struct {
	Password string `json:"password"`
}

func TestRotateSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	oldKey, newKey := inbox.GenerateSecretKey(), inbox.GenerateSecretKey()
	before := inbox.New(pool, inbox.Options{SecretKey: oldKey})
	after := inbox.New(pool, inbox.Options{SecretKey: newKey})
	var ids []int64
	for _, name := range []string{"first", "second", "legacy"} {
		in, err := before.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: name, Settings: map[string]string{},
			Secrets: creds{Password: name + "-secret"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, in.ID)
	}
	if _, err := pool.Exec(ctx, `UPDATE inboxes SET secrets = $2 WHERE id = $1`, ids[2],
		legacySeal(t, oldKey, []byte(`{"password":"legacy-secret"}`))); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO inboxes (kind, name, settings, created_at) VALUES ('chat', 'no secrets', '{}', now())`); err != nil {
		t.Fatal(err)
	}
	open := func(s *inbox.Store, id int64) (string, error) {
		in, err := s.GetInbox(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var c creds
		err = s.OpenSecrets(in, &c)
		return c.Password, err
	}

	if _, err := after.RotateSecrets(ctx, "", "cli"); err == nil {
		t.Fatal("rotating without the old key succeeded")
	}
	if _, err := before.RotateSecrets(ctx, "", "cli"); err != nil {
		t.Fatal(err) // upgrades the legacy value under the old key, so the old key opens all
	}
	if n := count(t, pool, `SELECT count(*) FROM inboxes WHERE substring(secrets from 1 for 4) = 'pv1:'`); n != 3 {
		t.Fatalf("%d values in the current format after the upgrade, want 3", n)
	}
	if _, err := pool.Exec(ctx, `UPDATE inboxes SET secrets = $2 WHERE id = $1`, ids[2],
		legacySeal(t, oldKey, []byte(`{"password":"legacy-secret"}`))); err != nil {
		t.Fatal(err)
	}

	// A value no key opens fails the run, which changes nothing.
	stranger := inbox.New(pool, inbox.Options{SecretKey: inbox.GenerateSecretKey()})
	bad, err := stranger.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelSMS, Name: "stranger", Settings: map[string]string{},
		Secrets: creds{Password: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.RotateSecrets(ctx, oldKey, "cli"); err == nil || !strings.Contains(err.Error(), "PARLEY_SECRET_KEY_OLD") {
		t.Fatalf("a value of a third key: %v", err)
	}
	if pw, err := open(before, ids[0]); err != nil || pw != "first-secret" {
		t.Fatalf("a failed rotation changed a value: %q %v", pw, err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM inboxes WHERE id = $1`, bad.ID); err != nil {
		t.Fatal(err)
	}

	rep, err := after.RotateSecrets(ctx, oldKey, "cli")
	if err != nil || rep.Resealed != 3 || rep.Current != 0 {
		t.Fatalf("rotate: %+v %v", rep, err)
	}
	for i, id := range ids {
		want := []string{"first-secret", "second-secret", "legacy-secret"}[i]
		if pw, err := open(after, id); err != nil || pw != want {
			t.Errorf("inbox %d with the new key: %q %v", id, pw, err)
		}
		if _, err := open(before, id); err == nil {
			t.Errorf("inbox %d still opens with the old key", id)
		}
	}
	rep, err = after.RotateSecrets(ctx, oldKey, "cli")
	if err != nil || rep.Resealed != 0 || rep.Current != 3 {
		t.Fatalf("a second rotation: %+v %v", rep, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor = 'cli'`, inbox.AuditSecretsRotated); n != 3 {
		t.Fatalf("%d secrets.rotated events, want 3 (the failed runs record none)", n)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// TestRotateSecretsReachesTwoFactorSecrets: an agent's TOTP secret, sealed under the old key,
// opens under the new one after a rotation, and no longer under the old.
func TestRotateSecretsReachesTwoFactorSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	oldKey, newKey := inbox.GenerateSecretKey(), inbox.GenerateSecretKey()
	before := inbox.New(pool, inbox.Options{SecretKey: oldKey})
	after := inbox.New(pool, inbox.Options{SecretKey: newKey})
	a, err := before.CreateAgent(ctx, inbox.NewAgent{Email: "ana@example.com", Name: "Ana", Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	setup, err := before.BeginTOTP(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := after.RotateSecrets(ctx, oldKey, "cli")
	if err != nil || rep.Resealed != 1 {
		t.Fatalf("rotate: %+v %v, want the one TOTP secret resealed", rep, err)
	}
	got, err := after.PendingTOTP(ctx, a.ID)
	if err != nil || got.Secret != setup.Secret {
		t.Fatalf("the TOTP secret under the new key: %+v %v", got, err)
	}
	if _, err := before.PendingTOTP(ctx, a.ID); err == nil {
		t.Fatal("the TOTP secret still opens under the old key")
	}
}
