package emailtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/parleyhq/parley/channels/email/emailtest"
)

func login(t *testing.T, s *emailtest.IMAPServer) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIMAPServer(t *testing.T) {
	for _, noIdle := range []bool{false, true} {
		s := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{NoIdle: noIdle})
		c := login(t, s)
		if got := c.Caps().Has(imap.CapIdle); got == noIdle {
			t.Errorf("NoIdle %v: IDLE announced %v", noIdle, got)
		}
	}

	s := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{})
	uid := s.Append(t, []byte("Subject: hi\r\n\r\nhello\r\n"))
	if s.Seen(t, uid) {
		t.Error("a new message is seen")
	}
	var stored []imap.UID
	s.OnStore(func(uids []imap.UID) error {
		stored = append(stored, uids...)
		return errors.New("refused")
	})
	c := login(t, s)
	data, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	err = c.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	if err == nil || len(stored) != 1 || s.Seen(t, uid) {
		t.Errorf("refused STORE: err %v, hook saw %v, seen %v; want an error and no change", err, stored, s.Seen(t, uid))
	}

	s.Stop()
	s.Start(t)
	if !strings.Contains(s.String(), s.Addr()) || s.Seen(t, uid) {
		t.Error("the mail did not survive a restart unchanged")
	}
	s.RecreateMailbox(t)
	c = login(t, s)
	again, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if again.UIDValidity == data.UIDValidity || again.NumMessages != 0 {
		t.Errorf("recreated mailbox: UIDVALIDITY %d (was %d), %d messages", again.UIDValidity, data.UIDValidity, again.NumMessages)
	}
}

func TestSMTPSink(t *testing.T) {
	s := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{})
	send := func(to string) error {
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			return err
		}
		defer c.Close()
		return c.SendMail("a@example.com", []string{to}, strings.NewReader("Subject: x\r\n\r\nbody\r\n"))
	}
	s.Reject(func(rcpt string) error {
		if rcpt == "gone@example.com" {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "gone"}
		}
		return nil
	})
	var se *smtp.SMTPError
	if err := send("gone@example.com"); !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("rejected recipient: %v", err)
	}
	if err := send("b@example.com"); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 1 || got[0].From != "a@example.com" || got[0].To[0] != "b@example.com" || !strings.Contains(string(got[0].Data), "body") {
		t.Errorf("sink kept %+v", got)
	}
}
