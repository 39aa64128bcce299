package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// imapConn is a logged-in IMAP connection with the mailbox operations the sync needs. It is
// closed when the context it was opened with ends.
type imapConn struct {
	c *imapclient.Client
	// arrived is signalled (without blocking) when the server reports a new message count.
	arrived chan struct{}
	stop    func() bool
}

// dialIMAP connects to the server, upgrades or wraps the connection as its security says, and
// logs in (LOGIN, or AUTHENTICATE PLAIN when the server disables LOGIN; AUTHENTICATE XOAUTH2
// with an OAuth2 access token).
// An unencrypted endpoint (imap://) must be on this machine: ParseIMAPURL refuses another host,
// and the connection's far end is checked again here, before the password is sent.
func dialIMAP(ctx context.Context, s Server, cred login, tlsConfig *tls.Config, timeout time.Duration, dial Dialer) (*imapConn, error) {
	raw, err := dialWith(dial, timeout)(ctx, "tcp", s.Addr())
	if err != nil {
		return nil, fmt.Errorf("email: imap: connect to %s: %w", s.Addr(), err)
	}
	if s.Security == SecurityNone && !onLoopback(raw) {
		raw.Close()
		return nil, fmt.Errorf("email: imap: %s answered from %s, not this machine: an unencrypted imap:// login is only made to a loopback address (use imaps:// or imap+starttls://)",
			s.Addr(), raw.RemoteAddr())
	}
	ic := &imapConn{arrived: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: tlsFor(tlsConfig, s.Host),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					ic.signal()
				}
			},
		},
	}
	switch s.Security {
	case SecurityTLS:
		tc := tls.Client(raw, opts.TLSConfig)
		hctx, cancel := context.WithTimeout(ctx, timeout)
		err = tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("email: imap: TLS with %s: %w", s.Addr(), err)
		}
		ic.c = imapclient.New(tc, opts)
	case SecurityStartTLS:
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		ic.c, err = imapclient.NewStartTLS(raw, opts)
		stop()
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("email: imap: STARTTLS with %s: %w", s.Addr(), err)
		}
	default:
		ic.c = imapclient.New(raw, opts)
	}
	ic.stop = context.AfterFunc(ctx, func() { ic.c.Close() })
	if err := ic.login(s.Username, cred); err != nil {
		ic.close()
		return nil, err
	}
	return ic, nil
}

// tlsFor is the TLS configuration for host: the caller's (tests pass their CA), else the
// system's.
func tlsFor(base *tls.Config, host string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

func (ic *imapConn) login(user string, cred login) error {
	if err := ic.c.WaitGreeting(); err != nil {
		return fmt.Errorf("email: imap: greeting: %w", err)
	}
	if cred.token != "" {
		return ic.loginOAuth(user, cred)
	}
	var err error
	if ic.c.Caps().Has(imap.CapLoginDisabled) {
		err = ic.c.Authenticate(sasl.NewPlainClient("", user, cred.password))
	} else {
		err = ic.c.Login(user, cred.password).Wait()
	}
	if err != nil {
		return &imapError{op: "log in", err: err, auth: true}
	}
	return nil
}

// signal notes that mail arrived; it never blocks the client's reader.
func (ic *imapConn) signal() {
	select {
	case ic.arrived <- struct{}{}:
	default:
	}
}

// close logs out (best effort) and closes the connection.
func (ic *imapConn) close() {
	if ic.stop != nil {
		ic.stop()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = ic.c.Logout().Wait()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	ic.c.Close()
}

// canIdle reports whether the server supports IDLE.
func (ic *imapConn) canIdle() bool {
	caps := ic.c.Caps()
	return caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2)
}

// selectMailbox opens the mailbox read-write (flags are stored) and returns its UIDVALIDITY
// and UIDNEXT.
func (ic *imapConn) selectMailbox(name string) (uint32, uint32, error) {
	data, err := ic.c.Select(name, nil).Wait()
	if err != nil {
		return 0, 0, &imapError{op: "select " + name, err: err}
	}
	if data.UIDValidity == 0 {
		return 0, 0, &imapError{op: "select " + name, err: errors.New("the server reported no UIDVALIDITY")}
	}
	return data.UIDValidity, uint32(data.UIDNext), nil
}

// uidsAfter returns the UIDs above last, ascending.
func (ic *imapConn) uidsAfter(last uint32) ([]uint32, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0) // last+1:*
	data, err := ic.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, &imapError{op: "search", err: err}
	}
	var out []uint32
	for _, uid := range data.AllUIDs() {
		// "n:*" includes the highest UID even when it is below n.
		if uint32(uid) > last {
			out = append(out, uint32(uid))
		}
	}
	slices.Sort(out)
	return out, nil
}

// messageMeta is what the sync checks of a message before fetching it.
type messageMeta struct {
	seen bool
	date time.Time // INTERNALDATE: when the server received it
}

// flagsAndDates reads the flags and arrival dates of the messages.
func (ic *imapConn) flagsAndDates(uids []uint32) (map[uint32]messageMeta, error) {
	out := make(map[uint32]messageMeta, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	var set imap.UIDSet
	for _, uid := range uids {
		set.AddNum(imap.UID(uid))
	}
	msgs, err := ic.c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, &imapError{op: "fetch flags", err: err}
	}
	for _, m := range msgs {
		out[uint32(m.UID)] = messageMeta{seen: slices.Contains(m.Flags, imap.FlagSeen), date: m.InternalDate}
	}
	return out, nil
}

// fetched is one message read from the server.
type fetched struct {
	raw          []byte
	size         int64 // on the server; larger than len(raw) when cut at the cap
	internalDate time.Time
}

// fetchRaw reads message uid without setting \Seen (BODY.PEEK), at most limit bytes of it. It
// returns nil when the message no longer exists (expunged since the search).
func (ic *imapConn) fetchRaw(uid uint32, limit int64) (*fetched, error) {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: limit}}
	msgs, err := ic.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{
		UID: true, RFC822Size: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		return nil, &imapError{op: fmt.Sprintf("fetch UID %d", uid), err: err}
	}
	for _, m := range msgs {
		if uint32(m.UID) != uid {
			continue
		}
		raw := m.FindBodySection(section)
		if raw == nil {
			return nil, &imapError{op: fmt.Sprintf("fetch UID %d", uid), err: errors.New("the server sent no body")}
		}
		return &fetched{raw: raw, size: max(m.RFC822Size, int64(len(raw))), internalDate: m.InternalDate}, nil
	}
	return nil, nil
}

// markSeen sets \Seen on message uid.
func (ic *imapConn) markSeen(uid uint32) error {
	err := ic.c.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{
		Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen},
	}, nil).Close()
	if err != nil {
		return &imapError{op: fmt.Sprintf("mark UID %d seen", uid), err: err}
	}
	return nil
}

// idle waits in IDLE until the server reports new mail (true) or d has passed (false).
func (ic *imapConn) idle(ctx context.Context, d time.Duration) (bool, error) {
	select {
	case <-ic.arrived: // it came while we were busy
		return true, nil
	default:
	}
	cmd, err := ic.c.Idle()
	if err != nil {
		return false, &imapError{op: "idle", err: err}
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	woke := false
	select {
	case <-ic.arrived:
		woke = true
	case <-timer.C:
	case <-ctx.Done():
	}
	if err := cmd.Close(); err != nil {
		return false, &imapError{op: "end idle", err: err}
	}
	if err := cmd.Wait(); err != nil {
		return false, &imapError{op: "idle", err: err}
	}
	return woke, ctx.Err()
}

// imapError is a failed IMAP operation.
type imapError struct {
	op   string
	err  error
	auth bool
	// oauth tells that the refused login was an OAuth2 access token.
	oauth bool
}

func (e *imapError) Error() string {
	if e.auth && e.oauth {
		return fmt.Sprintf("email: imap: %s (check that the account may use IMAP and that the app was granted mail access): %v", e.op, e.err)
	}
	if e.auth {
		return fmt.Sprintf("email: imap: %s (check the user name and password): %v", e.op, e.err)
	}
	return fmt.Sprintf("email: imap: %s: %v", e.op, e.err)
}

func (e *imapError) Unwrap() error { return e.err }
