package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

// demoEmails puts the demo's emails in an IMAP mailbox served in this process for the time of
// the seeding and lets the email channel's fetcher read it into the email inbox: parsed,
// sanitized and threaded as any mail. The inbox's own IMAP server is made up; the fetcher
// reaches the mailbox through its Dial.
func demoEmails(ctx context.Context, a *app) error {
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(demoEmailAddress, "demo-imap-password")
	mem.AddUser(user)
	if err := user.Create("INBOX", nil); err != nil {
		return fmt.Errorf("demo: mailbox: %w", err)
	}
	mails := demoMails(time.Now())
	for _, raw := range mails {
		if _, err := user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: time.Now()}); err != nil {
			return fmt.Errorf("demo: mailbox: %w", err)
		}
	}
	serverTLS, clientTLS, err := demoTLS(demoIMAPHost)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: mailbox: %w", err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:      imap.CapSet{imap.CapIMAP4rev1: {}},
		TLSConfig: serverTLS,
		Logger:    log.New(io.Discard, "", 0),
	})
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	in, err := demoInbox(ctx, a, inbox.ChannelEmail, demoEmailInbox)
	if err != nil {
		return err
	}
	f := email.NewFetcher(email.FetcherConfig{Store: a.store, Logger: a.log, SecretKey: a.cfg.SecretKey, IdleFor: time.Second, TLSConfig: clientTLS,
		LookupTXT: func(context.Context, string) ([]string, error) { return nil, errors.New("no DNS in the demo") },
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, ln.Addr().String())
		}})
	for range 5 {
		if _, err := f.Poll(ctx, in.ID); err != nil {
			return fmt.Errorf("demo: reading the demo mailbox: %w", err)
		}
		page, err := a.store.ListConversations(ctx, inbox.ConversationQuery{Channel: inbox.ChannelEmail, Limit: 10})
		if err != nil {
			return err
		}
		if len(page.Conversations) >= len(mails) {
			return nil
		}
	}
	return errors.New("demo: the email channel did not read the demo mailbox")
}

// demoInbox is the inbox of kind named name.
func demoInbox(ctx context.Context, a *app, kind inbox.Channel, name string) (inbox.Inbox, error) {
	list, err := a.store.Inboxes(ctx, kind)
	if err != nil {
		return inbox.Inbox{}, err
	}
	for _, in := range list {
		if in.Name == name {
			return in, nil
		}
	}
	return inbox.Inbox{}, fmt.Errorf("demo: no %s inbox %q", kind, name)
}

// literal is a message for imapmemserver's Append.
type literal struct {
	io.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// demoPhoto is a tiny PNG: the photo Maria attaches.
const demoPhoto = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="

// demoMails are the demo's emails: Maria's HTML email, copied to her husband, with a photo
// attached and shown inline (cid:), and Tom's complaint.
func demoMails(now time.Time) [][]byte {
	date := now.UTC().Format(time.RFC1123Z)
	maria := strings.Join([]string{
		"From: Maria Lopez <maria@example.com>",
		"To: Acme Support <support@acme.example>",
		"Cc: Jon Lopez <jon@example.com>, Acme Orders <support+orders@acme.example>",
		"Subject: Order #1042 arrived damaged",
		"Date: " + date,
		"Message-ID: <demo-1042@example.com>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="mix"`,
		"",
		"--mix",
		`Content-Type: multipart/alternative; boundary="alt"`,
		"",
		"--alt",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"Hi, the blender I ordered (order #1042) arrived with a cracked jar. Can you send a replacement? A photo is attached.",
		"--alt",
		"Content-Type: text/html; charset=utf-8",
		"",
		`<html><body><p>Hi,</p><p>the blender I ordered (<b>order #1042</b>) arrived with a <span style="color:#c00">cracked jar</span>.`,
		`Can you send a replacement?</p><p>A photo is attached.</p><p><img src="cid:jar-photo@example.com" alt="The cracked jar" width="64" height="64"></p>`,
		`<script>alert("never run")</script><p>Maria</p></body></html>`,
		"--alt--",
		"--mix",
		`Content-Type: image/png; name="cracked-jar.png"`,
		`Content-Disposition: inline; filename="cracked-jar.png"`,
		"Content-ID: <jar-photo@example.com>",
		"Content-Transfer-Encoding: base64",
		"",
		demoPhoto,
		"--mix--",
		"",
	}, "\r\n")
	tom := strings.Join([]string{
		"From: Tom Becker <tom.becker@example.net>",
		"To: Acme Support <support@acme.example>",
		"Subject: Third late delivery in a row",
		"Date: " + date,
		"Message-ID: <demo-complaint@example.net>",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"This is the third order in a row that arrived a week late, and nobody answered my last two emails.",
		"I want to make a formal complaint and I expect a refund of the shipping costs.",
		"",
	}, "\r\n")
	return [][]byte{[]byte(maria), []byte(tom)}
}

// demoTLS is a throwaway certificate for host, made for the seeding's mailbox (the fetcher sends
// a password only over TLS), and a client configuration that trusts it and nothing else.
func demoTLS(host string) (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
		DNSNames: []string{host}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("demo: certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	return server, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}
