package email_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
)

// oauthEnv is an env whose inbox signs in with OAuth2 at Google (whose token endpoint the
// fetcher's and sender's HTTP client reach as the fake token server), and whose IMAP server and
// SMTP sink take only XOAUTH2 with the latest access token the fake issued.
type oauthEnv struct {
	*env
	tokens *emailtest.TokenServer
}

const refreshToken = "1//refresh-token-of-support"

func setupOAuth(t *testing.T) *oauthEnv {
	t.Helper()
	ts := emailtest.NewTokenServer(t, refreshToken)
	e := setup(t, envOptions{smtp: emailtest.SMTPOptions{OAuth: ts.Check}, fetcher: email.FetcherConfig{HTTPClient: ts.Client()},
		sender: email.SenderConfig{HTTPClient: ts.Client()}})
	e.imap.AcceptOAuth(ts.Check)
	oe := &oauthEnv{env: e, tokens: ts}
	oe.setRefreshToken(refreshToken)
	return oe
}

// setRefreshToken makes the inbox sign in with OAuth2 at Google with refresh token rt, as an
// admin saving the inbox's form does.
func (e *oauthEnv) setRefreshToken(rt string) {
	e.t.Helper()
	e.signInWith(email.OAuthSetup{Provider: email.ProviderGoogle, ClientID: e.tokens.ClientID, ClientSecret: e.tokens.ClientSecret,
		RefreshToken: rt})
}

// signInWith makes the inbox sign in with OAuth2 as o says.
func (e *oauthEnv) signInWith(o email.OAuthSetup) {
	e.t.Helper()
	ni, err := email.NewOAuthInbox("Acme Support", "support@example.com", "imap://"+e.imap.Addr()+"/INBOX", "smtp://"+e.smtp.Addr(), o, 0, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	err = e.store.InTx(context.Background(), func(tx pgx.Tx) error {
		e.inbox, err = e.store.UpdateInboxTx(context.Background(), tx, e.inbox.ID,
			inbox.InboxChange{Name: ni.Name, Settings: ni.Settings, Secrets: ni.Secrets})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// advance moves the clock.
func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

// TestOAuthSyncsAndRepliesWithXOAUTH2: an inbox set up for Google's OAuth2 asks Google's token
// endpoint (the fake, reached by its real URL) for an access token with its refresh token, signs
// in to IMAP and SMTP with XOAUTH2 (servers that refuse passwords), syncs the customer's mail
// and sends the reply; the sender reuses the token the poll got. Nothing is stored in clear.
func TestOAuthSyncsAndRepliesWithXOAUTH2(t *testing.T) {
	e := setupOAuth(t)
	convID, sent := e.startThread(t)
	if convID == 0 || e.imap.OAuthLogins() != 1 {
		t.Fatalf("XOAUTH2 logins to IMAP: %d, want 1", e.imap.OAuthLogins())
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "On it.") || header(msgs[0].Data, "Message-ID") != "<"+*sent.EmailMessageID+">" {
		t.Fatalf("the sink holds %+v", msgs)
	}
	if users := e.smtp.OAuthUsers(); len(users) != 1 || users[0] != "support@example.com" {
		t.Fatalf("XOAUTH2 sign-ins to SMTP: %v", users)
	}
	if n := e.tokens.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes, want 1: the sender reuses the poll's token", n)
	}
	if urls := e.tokens.URLs(); len(urls) != 1 || urls[0] != "https://oauth2.googleapis.com/token" {
		t.Fatalf("token requests went to %v", urls)
	}
	var sealedTokens, settings, secrets []byte
	if err := e.pool.QueryRow(context.Background(), `SELECT t.tokens_sealed, i.settings, i.secrets FROM email_oauth_tokens t
		JOIN inboxes i ON i.id = t.inbox_id WHERE t.inbox_id = $1`, e.inbox.ID).Scan(&sealedTokens, &settings, &secrets); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{sealedTokens, settings, secrets} {
		for _, secret := range []string{"access-1", refreshToken, e.tokens.ClientSecret} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%q is stored in clear", secret)
			}
		}
	}
}

// TestOAuthTokenReusedWhileValidAndRefreshedOnceWhenExpired: within its hour the access token
// is reused; two minutes before it expires it is refreshed, once, however many deliveries ask
// at the same time, and the new one is what the servers get.
func TestOAuthTokenReusedWhileValidAndRefreshedOnceWhenExpired(t *testing.T) {
	e := setupOAuth(t)
	e.startThread(t)
	for i := range 6 { // six customers: six conversations, whose deliveries run side by side
		n := strconv.Itoa(i)
		e.imap.Append(t, customerMail("c"+n+"@customer.example", "c"+n+"@customer.example", "Question "+n, "Hello."))
	}
	e.advance(50 * time.Minute)
	e.poll()
	if n := e.tokens.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes within the token's hour, want 1", n)
	}

	e.advance(9 * time.Minute) // 59 minutes: within the margin
	e.tokens.Slow(200 * time.Millisecond)
	var replies []inbox.Message
	for i := range 6 {
		convID := e.messageByEmailID("c" + strconv.Itoa(i) + "@customer.example").ConversationID
		replies = append(replies, e.reply(convID, "Answer "+strconv.Itoa(i)))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(replies))
	for i, r := range replies {
		wg.Go(func() { errs[i] = e.deliver(r.ID, 1) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if n := e.tokens.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes after six concurrent deliveries past the margin, want 2", n)
	}
	if n := len(e.smtp.Messages()); n != 7 {
		t.Fatalf("the sink holds %d messages, want 7", n)
	}
	e.poll() // the IMAP server takes only the new token
	if n := e.tokens.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes, want 2", n)
	}
}

// TestOAuthTokenRefusedByTheServerIsReplaced: an access token the mail server refuses before its
// expiry (revoked) is dropped: that poll fails, the next refreshes and signs in.
func TestOAuthTokenRefusedByTheServerIsReplaced(t *testing.T) {
	e := setupOAuth(t)
	ctx := context.Background()
	parts, err := email.NewChannel().Open(ctx, channels.Env{Store: e.store, Pool: e.pool, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	e.poll()
	e.tokens.RevokeAccess()
	_, err = e.fetcher.Poll(ctx, e.inbox.ID)
	if err == nil || !strings.Contains(err.Error(), "OAuth2") {
		t.Fatalf("poll with a revoked access token: %v", err)
	}
	if ps, err := parts.Problems(ctx); err != nil || len(ps) != 1 || !strings.Contains(ps[0].What, "refused the OAuth2 sign-in") {
		t.Fatalf("problems after the refused sign-in: %+v, %v", ps, err)
	}
	e.poll()
	if n, logins := e.tokens.Refreshes(), e.imap.OAuthLogins(); n != 2 || logins != 2 {
		t.Fatalf("%d refreshes and %d logins, want 2 and 2", n, logins)
	}
	if ps, err := parts.Problems(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("problems after the sign-in worked again: %+v, %v", ps, err)
	}
}

// TestOAuthRotatedRefreshTokenIsKept: a provider that hands back a new refresh token with each
// access token (Microsoft) and forgets the old one: the next refresh uses the new one.
func TestOAuthRotatedRefreshTokenIsKept(t *testing.T) {
	e := setupOAuth(t)
	e.tokens.Rotate()
	e.poll()
	e.advance(2 * time.Hour)
	e.poll()
	e.advance(2 * time.Hour)
	e.poll()
	if n := e.tokens.Refreshes(); n != 3 {
		t.Fatalf("%d refreshes, want 3", n)
	}
	var sealed []byte
	if err := e.pool.QueryRow(context.Background(), `SELECT tokens_sealed FROM email_oauth_tokens WHERE inbox_id = $1`,
		e.inbox.ID).Scan(&sealed); err != nil || strings.Contains(string(sealed), "rotated") {
		t.Fatalf("the rotated refresh token is not sealed: %v", err)
	}
}

// TestOAuthRefusedRefreshTokenIsAProblemNotALoop: once the provider answers invalid_grant the
// inbox is not refreshed again (polls and sends fail at once, the send permanently, with a
// message saying what happened), the Problems page names it with what to do, and a new refresh
// token saved by an admin mends it and clears the problem.
func TestOAuthRefusedRefreshTokenIsAProblemNotALoop(t *testing.T) {
	e := setupOAuth(t)
	ctx := context.Background()
	parts, err := email.NewChannel().Open(ctx, channels.Env{Store: e.store, Pool: e.pool, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	convID, _ := e.startThread(t)
	e.tokens.RevokeGrant()
	e.advance(2 * time.Hour)
	for range 3 {
		_, err := e.fetcher.Poll(ctx, e.inbox.ID)
		var refused *email.RefusedError
		if !errors.As(err, &refused) || !strings.Contains(err.Error(), "invalid_grant") {
			t.Fatalf("poll with a revoked refresh token: %v, want a RefusedError", err)
		}
	}
	r := e.reply(convID, "Still there?")
	if err := e.deliver(r.ID, 1); err == nil {
		t.Fatal("a delivery without a usable refresh token succeeded")
	}
	failed, err := e.store.GetMessage(ctx, r.ID)
	if err != nil || failed.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(failed.DeliveryError, "new refresh token") {
		t.Fatalf("reply %+v, %v: want it failed for good, saying why", failed, err)
	}
	if n := e.tokens.Refreshes(); n != 2 {
		t.Fatalf("%d refreshes, want 2: the first token and the one refused", n)
	}
	ps, err := parts.Problems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Kind != channels.ProblemCredentials || ps[0].Inbox != "Acme Support" ||
		!strings.Contains(ps[0].What, "refused the refresh token") || !strings.Contains(ps[0].Detail, "invalid_grant") ||
		!strings.Contains(ps[0].Do, "new refresh token") {
		t.Fatalf("problems: %+v, want the refused refresh token alone", ps)
	}

	e.tokens.Grant("1//a-new-grant")
	e.setRefreshToken("1//a-new-grant")
	e.poll()
	if ps, err := parts.Problems(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("problems after a new refresh token: %+v, %v", ps, err)
	}
}

// TestOAuthTokenEndpointDownIsRetriedNotRefused: a token endpoint answering 503 is an outage,
// not a refusal: the poll fails to be retried, a reply's delivery is retried rather than failed,
// nothing is recorded as refused, and once the endpoint is back both go through.
func TestOAuthTokenEndpointDownIsRetriedNotRefused(t *testing.T) {
	e := setupOAuth(t)
	ctx := context.Background()
	convID, _ := e.startThread(t)
	e.advance(2 * time.Hour)
	e.tokens.Fail(http.StatusServiceUnavailable)
	_, err := e.fetcher.Poll(ctx, e.inbox.ID)
	var refused *email.RefusedError
	if err == nil || errors.As(err, &refused) {
		t.Fatalf("poll during the outage: %v, want a plain error", err)
	}
	r := e.reply(convID, "Back soon.")
	if err := e.deliver(r.ID, 1); err == nil {
		t.Fatal("a delivery during the outage succeeded")
	}
	if m, err := e.store.GetMessage(ctx, r.ID); err != nil || m.DeliveryStatus == inbox.DeliveryFailed {
		t.Fatalf("reply %+v, %v: an outage failed it for good", m, err)
	}
	if n := e.count(`SELECT count(*) FROM email_oauth_tokens WHERE refused_at IS NOT NULL`); n != 0 {
		t.Fatalf("%d refusals recorded for an outage", n)
	}
	e.tokens.Fail(0)
	e.poll()
	if err := e.deliver(r.ID, 2); err != nil {
		t.Fatalf("delivery after the outage: %v", err)
	}
}

// TestOAuthTokensFollowAKeyRotation: `parley secrets rotate` re-seals the cached tokens too, so
// that under the new PARLEY_SECRET_KEY the cached access token opens and is reused, not
// refreshed.
func TestOAuthTokensFollowAKeyRotation(t *testing.T) {
	e := setupOAuth(t)
	ctx := context.Background()
	e.poll()
	const newKey = "a-new-test-secret-key"
	store := inbox.New(e.pool, inbox.Options{Clock: e.clock, SecretKey: newKey})
	rep, err := store.RotateSecrets(ctx, secretKey, "test")
	if err != nil || rep.Resealed != 2 {
		t.Fatalf("rotate: %+v, %v; want the inbox's secrets and its tokens resealed", rep, err)
	}
	fetcher := email.NewFetcher(email.FetcherConfig{Store: store, SecretKey: newKey, HTTPClient: e.tokens.Client()})
	if _, err := fetcher.Poll(ctx, e.inbox.ID); err != nil {
		t.Fatalf("poll under the new key: %v", err)
	}
	if n := e.tokens.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes, want 1: the cached token opens under the new key", n)
	}
}

// TestOAuthSystemMailThroughTheFirstInbox: Parley's own mail (a password reset) sent through an
// inbox that signs in with OAuth2 at a custom token endpoint gets its token there (the client
// authenticated as the endpoint takes it) and signs in to SMTP with XOAUTH2.
func TestOAuthSystemMailThroughTheFirstInbox(t *testing.T) {
	e := setupOAuth(t)
	ctx := context.Background()
	e.signInWith(email.OAuthSetup{Provider: email.ProviderCustom, TokenURL: e.tokens.URL(), ClientID: e.tokens.ClientID,
		ClientSecret: e.tokens.ClientSecret, RefreshToken: refreshToken})
	mailer, err := email.NewSystemMailer(email.SystemMailConfig{Store: e.store, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := mailer.SendMail(ctx, "ana@acme.example", "Reset your password", "Follow the link."); err != nil {
		t.Fatalf("system mail: %v", err)
	}
	if msgs, users := e.smtp.Messages(), e.smtp.OAuthUsers(); len(msgs) != 1 || len(users) != 1 || e.tokens.Refreshes() != 1 {
		t.Fatalf("%d messages, XOAUTH2 users %v, %d refreshes", len(msgs), users, e.tokens.Refreshes())
	}
}
