package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// This file holds the access tokens of the inboxes that sign in with OAuth2
// (email_oauth_tokens): obtained from the provider's token endpoint with the inbox's refresh
// token, kept sealed in the database so that every process and every poll and send reuses one
// until shortly before it expires, and refreshed under the row's lock, so that concurrent users
// refresh once. A refresh the provider refuses (invalid_grant: the refresh token was revoked or
// expired) is recorded and never tried again with the same refresh token: the Problems page
// shows it until an admin gives the inbox a new one.

// Token timing.
const (
	// refreshMargin is how long before its expiry an access token is replaced.
	refreshMargin = 2 * time.Minute
	// defaultTokenLife is how long an access token is used when the provider gave no
	// expires_in.
	defaultTokenLife = 10 * time.Minute
	// tokenTimeout bounds one refresh at the token endpoint.
	tokenTimeout = 30 * time.Second
)

// RefusedError is a refresh the provider refused: the refresh token was revoked or has expired
// (invalid_grant), or the client id or secret is wrong (invalid_client). Trying again cannot
// help; an admin must give the inbox a new refresh token.
type RefusedError struct {
	// Code is the provider's OAuth2 error code, like "invalid_grant" (or the HTTP status).
	Code string
	// Description is the provider's error_description, when it gave one.
	Description string
}

// Error implements error.
func (e *RefusedError) Error() string {
	return "email: oauth2: the provider refused the refresh token: " + e.reason()
}

// reason is the code and the description: what email_oauth_tokens.refusal keeps.
func (e *RefusedError) reason() string {
	if e.Description != "" {
		return e.Code + " (" + e.Description + ")"
	}
	return e.Code
}

// oauthTokens gets the access tokens of OAuth2 inboxes.
type oauthTokens struct {
	store  *inbox.Store
	sealer *inbox.Sealer
	client *http.Client
	log    *slog.Logger
}

// newOAuthTokens returns the token keeper; a nil client is an http.Client bounded by
// tokenTimeout.
func newOAuthTokens(store *inbox.Store, secretKey string, client *http.Client, log *slog.Logger) *oauthTokens {
	if client == nil {
		client = &http.Client{Timeout: tokenTimeout}
	}
	return &oauthTokens{store: store, sealer: inbox.NewSealer(secretKey), client: client, log: log}
}

// sealedTokens is what tokens_sealed holds.
type sealedTokens struct {
	AccessToken string `json:"access_token,omitempty"`
	// RefreshToken is a refresh token the provider returned in place of the configured one.
	RefreshToken string `json:"refresh_token,omitempty"`
}

// tokenRow is an inbox's row of email_oauth_tokens.
type tokenRow struct {
	grant     []byte
	tokens    sealedTokens
	expiresAt *time.Time
	refusal   *string
}

// grant names the inbox's configured grant: a row made for another is stale. It is a SHA-256,
// not keyed with PARLEY_SECRET_KEY, so that it outlives a key rotation (a rotated refresh token
// kept in the row must); a refresh token is random enough that its hash reveals nothing.
func (o *oauthTokens) grant(a account) []byte {
	m := sha256.New()
	for _, part := range []string{"parley email oauth grant", a.settings.OAuth.Endpoint(), a.settings.OAuth.ClientID,
		a.secrets.OAuthRefreshToken} {
		m.Write([]byte(part))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// login returns the XOAUTH2 login of inbox a: its cached access token while it is valid, or a
// fresh one. A refused refresh token is a *RefusedError, at once and without asking the
// provider again; a token endpoint that fails otherwise (down, 5xx) is a plain error, for the
// caller to retry. The login's refused drops the token when the mail server refuses it.
func (o *oauthTokens) login(ctx context.Context, a account) (login, error) {
	token, err := o.token(ctx, a)
	if err != nil {
		return login{}, err
	}
	return login{token: token, refused: func() { o.forget(context.WithoutCancel(ctx), a.inbox.ID) }}, nil
}

// token returns a valid access token for a.
func (o *oauthTokens) token(ctx context.Context, a account) (string, error) {
	grant := o.grant(a)
	row, found, err := o.load(ctx, o.store.Pool(), a.inbox.ID, false)
	if err != nil {
		return "", err
	}
	if found && bytes.Equal(row.grant, grant) {
		if tok, ok, err := o.usable(row); ok || err != nil {
			return tok, err
		}
	}
	var token string
	var refused error
	err = pgx.BeginFunc(ctx, o.store.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO email_oauth_tokens (inbox_id, grant_hash) VALUES ($1, $2)
			ON CONFLICT (inbox_id) DO NOTHING`, a.inbox.ID, grant); err != nil {
			return err
		}
		row, _, err := o.load(ctx, tx, a.inbox.ID, true)
		if err != nil {
			return err
		}
		if !bytes.Equal(row.grant, grant) { // the admin gave the inbox another grant
			row = tokenRow{grant: grant}
		}
		if tok, ok, err := o.usable(row); ok || err != nil {
			token, refused = tok, err
			return nil
		}
		refreshToken := a.secrets.OAuthRefreshToken
		if row.tokens.RefreshToken != "" {
			refreshToken = row.tokens.RefreshToken
		}
		got, err := o.refresh(ctx, a, refreshToken)
		var re *RefusedError
		if errors.As(err, &re) {
			refused = re
			o.log.Warn("email: the OAuth2 provider refused the refresh token; the inbox stays signed out until an admin gives a new one",
				"inbox", a.inbox.ID, "err", err)
			_, err = tx.Exec(ctx, `UPDATE email_oauth_tokens SET grant_hash = $2, tokens_sealed = NULL, expires_at = NULL,
				refused_at = $3, refusal = $4 WHERE inbox_id = $1`, a.inbox.ID, grant, o.store.Now(), re.reason())
			return err
		}
		if err != nil {
			return err
		}
		next := sealedTokens{AccessToken: got.AccessToken, RefreshToken: row.tokens.RefreshToken}
		if got.RefreshToken != "" && got.RefreshToken != refreshToken {
			next.RefreshToken = got.RefreshToken // the provider rotated it
		}
		plain, err := json.Marshal(next)
		if err != nil {
			return err
		}
		sealed, err := o.sealer.Seal(plain)
		if err != nil {
			return err
		}
		life := time.Duration(got.ExpiresIn) * time.Second
		if life <= 0 {
			life = defaultTokenLife
		}
		now := o.store.Now()
		token = got.AccessToken
		_, err = tx.Exec(ctx, `UPDATE email_oauth_tokens SET grant_hash = $2, tokens_sealed = $3, expires_at = $4,
			refreshes = refreshes + 1, refreshed_at = $5, refused_at = NULL, refusal = NULL WHERE inbox_id = $1`,
			a.inbox.ID, grant, sealed, now.Add(life), now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("email: oauth2: inbox %d: %w", a.inbox.ID, err)
	}
	if refused != nil {
		return "", refused
	}
	return token, nil
}

// usable reports whether row holds an access token valid for at least refreshMargin, or a
// refusal (as a *RefusedError).
func (o *oauthTokens) usable(row tokenRow) (string, bool, error) {
	if row.refusal != nil {
		return "", false, &RefusedError{Code: *row.refusal}
	}
	if row.tokens.AccessToken != "" && row.expiresAt != nil && o.store.Now().Add(refreshMargin).Before(*row.expiresAt) {
		return row.tokens.AccessToken, true, nil
	}
	return "", false, nil
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// load reads the inbox's row, locked when lock is set.
func (o *oauthTokens) load(ctx context.Context, q querier, inboxID int64, lock bool) (tokenRow, bool, error) {
	sql := `SELECT grant_hash, tokens_sealed, expires_at, refusal FROM email_oauth_tokens WHERE inbox_id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var row tokenRow
	var sealed []byte
	err := q.QueryRow(ctx, sql, inboxID).Scan(&row.grant, &sealed, &row.expiresAt, &row.refusal)
	if errors.Is(err, pgx.ErrNoRows) {
		return tokenRow{}, false, nil
	}
	if err != nil {
		return tokenRow{}, false, fmt.Errorf("email: oauth2: inbox %d: %w", inboxID, err)
	}
	if sealed != nil {
		plain, err := o.sealer.Open(sealed)
		if err != nil {
			return tokenRow{}, false, fmt.Errorf("email: oauth2: inbox %d: %w", inboxID, err)
		}
		if err := json.Unmarshal(plain, &row.tokens); err != nil {
			return tokenRow{}, false, fmt.Errorf("email: oauth2: inbox %d: %w", inboxID, err)
		}
	}
	return row, true, nil
}

// forget drops the inbox's access token (the mail server refused it), keeping a rotated refresh
// token: the next login refreshes.
func (o *oauthTokens) forget(ctx context.Context, inboxID int64) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := o.store.Pool().Exec(ctx, `UPDATE email_oauth_tokens SET expires_at = NULL WHERE inbox_id = $1`, inboxID); err != nil {
		o.log.Warn("email: could not drop a refused OAuth2 access token", "inbox", inboxID, "err", err)
	}
}

// refresh asks the provider's token endpoint for an access token (grant_type=refresh_token).
// A 4xx answer (but 408 and 429) is a *RefusedError.
func (o *oauthTokens) refresh(ctx context.Context, a account, refreshToken string) (*oauth2.Token, error) {
	return refreshAt(ctx, o.client, a.settings.OAuth, a.secrets.OAuthClientSecret, refreshToken)
}

// refreshAt makes one refresh of refreshToken at the endpoint of o.
func refreshAt(ctx context.Context, client *http.Client, o *OAuth, clientSecret, refreshToken string) (*oauth2.Token, error) {
	if o == nil {
		return nil, errors.New("the inbox has no OAuth2 settings")
	}
	style := oauth2.AuthStyleInParams // what Google and Microsoft take
	if o.Provider == ProviderCustom {
		style = oauth2.AuthStyleAutoDetect
	}
	cfg := oauth2.Config{ClientID: o.ClientID, ClientSecret: clientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: o.Endpoint(), AuthStyle: style}}
	ctx, cancel := context.WithTimeout(ctx, tokenTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		status := re.Response.StatusCode
		if status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooManyRequests {
			code := re.ErrorCode
			if code == "" {
				code = re.Response.Status
			}
			return nil, &RefusedError{Code: code, Description: re.ErrorDescription}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("token endpoint %s: %w", o.Endpoint(), err)
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("token endpoint %s: the answer held no access token", o.Endpoint())
	}
	return tok, nil
}

// problems lists the inboxes among list whose refresh token the provider refused, each as a
// ProblemCredentials saying what to do; a refusal of a grant the inbox no longer has (an admin
// gave a new refresh token since) is not listed.
func (o *oauthTokens) problems(ctx context.Context, list []inbox.Inbox) ([]channels.Problem, error) {
	rows, err := o.store.Pool().Query(ctx, `SELECT inbox_id, grant_hash, refusal, refused_at FROM email_oauth_tokens
		WHERE refused_at IS NOT NULL ORDER BY refused_at`)
	if err != nil {
		return nil, fmt.Errorf("email: problems: %w", err)
	}
	type refusal struct {
		id    int64
		grant []byte
		p     channels.Problem
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (refusal, error) {
		var f refusal
		return f, r.Scan(&f.id, &f.grant, &f.p.Detail, &f.p.Since)
	})
	if err != nil {
		return nil, fmt.Errorf("email: problems: %w", err)
	}
	var out []channels.Problem
	for _, f := range found {
		i := slices.IndexFunc(list, func(in inbox.Inbox) bool { return in.ID == f.id })
		if i < 0 {
			continue
		}
		if a, err := accountOf(o.store, list[i]); err == nil && (a.settings.OAuth == nil || !bytes.Equal(o.grant(a), f.grant)) {
			continue // stale: the inbox signs in otherwise now
		}
		p := f.p
		p.Kind, p.Inbox = channels.ProblemCredentials, list[i].Name
		p.What = "The OAuth2 provider refused the refresh token of " + p.Inbox + ": no mail is read or sent until it gets a new one."
		p.Do = "Sign in to the mailbox's account again to get a new refresh token (it was revoked, expired or the password changed) and save it in the inbox's settings."
		out = append(out, p)
	}
	return out, nil
}
