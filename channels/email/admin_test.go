package email_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// adminForm is the web admin's form for the servers of e, with the given passwords.
func adminForm(imapSrv *emailtest.IMAPServer, smtpSrv *emailtest.SMTPSink, imapPassword, smtpUser, smtpPassword string) channels.Form {
	imapHost, imapPort, _ := net.SplitHostPort(imapSrv.Addr())
	smtpHost, smtpPort, _ := net.SplitHostPort(smtpSrv.Addr())
	return channels.Form{Name: "Support", Values: map[string]string{
		"address":   "help@example.com",
		"imap_host": imapHost, "imap_port": imapPort, "imap_security": "none", "imap_username": imapSrv.User,
		"imap_password": imapPassword, "imap_mailbox": "INBOX",
		"smtp_host": smtpHost, "smtp_port": smtpPort, "smtp_security": "starttls", "smtp_username": smtpUser,
		"smtp_password": smtpPassword,
	}}
}

// checkOf returns the check named name.
func checkOf(t *testing.T, checks []channels.Check, name string) channels.Check {
	t.Helper()
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, checks)
	return channels.Check{}
}

// TestAdminTestConnection logs in to go-imap's in-process server and a go-smtp server: with the
// right passwords both pass; with wrong ones each says the server refused the login, in plain
// words; a server that never answers fails within the test's timeout instead of hanging.
func TestAdminTestConnection(t *testing.T) {
	ctx := context.Background()
	store := inbox.New(dbtest.Pool(t), inbox.Options{SecretKey: secretKey})
	imapSrv := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{NoIdle: true})
	smtpSrv := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{Username: "mailer", Password: "smtp-secret"})
	admin := email.NewAdmin(store, email.AdminConfig{})

	t.Run("passes", func(t *testing.T) {
		checks := admin.TestConnection(ctx, adminForm(imapSrv, smtpSrv, imapSrv.Password, "mailer", "smtp-secret"))
		for _, c := range checks {
			if !c.OK {
				t.Errorf("%s failed: %s", c.Name, c.Detail)
			}
		}
		if d := checkOf(t, checks, "IMAP").Detail; !strings.Contains(d, "opened INBOX") {
			t.Errorf("IMAP: %q, want it to say the folder opened", d)
		}
		if d := checkOf(t, checks, "SMTP").Detail; !strings.Contains(d, "accepted the login of mailer") {
			t.Errorf("SMTP: %q", d)
		}
	})

	t.Run("wrong passwords", func(t *testing.T) {
		checks := admin.TestConnection(ctx, adminForm(imapSrv, smtpSrv, "not-the-password", "mailer", "wrong"))
		imapCheck, smtpCheck := checkOf(t, checks, "IMAP"), checkOf(t, checks, "SMTP")
		if imapCheck.OK || !strings.HasPrefix(imapCheck.Detail, "login refused by 127.0.0.1: ") {
			t.Errorf("IMAP: %+v, want a refused login", imapCheck)
		}
		if smtpCheck.OK || !strings.HasPrefix(smtpCheck.Detail, "login refused by 127.0.0.1: 535") {
			t.Errorf("SMTP: %+v, want a refused login", smtpCheck)
		}
		for _, c := range checks {
			if strings.Contains(c.Detail, "not-the-password") {
				t.Errorf("%s repeats the password: %q", c.Name, c.Detail)
			}
		}
	})

	t.Run("silent server", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				held = append(held, c) // accepted, never answered
			}
		}()
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		f := adminForm(imapSrv, smtpSrv, imapSrv.Password, "mailer", "smtp-secret")
		f.Values["imap_port"], f.Values["smtp_port"] = port, port
		quick := email.NewAdmin(store, email.AdminConfig{TestTimeout: 300 * time.Millisecond})
		for _, c := range quick.TestConnection(ctx, f) {
			if c.OK || !strings.Contains(c.Detail, "did not answer within 300ms") {
				t.Errorf("%s: %+v, want that the server did not answer", c.Name, c)
			}
		}
	})

	t.Run("incomplete form", func(t *testing.T) {
		f := adminForm(imapSrv, smtpSrv, "", "mailer", "smtp-secret")
		checks := admin.TestConnection(ctx, f)
		if len(checks) != 1 || checks[0].OK || !strings.Contains(checks[0].Detail, "imap_password: is required") {
			t.Errorf("checks = %+v, want one saying the IMAP password is missing", checks)
		}
	})

	t.Run("saved passwords kept", func(t *testing.T) {
		b, err := admin.Build(ctx, adminForm(imapSrv, smtpSrv, imapSrv.Password, "mailer", "smtp-secret"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := store.CreateInbox(ctx, b.Inbox)
		if err != nil {
			t.Fatal(err)
		}
		f := adminForm(imapSrv, smtpSrv, "", "mailer", "")
		f.Current, f.OpenSecrets = &in, func(v any) error { return store.OpenSecrets(in, v) }
		for _, c := range admin.TestConnection(ctx, f) {
			if !c.OK {
				t.Errorf("%s with the saved password: %s", c.Name, c.Detail)
			}
		}
	})
}

// TestAdminBuild checks the form as the command line is checked: each bad value is a
// validation error naming its field, and a mailbox another inbox reads is refused.
func TestAdminBuild(t *testing.T) {
	ctx := context.Background()
	store := inbox.New(dbtest.Pool(t), inbox.Options{SecretKey: secretKey})
	imapSrv := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{NoIdle: true})
	smtpSrv := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{})
	admin := email.NewAdmin(store, email.AdminConfig{})
	good := func() channels.Form { return adminForm(imapSrv, smtpSrv, imapSrv.Password, "", "") }
	for name, c := range map[string]struct {
		field, value, want string
	}{
		"address":      {"address", "support", "address"},
		"plus address": {"address", "help+x@example.com", "address"},
		"no host":      {"imap_host", "", "imap_host"},
		"bad port":     {"smtp_port", "70000", "smtp_port"},
		"plain remote": {"imap_host", "imap.example.com", "imap_security"},
		"bad security": {"smtp_security", "none", "smtp_security"},
		"no user":      {"imap_username", "", "imap_username"},
		"no password":  {"imap_password", "", "imap_password"},
		"smtp no pass": {"smtp_username", "mailer", "smtp_password"},
	} {
		t.Run(name, func(t *testing.T) {
			f := good()
			f.Values[c.field] = c.value
			_, err := admin.Build(ctx, f)
			var ve *inbox.ValidationError
			if !errors.As(err, &ve) || ve.Field != c.want {
				t.Errorf("Build with %s=%q: %v, want a validation error on %s", c.field, c.value, err, c.want)
			}
		})
	}
	b, err := admin.Build(ctx, good())
	if err != nil {
		t.Fatal(err)
	}
	set := b.Inbox.Settings.(email.Settings)
	if set.Address != "help@example.com" || set.IMAP.Security != email.SecurityNone || set.SMTP.Username != "" || set.IMAP.Mailbox != "INBOX" {
		t.Errorf("settings = %+v", set)
	}
	in, err := store.CreateInbox(ctx, b.Inbox)
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Build(ctx, good())
	var ve *inbox.ValidationError
	if !errors.As(err, &ve) || ve.Field != "imap_username" || !strings.Contains(ve.Reason, "already reads this mailbox") {
		t.Errorf("a second inbox on the mailbox: %v", err)
	}
	f := good()
	f.Current = &in
	if _, err := admin.Build(ctx, f); err != nil {
		t.Errorf("the inbox itself, edited: %v", err)
	}
}
