package email

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
)

// brokenFile yields n bytes, then fails: a file store that breaks mid-file.
type brokenFile struct{ n int }

func (r *brokenFile) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("disk gone")
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return k, nil
}

// TestAFileFailingMidwayAbandonsTheSend: the MIME tree is streamed into DATA, so a file that
// fails halfway must not leave a truncated message at the server: the send is abandoned (the
// sink accepts nothing) and the error says a retry may help; a file gone from the store is
// permanent.
func TestAFileFailingMidwayAbandonsTheSend(t *testing.T) {
	sink := emailtest.NewSMTPSink(t, emailtest.SMTPOptions{})
	server, _, err := ParseSMTPURL(sink.URL())
	if err != nil {
		t.Fatal(err)
	}
	send := func(open func(context.Context) (io.ReadCloser, error)) error {
		m := outgoingMail{from: &gomail.Address{Address: "support@example.com"}, to: []*gomail.Address{{Address: "c@x.example"}},
			subject: "s", date: time.Now(), messageID: "m@example.com", text: "hi",
			files: []channels.File{{Attachment: inbox.Attachment{Filename: "big.bin", ContentType: "application/octet-stream"}, Open: open}}}
		err := smtpDeliver(context.Background(), server, login{}, "localhost", link{Timeout: 5 * time.Second}, "support@example.com",
			[]string{"c@x.example"}, func(w io.Writer) error { return m.writeTo(context.Background(), w) })
		if err == nil {
			return nil
		}
		return composeError(err)
	}
	err = send(func(context.Context) (io.ReadCloser, error) { return io.NopCloser(&brokenFile{n: 300_000}), nil })
	var se *SendError
	if !errors.As(err, &se) || !se.Temporary() || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("a file failing midway: %v, want a temporary error", err)
	}
	err = send(func(context.Context) (io.ReadCloser, error) { return nil, inbox.ErrNotFound })
	if !errors.As(err, &se) || se.Temporary() {
		t.Fatalf("a file gone: %v, want a permanent error", err)
	}
	if n := len(sink.Messages()); n != 0 {
		t.Fatalf("the sink accepted %d messages, want none", n)
	}
	if err := send(func(context.Context) (io.ReadCloser, error) { return io.NopCloser(&brokenFile{n: 0}), nil }); err == nil {
		t.Fatal("an empty failing file sent")
	}
}
