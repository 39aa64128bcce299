package email

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/email/emailtest"
)

// farConn is a connection to a loopback fake that reports a far end on another network, as a
// connection to a remote mail server would: the guards must judge by it.
type farConn struct{ net.Conn }

func (farConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.ParseIP("203.0.113.9"), Port: 587} }

// farDial connects to addr (a loopback fake) and hands back a farConn.
func farDial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return farConn{c}, nil
}

// TestSMTPPasswordTravelsOnlyEncryptedOrToThisMachine sends through a sink that offers no
// STARTTLS: to the sink as it is (loopback) the mail goes; through a connection whose far end is
// 203.0.113.9 the password is refused before AUTH and nothing is delivered.
func TestSMTPPasswordTravelsOnlyEncryptedOrToThisMachine(t *testing.T) {
	ctx := context.Background()
	sink := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{Username: "relay", Password: "relay-secret"})
	s, password, err := ParseSMTPURL(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n")
	near := link{Timeout: 5 * time.Second}
	if err := smtpSend(ctx, s, passwordLogin(password), "parley.test", near, "a@example.com", "b@example.com", raw); err != nil {
		t.Fatalf("to the loopback sink: %v", err)
	}
	far := link{Timeout: 5 * time.Second, Dial: farDial}
	err = smtpSend(ctx, s, passwordLogin(password), "parley.test", far, "a@example.com", "b@example.com", raw)
	var se *SendError
	if !errors.As(err, &se) || se.Temporary() || !strings.Contains(err.Error(), "never sent unencrypted") {
		t.Fatalf("to a far end without STARTTLS: %v, want a permanent refusal to send the password", err)
	}
	if n := len(sink.Messages()); n != 1 {
		t.Fatalf("the sink holds %d messages, want only the loopback one", n)
	}
}

// TestIMAPPlainLoginOnlyToThisMachine: imap:// URLs name only loopback hosts, and a plain
// connection whose far end is elsewhere is dropped before LOGIN.
func TestIMAPPlainLoginOnlyToThisMachine(t *testing.T) {
	for _, raw := range []string{"imap://u:p@mail.example.com", "imap://u:p@192.0.2.10", "imap://u:p@[2001:db8::1]:143"} {
		if _, _, err := ParseIMAPURL(raw); err == nil || !strings.Contains(err.Error(), "only for a server on this machine") {
			t.Errorf("%s: %v, want refused", raw, err)
		}
	}
	for _, raw := range []string{"imap://u:p@localhost", "imap://u:p@127.0.0.1:1143", "imap://u:p@[::1]", "imaps://u:p@mail.example.com"} {
		if _, _, err := ParseIMAPURL(raw); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}

	srv := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{})
	s, password, err := ParseIMAPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := dialIMAP(ctx, s, passwordLogin(password), nil, 5*time.Second, farDial); err == nil || !strings.Contains(err.Error(), "not this machine") {
		t.Fatalf("plain IMAP to a far end: %v, want refused", err)
	}
	if n := srv.Logins(); n != 0 {
		t.Fatalf("%d logins reached the server through a far connection", n)
	}
	ic, err := dialIMAP(ctx, s, passwordLogin(password), nil, 5*time.Second, nil)
	if err != nil {
		t.Fatalf("plain IMAP to the loopback server: %v", err)
	}
	ic.close()
	if n := srv.Logins(); n != 1 {
		t.Fatalf("%d logins, want 1", n)
	}
}
