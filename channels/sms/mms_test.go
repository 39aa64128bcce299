package sms_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/workflow"
)

// mmsServer starts the parts of a server that an MMS needs: the web layer's /media route,
// whose address is the public URL, and a River client whose deliver job signs the files'
// addresses under it. It returns the client's job events and its start.
func (e *env) mmsServer(t *testing.T) (<-chan *river.Event, func()) {
	t.Helper()
	signer, err := medialink.New("mms-secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{Store: e.store, Pool: e.pool, Rules: workflow.NewRules(e.pool, e.store),
		SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store), Media: signer}).Handler())
	t.Cleanup(srv.Close)
	return e.riverWith(t, workflow.Config{Pool: e.pool, Store: e.store, PublicURL: srv.URL, Media: signer,
		Senders: map[inbox.Channel]channels.Sender{inbox.ChannelSMS: e.ch}})
}

// replyWithFiles stores an agent's reply carrying files, before any worker runs.
func (e *env) replyWithFiles(t *testing.T, text string, files ...inbox.NewAttachment) inbox.Message {
	t.Helper()
	m := e.reply(t, text)
	for _, f := range files {
		if _, err := e.store.AttachFetched(context.Background(), m.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// TestReplyWithAPictureGoesAsMMS sends a reply with a picture through the deliver job: Twilio
// is given the picture's public address as MediaUrl with the first part, fetches it without
// credentials, and gets the stored bytes with their type and name.
func TestReplyWithAPictureGoesAsMMS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.text(t, "My parcel came crushed.")
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 4096)...)
	reply := e.replyWithFiles(t, "Here is your return label.", inbox.NewAttachment{Filename: "label.png", ContentType: "image/png", Content: png})
	done, start := e.mmsServer(t)
	start()
	waitFor(t, done, "deliver", river.EventKindJobCompleted)

	sent := e.twilio.Messages()
	if len(sent) != 1 {
		t.Fatalf("Twilio received %d messages, want 1", len(sent))
	}
	got := sent[0]
	if got.Body != "Here is your return label." || len(got.Media) != 1 {
		t.Fatalf("Twilio received body %q with %d media, want the reply's text and 1 picture", got.Body, len(got.Media))
	}
	f := got.Media[0]
	if f.Err != nil || f.Status != 200 || !bytes.Equal(f.Content, png) {
		t.Fatalf("Twilio's fetch of %s: status %d, err %v, %d bytes; want 200 and the %d bytes stored", f.URL, f.Status, f.Err, len(f.Content), len(png))
	}
	if f.ContentType != "image/png" || !strings.Contains(f.Disposition, "label.png") {
		t.Errorf("fetched as %q, %q; want image/png named label.png", f.ContentType, f.Disposition)
	}
	if !strings.Contains(f.URL, medialink.PathPrefix) || strings.Contains(f.URL, "label") {
		t.Errorf("MediaUrl %s: want an opaque address under %s", f.URL, medialink.PathPrefix)
	}
	if m := e.message(t, reply.ID); m.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("reply is %s, want sent", m.DeliveryStatus)
	}
}

// TestMMSOutsideTwiliosLimitsFailsBeforeSending: a file type MMS cannot carry, more than 5 MB,
// or files with no public address to fetch them from fail the reply at once with a reason an
// agent can act on, and nothing reaches Twilio (not even the text).
func TestMMSOutsideTwiliosLimitsFailsBeforeSending(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		file   inbox.NewAttachment
		public bool
		reason string
	}{
		{"a program", inbox.NewAttachment{Filename: "setup.exe", ContentType: "application/x-msdownload", Content: []byte("MZ")}, true, "which MMS cannot carry"},
		{"six megabytes", inbox.NewAttachment{Filename: "scan.pdf", ContentType: "application/pdf", Content: append([]byte("%PDF-1.7\n"), make([]byte, 6<<20)...)}, true, "at most 5 MB"},
		{"no public address", inbox.NewAttachment{Filename: "a.png", ContentType: "image/png", Content: []byte("\x89PNG\r\n\x1a\n")}, false, "PARLEY_PUBLIC_URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.text(t, "Hello?")
			reply := e.replyWithFiles(t, "See attached.", c.file)
			var done <-chan *river.Event
			var start func()
			if c.public {
				done, start = e.mmsServer(t)
			} else {
				done, start = e.river(t)
			}
			start()
			waitFor(t, done, "deliver", river.EventKindJobCancelled)
			m := e.message(t, reply.ID)
			if m.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(m.DeliveryError, c.reason) {
				t.Errorf("reply %s (%q), want failed saying %q", m.DeliveryStatus, m.DeliveryError, c.reason)
			}
			if n := e.twilio.Requests(); n != 0 {
				t.Errorf("Twilio got %d requests, want none", n)
			}
		})
	}
}
