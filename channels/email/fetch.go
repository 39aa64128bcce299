package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
)

// Fetcher defaults.
const (
	DefaultIdleFor      = 15 * time.Second
	DefaultPollEvery    = time.Minute
	DefaultMaxAttempts  = 3
	DefaultMaxRawBytes  = 40 << 20
	DefaultKeepRawBytes = 10 << 20
	DefaultDialTimeout  = 30 * time.Second
)

// FetcherConfig configures a Fetcher. Store is required.
type FetcherConfig struct {
	Store  *inbox.Store
	Logger *slog.Logger
	// SecretKey is PARLEY_SECRET_KEY: it keys the plus-address thread tokens (see ThreadTokens);
	// the Sender must use the same.
	SecretKey string
	// IdleFor bounds one Poll: on a server with IDLE it waits for new mail this long, then
	// returns so that its job runs again (reconnecting); a long first sync also stops after it
	// and goes on in the next run. It must stay under PollTimeout (a poll running longer is
	// cut by its job's timeout). 0 means DefaultIdleFor.
	IdleFor time.Duration
	// PollEvery is the wait between polls of a server without IDLE, and after finding the
	// mailbox busy; 0 means DefaultPollEvery.
	PollEvery time.Duration
	// MaxAttempts is how often a message that fails to ingest is tried before it is skipped;
	// 0 means DefaultMaxAttempts.
	MaxAttempts int
	// MaxRawBytes caps the bytes fetched of one message (a larger one is cut and flagged
	// raw_truncated); 0 means DefaultMaxRawBytes.
	MaxRawBytes int64
	// KeepRawBytes caps the raw message kept in email_sources; 0 means DefaultKeepRawBytes.
	KeepRawBytes int64
	// TLSConfig replaces the system's TLS settings (tests give their own CA); nil is the
	// system's.
	TLSConfig *tls.Config
	// DialTimeout bounds connecting and the TLS handshake; 0 means DefaultDialTimeout.
	DialTimeout time.Duration
	// Dial connects to the IMAP server; nil means a net.Dialer (tests inject their own).
	Dial Dialer
	// Relay, when set, is the IMAP server every mailbox is read from in place of its inbox's
	// (the sandbox's, on loopback): the inbox's user name and mailbox go to it, its password
	// does not.
	Relay *Server
	// LookupTXT finds DKIM public keys; nil means DNS. Tests give their own.
	LookupTXT LookupTXT
	// HTTPClient reaches the OAuth2 token endpoints of inboxes that sign in with OAuth2; nil
	// means an http.Client with a 30 s timeout. Tests give one that reaches their fake.
	HTTPClient *http.Client
}

// Fetcher reads email inboxes' mailboxes over IMAP into the inbox. It is the poll job's
// (PollArgs) mailbox reader: the job calls Poll for one inbox at a time.
type Fetcher struct {
	store  *inbox.Store
	log    *slog.Logger
	parser *Parser
	tokens ThreadTokens
	oauth  *oauthTokens
	cfg    FetcherConfig
}

// NewFetcher returns a Fetcher for cfg, with zero fields set to their defaults.
func NewFetcher(cfg FetcherConfig) *Fetcher {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleFor <= 0 {
		cfg.IdleFor = DefaultIdleFor
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = DefaultPollEvery
	}
	if cfg.LookupTXT == nil {
		cfg.LookupTXT = dnsTXT
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.MaxRawBytes <= 0 {
		cfg.MaxRawBytes = DefaultMaxRawBytes
	}
	if cfg.KeepRawBytes <= 0 {
		cfg.KeepRawBytes = DefaultKeepRawBytes
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	return &Fetcher{store: cfg.Store, log: cfg.Logger, tokens: NewThreadTokens(cfg.SecretKey), cfg: cfg,
		oauth:  newOAuthTokens(cfg.Store, cfg.SecretKey, cfg.HTTPClient, cfg.Logger),
		parser: NewParser(ParseOptions{MaxBodyBytes: inbox.MaxTextBytes, MaxAttachmentBytes: inbox.MaxAttachmentSize})}
}

// errBusy means another process holds the mailbox.
var errBusy = errors.New("email: mailbox busy")

// Poll brings inbox inboxID up to date with its mailbox and reports when to poll again. It
// takes the mailbox lock (see MailboxLockKey), connects, and ingests the mail that arrived
// since the last sync, resuming at the UID after the last one stored. Then, when the server
// supports IDLE, it waits for new mail without the lock and syncs again as it arrives, until
// IdleFor has passed (next 0: run again at once); without IDLE it returns after the sync with
// next PollEvery. When another process holds the lock it returns at once with next PollEvery.
// A missing inbox, one that is not an email inbox, or one disabled is inbox.ErrNotFound; connection and
// server failures are returned for the job to retry with backoff.
// Each outcome is noted for the Problems page (notePoll): a failure records the error, a success
// clears it.
func (f *Fetcher) Poll(ctx context.Context, inboxID int64) (next time.Duration, err error) {
	next, err = f.poll(ctx, inboxID)
	f.notePoll(ctx, inboxID, err)
	return next, err
}

func (f *Fetcher) poll(ctx context.Context, inboxID int64) (next time.Duration, err error) {
	a, err := openAccount(ctx, f.store, inboxID)
	if err != nil {
		return 0, err
	}
	if a.inbox.Disabled() { // its job ends; the sweep starts another once it is enabled again
		return 0, fmt.Errorf("email: inbox %d is disabled: %w", inboxID, inbox.ErrNotFound)
	}
	deadline := time.Now().Add(f.cfg.IdleFor)
	conn, err := f.lock(ctx, inboxID)
	if errors.Is(err, errBusy) {
		return f.cfg.PollEvery, nil
	}
	if err != nil {
		return 0, err
	}
	server, cred := a.settings.IMAP, passwordLogin("sandbox")
	if r := f.cfg.Relay; r != nil {
		server = Server{Security: r.Security, Host: r.Host, Port: r.Port, Username: server.Username, Mailbox: server.Mailbox}
	} else if cred, err = f.oauth.imapLogin(ctx, a); err != nil {
		f.unlock(conn, inboxID)
		return 0, err
	}
	ic, err := dialIMAP(ctx, server, cred, f.cfg.TLSConfig, f.cfg.DialTimeout, f.cfg.Dial)
	if err != nil {
		f.unlock(conn, inboxID)
		return 0, err
	}
	defer ic.close()
	idle := ic.canIdle()
	for {
		done, err := f.syncOnce(ctx, conn, a, ic, deadline)
		f.unlock(conn, inboxID) // not held while idle: the connection goes back to the pool
		switch {
		case err != nil:
			return 0, err
		case !done:
			return 0, nil // out of time in a long sync: the next run goes on
		case !idle:
			return f.cfg.PollEvery, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return 0, nil
		}
		woke, err := ic.idle(ctx, left)
		if err != nil {
			return 0, err
		}
		if !woke {
			return 0, nil
		}
		conn, err = f.lock(ctx, inboxID)
		if errors.Is(err, errBusy) {
			return f.cfg.PollEvery, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// MailboxLockKey is the name of the session-level advisory lock (pg_try_advisory_lock of
// hashtextextended(key, 0)) a process holds while it syncs an inbox's mailbox: with several
// parley processes, one syncs a given mailbox at a time.
func MailboxLockKey(inboxID int64) string {
	return "parley:email-mailbox:" + strconv.FormatInt(inboxID, 10)
}

// lock takes the inbox's mailbox lock on a connection of its own, which the sync then writes
// through, so that no write happens without the lock. It returns errBusy when another session
// holds it.
func (f *Fetcher) lock(ctx context.Context, inboxID int64) (*pgxpool.Conn, error) {
	conn, err := f.store.Pool().Acquire(ctx)
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", MailboxLockKey(inboxID)).Scan(&ok); err != nil {
		conn.Release()
		return nil, err
	}
	if !ok {
		conn.Release()
		return nil, errBusy
	}
	return conn, nil
}

// unlock releases the lock; when that fails (the context ended, the connection broke) the
// connection is closed instead, which ends the session and its lock.
func (f *Fetcher) unlock(conn *pgxpool.Conn, inboxID int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", MailboxLockKey(inboxID)); err != nil {
		_ = conn.Hijack().Close(ctx)
		return
	}
	conn.Release()
}
