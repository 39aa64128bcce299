package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/parleyhq/parley/channels/sms/smstest"
)

// twilioFault is one scripted answer of the Messages endpoint, in Twilio's error format.
type twilioFault struct {
	status, code int
	retryAfter   time.Duration // sent as Retry-After when positive
}

// twilio is the fake Twilio the servers talk to: smstest's Messages API behind a front that
// records every request by message body, answers scripted faults (per body) and slows the
// accepted sends down a little, so a killed server may die in the middle of one.
type twilio struct {
	fake  *smstest.Server
	srv   *httptest.Server
	delay time.Duration

	mu       sync.Mutex
	requests map[string][]time.Time   // body -> when each send request came
	faults   map[string][]twilioFault // body prefix -> the next answers
}

func newTwilio(delay time.Duration) *twilio {
	t := &twilio{fake: smstest.NewServer(smstest.NewSID("AC"), smstest.NewSID("")), delay: delay,
		requests: map[string][]time.Time{}, faults: map[string][]twilioFault{}}
	target, _ := url.Parse(t.fake.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	t.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Messages.json") {
			proxy.ServeHTTP(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		form, _ := url.ParseQuery(string(raw))
		body := form.Get("Body")
		if f, ok := t.take(body); ok {
			f.answer(w)
			return
		}
		time.Sleep(t.delay)
		proxy.ServeHTTP(w, r)
	}))
	return t
}

// take records a request for body and pops its next scripted fault, if any.
func (t *twilio) take(body string) (twilioFault, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests[body] = append(t.requests[body], time.Now())
	for prefix, list := range t.faults {
		if strings.HasPrefix(body, prefix) && len(list) > 0 {
			t.faults[prefix] = list[1:]
			return list[0], true
		}
	}
	return twilioFault{}, false
}

// script makes the sends whose body starts with prefix answer faults, in order.
func (t *twilio) script(prefix string, faults ...twilioFault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.faults[prefix] = append(t.faults[prefix], faults...)
}

// sent counts the messages Twilio accepted with this body.
func (t *twilio) accepted(body string) int {
	n := 0
	for _, m := range t.fake.Messages() {
		if m.Body == body {
			n++
		}
	}
	return n
}

// attempts returns when each send request of body came.
func (t *twilio) attempts(body string) []time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Time(nil), t.requests[body]...)
}

func (t *twilio) close() {
	t.srv.Close()
	t.fake.Close()
}

func (f twilioFault) answer(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
	}
	w.WriteHeader(f.status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": f.code, "status": f.status,
		"message":   fmt.Sprintf("chaos fault %d", f.code),
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", f.code)})
}

// smtpSink is a go-smtp server that keeps what it accepts and answers scripted errors at DATA
// for the messages whose raw text contains a marker.
type smtpSink struct {
	srv  *smtp.Server
	addr string

	mu       sync.Mutex
	accepted [][]byte
	attempts map[string][]time.Time // marker -> each DATA that carried it
	faults   map[string][]error     // marker -> the next answers
}

func newSMTPSink() (*smtpSink, error) {
	s := &smtpSink{attempts: map[string][]time.Time{}, faults: map[string][]error{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.chaos"
	s.srv.AllowInsecureAuth = true
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	go s.srv.Serve(ln) //nolint:errcheck // returns when closed
	return s, nil
}

// script makes DATA of a message containing marker answer errs, in order.
func (s *smtpSink) script(marker string, errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[marker] = append(s.faults[marker], errs...)
	s.attempts[marker] = nil
}

// count is how many accepted messages contain marker, and how many DATA commands carried it.
func (s *smtpSink) count(marker string) (accepted int, attempts []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.accepted {
		if bytes.Contains(m, []byte(marker)) {
			accepted++
		}
	}
	return accepted, append([]time.Time(nil), s.attempts[marker]...)
}

// NewSession implements smtp.Backend.
func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct{ sink *smtpSink }

func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.sink
	s.mu.Lock()
	defer s.mu.Unlock()
	for marker, list := range s.faults {
		if !bytes.Contains(data, []byte(marker)) {
			continue
		}
		s.attempts[marker] = append(s.attempts[marker], time.Now())
		if len(list) > 0 {
			s.faults[marker] = list[1:]
			return list[0]
		}
	}
	s.accepted = append(s.accepted, data)
	return nil
}

func smtpError(code int, enhanced smtp.EnhancedCode, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}
}

// imapFake is go-imap's in-memory server with one mailbox, whose connections can be set to
// drop in the middle of the next message body they send.
type imapFake struct {
	user *imapmemserver.User
	srv  *imapserver.Server
	addr string

	mu    sync.Mutex
	drop  bool // cut the next connection that sends a message body
	drops int  // connections cut
}

const imapUser, imapPassword = "support@example.com", "chaos-imap"

func newIMAP() (*imapFake, error) {
	mem := imapmemserver.New()
	f := &imapFake{user: imapmemserver.NewUser(imapUser, imapPassword)}
	mem.AddUser(f.user)
	if err := f.user.Create("INBOX", nil); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f.addr = ln.Addr().String()
	f.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go f.srv.Serve(dropListener{ln, f}) //nolint:errcheck // returns when closed
	return f, nil
}

func (f *imapFake) url() string {
	u := url.URL{Scheme: "imap", User: url.UserPassword(imapUser, imapPassword), Host: f.addr, Path: "/INBOX"}
	return u.String()
}

// appendMail delivers raw to INBOX, unread.
func (f *imapFake) appendMail(raw []byte) error {
	_, err := f.user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{})
	return err
}

// armDrop cuts the next connection that sends a message body, halfway through it.
func (f *imapFake) armDrop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop = true
}

func (f *imapFake) dropped() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.drops
}

type dropListener struct {
	net.Listener
	f *imapFake
}

func (l dropListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return dropConn{c, l.f}, nil
}

type dropConn struct {
	net.Conn
	f *imapFake
}

// Write sends half of the first write that carries a message body (a FETCH answer with
// BODY[] or BODY[TEXT]) and closes the connection, when a drop is armed.
func (c dropConn) Write(b []byte) (int, error) {
	if !bytes.Contains(b, []byte("BODY[")) || !bytes.Contains(b, []byte("{")) {
		return c.Conn.Write(b)
	}
	c.f.mu.Lock()
	cut := c.f.drop
	if cut {
		c.f.drop = false
		c.f.drops++
	}
	c.f.mu.Unlock()
	if !cut {
		return c.Conn.Write(b)
	}
	_, _ = c.Conn.Write(b[:len(b)/2])
	_ = c.Conn.Close()
	return 0, net.ErrClosed
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }
