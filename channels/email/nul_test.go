package email_test

import (
	"context"
	"strings"
	"testing"
)

// TestMailWithNULIsStored: a mail with NUL characters in its headers and body (a broken mailer,
// or a hostile one) is stored, the characters removed, in the messages and in the channel's own
// table of sources, rather than failing its fetch until it is skipped.
func TestMailWithNULIsStored(t *testing.T) {
	e := setup(t, envOptions{})
	e.imap.Append(t, customerMail("nul@customer.example", "carol@customer.example", "Bro\x00ken", "it\x00 arrived\x00 torn",
		"X-Mailer: odd\x00mailer", "In-Reply-To: <x\x00@y>"))
	e.poll()
	m := e.messageByEmailID("nul@customer.example")
	if m.Text != "it arrived torn" {
		t.Fatalf("stored text %q", m.Text)
	}
	var full string
	if err := e.pool.QueryRow(context.Background(), `SELECT full_text FROM email_sources WHERE message_id = $1`, m.ID).Scan(&full); err != nil {
		t.Fatalf("source: %v", err)
	}
	if strings.ContainsRune(full, 0) || !strings.Contains(full, "arrived torn") {
		t.Fatalf("source full text %q", full)
	}
	if n := e.count(`SELECT count(*) FROM email_failures`); n != 0 {
		t.Fatalf("%d failures recorded", n)
	}
}
