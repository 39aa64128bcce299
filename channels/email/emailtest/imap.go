// Package emailtest provides the email servers the email channel's tests talk to: an
// in-process IMAP server (go-imap's imapserver over its in-memory imapmemserver backend) and an
// SMTP sink (go-smtp's server), both on 127.0.0.1 and speaking the real protocols, with hooks
// that let a test watch or break them at chosen points; and a throwaway TLS certificate.
package emailtest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// IMAPOptions configure an IMAPServer.
type IMAPOptions struct {
	// NoIdle leaves IDLE out of the server's capabilities (clients must poll).
	NoIdle bool
	// TLS makes the server speak implicit TLS (imaps) with this configuration.
	TLS *tls.Config
}

// IMAPServer is an IMAP server with one user and one mailbox, "INBOX". It can be stopped and
// started again on the same address with its mail intact (a server restart), and its mailbox
// recreated with a new UIDVALIDITY.
type IMAPServer struct {
	// User and Password log in.
	User, Password string

	opts IMAPOptions
	mem  *imapmemserver.Server
	user *imapmemserver.User
	addr string

	mu      sync.Mutex
	srv     *imapserver.Server
	onStore func([]imap.UID) error
	onIdle  func()
	logins  int
	// oauth, when set, checks XOAUTH2 sign-ins, and password logins are refused.
	oauth       OAuthCheck
	oauthLogins int
}

// NewIMAPServer starts a server on 127.0.0.1; it stops when t ends.
func NewIMAPServer(t testing.TB, opts IMAPOptions) *IMAPServer {
	t.Helper()
	s := &IMAPServer{User: "support@example.com", Password: "imap-secret", opts: opts, mem: imapmemserver.New()}
	s.user = imapmemserver.NewUser(s.User, s.Password)
	s.mem.AddUser(s.user)
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatalf("emailtest: create INBOX: %v", err)
	}
	ln, err := s.listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("emailtest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

func (s *IMAPServer) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	if s.opts.NoIdle {
		ln = noIdleListener{ln}
	}
	return ln, nil
}

func (s *IMAPServer) serve(ln net.Listener) {
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{Session: s.mem.NewSession(), srv: s}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln) //nolint:errcheck // returns when stopped
}

// Addr is the server's host:port.
func (s *IMAPServer) Addr() string { return s.addr }

// URL is the server's IMAP URL with the user's credentials, as `parley inbox add email` takes
// it: imap:// (or imaps:// with TLS) and the INBOX.
func (s *IMAPServer) URL() string {
	scheme := "imap"
	if s.opts.TLS != nil {
		scheme = "imaps"
	}
	u := url.URL{Scheme: scheme, User: url.UserPassword(s.User, s.Password), Host: s.addr, Path: "/INBOX"}
	return u.String()
}

// Stop closes the listener and every connection, as a crashed or restarted server would. The
// mail stays.
func (s *IMAPServer) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Start serves again on the same address after Stop.
func (s *IMAPServer) Start(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old listener's port can take a moment to free
		if ln, err = s.listen(s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("emailtest: restart on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// Append delivers a message to INBOX, arriving now and unread, and returns its UID.
func (s *IMAPServer) Append(t testing.TB, raw []byte) uint32 {
	t.Helper()
	return s.AppendAt(t, raw, time.Time{})
}

// AppendAt delivers a message to INBOX that arrived at date (its INTERNALDATE; zero is now)
// with the given flags (imap.FlagSeen for mail someone already read), and returns its UID.
func (s *IMAPServer) AppendAt(t testing.TB, raw []byte, date time.Time, flags ...imap.Flag) uint32 {
	t.Helper()
	data, err := s.user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: date, Flags: flags})
	if err != nil {
		t.Fatalf("emailtest: append: %v", err)
	}
	return uint32(data.UID)
}

// RecreateMailbox deletes INBOX and creates it again, empty, with a new UIDVALIDITY: what a
// server does when a mailbox is rebuilt or migrated.
func (s *IMAPServer) RecreateMailbox(t testing.TB) {
	t.Helper()
	if err := s.user.Delete("INBOX"); err != nil {
		t.Fatalf("emailtest: delete INBOX: %v", err)
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatalf("emailtest: create INBOX: %v", err)
	}
}

// OnStore makes the server call fn with the UIDs of every UID STORE command before it changes
// any flag; when fn returns an error the command fails with it and changes nothing (nil
// removes the hook). fn runs inside the server: it must not block on the client.
func (s *IMAPServer) OnStore(fn func(uids []imap.UID) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onStore = fn
}

// OnIdle makes the server call fn when a client starts IDLE (nil removes the hook).
func (s *IMAPServer) OnIdle(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onIdle = fn
}

// Logins counts the successful logins so far.
func (s *IMAPServer) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Flags returns the flags of message uid, read over a connection of its own (EXAMINE, so
// reading changes nothing).
func (s *IMAPServer) Flags(t testing.TB, uid uint32) []imap.Flag {
	t.Helper()
	opts := &imapclient.Options{}
	var c *imapclient.Client
	var err error
	if s.opts.TLS != nil {
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the test's own server
		c, err = imapclient.DialTLS(s.addr, opts)
	} else {
		c, err = imapclient.DialInsecure(s.addr, opts)
	}
	if err != nil {
		t.Fatalf("emailtest: flags: dial: %v", err)
	}
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		t.Fatalf("emailtest: flags: login: %v", err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("emailtest: flags: examine: %v", err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("emailtest: flags of UID %d: %d messages, %v", uid, len(msgs), err)
	}
	return msgs[0].Flags
}

// Seen reports whether message uid has the \Seen flag.
func (s *IMAPServer) Seen(t testing.TB, uid uint32) bool {
	t.Helper()
	for _, f := range s.Flags(t, uid) {
		if f == imap.FlagSeen {
			return true
		}
	}
	return false
}

// session wraps the in-memory server's session to run the test's hooks.
type session struct {
	imapserver.Session
	srv *IMAPServer
}

func (s *session) Login(user, password string) error {
	if s.srv.oauthCheck() != nil {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Application-specific password required"}
	}
	if err := s.Session.Login(user, password); err != nil {
		return err
	}
	s.srv.mu.Lock()
	s.srv.logins++
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	s.srv.mu.Lock()
	hook := s.srv.onStore
	s.srv.mu.Unlock()
	if hook != nil {
		if set, ok := numSet.(imap.UIDSet); ok {
			uids, _ := set.Nums()
			if err := hook(uids); err != nil {
				return err
			}
		}
	}
	return s.Session.Store(w, numSet, flags, options)
}

func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	s.srv.mu.Lock()
	hook := s.srv.onIdle
	s.srv.mu.Unlock()
	if hook != nil {
		hook()
	}
	return s.Session.Idle(w, stop)
}

// noIdleListener hides IDLE from the capabilities the server announces (imapserver always
// announces it to IMAP4rev1 clients): it drops the IDLE atom from every CAPABILITY line the
// server writes. It looks only at lines that start a capability response, and the tests'
// message bodies contain none.
type noIdleListener struct{ net.Listener }

func (l noIdleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return noIdleConn{c}, nil
}

type noIdleConn struct{ net.Conn }

func (c noIdleConn) Write(b []byte) (int, error) {
	lines := bytes.Split(b, []byte("\r\n"))
	changed := false
	for i, line := range lines {
		if bytes.HasPrefix(line, []byte("* CAPABILITY ")) || bytes.Contains(line, []byte(" OK [CAPABILITY ")) {
			lines[i] = bytes.ReplaceAll(line, []byte(" IDLE"), nil)
			changed = true
		}
	}
	if !changed {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(bytes.Join(lines, []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// literal is an imap.LiteralReader over bytes.
type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// String describes the server in test logs.
func (s *IMAPServer) String() string { return fmt.Sprintf("imap server %s", s.addr) }
