package sms_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
)

// mediaJobs returns the fetch_attachment jobs enqueued so far, oldest first.
func (e *env) mediaJobs(t *testing.T) []channels.FetchAttachmentArgs {
	t.Helper()
	return dbtest.JobArgs[channels.FetchAttachmentArgs](t, e.pool, "fetch_attachment")
}

// fetch works one fetch_attachment job of args through River (rivertest) with the channel as
// the fetcher, and returns the worker's verdict.
func (e *env) fetch(t *testing.T, args channels.FetchAttachmentArgs) error {
	t.Helper()
	return jobtest.New[channels.FetchAttachmentArgs](t, e.pool, e.workers(t)).Work(t, args, nil)
}

// TestMMSMediaAreFetchedAndAttached: an MMS's pictures stay at Twilio until asked for; the
// webhook enqueues a job per item in the transaction that stores the message, and each job
// fetches its item with the account's credentials and attaches it once.
func TestMMSMediaAreFetchedAndAttached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	photo := []byte("\xff\xd8\xff\xe0 a photo of the torn box")
	label := []byte("%PDF-1.4 the shipping label")
	sms := smstest.SMS{MessageSID: smstest.NewSID("MM"), AccountSID: accountSID, From: customer, To: ourNumber,
		Body: "This is how it arrived"}
	sms.Media = []smstest.Attachment{
		{URL: e.twilio.AddMedia(sms.MessageSID, "image/jpeg", photo), ContentType: "image/jpeg"},
		{URL: e.twilio.AddMedia(sms.MessageSID, "application/pdf", label), ContentType: "application/pdf"},
	}
	form := smstest.InboundForm(sms)
	e.requireTaken(t, e.post(e.ch.InboundHandler(), "/webhooks/twilio/sms", form))
	e.requireTaken(t, e.post(e.ch.InboundHandler(), "/webhooks/twilio/sms", form)) // Twilio retries
	jobs := e.mediaJobs(t)
	if len(jobs) != 2 {
		t.Fatalf("%d media jobs, want 2 (one per item, none for the replay)", len(jobs))
	}
	for _, j := range append(jobs, jobs[0]) { // the first twice: a retried job attaches nothing new
		if err := e.fetch(t, j); err != nil {
			t.Fatalf("fetch %s: %v", j.Filename, err)
		}
	}
	want := map[string][]byte{"media-1.jpg": photo, "media-2.pdf": label}
	atts, err := e.store.MessageAttachments(ctx, jobs[0].MessageID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, meta := range atts { // read through the file store
		a, err := e.store.Attachment(ctx, meta.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Content, want[a.Filename]) || a.ContentType == "" {
			t.Fatalf("attachment %s (%s) = %q", a.Filename, a.ContentType, a.Content)
		}
		n++
	}
	if n != 2 {
		t.Fatalf("%d attachments, want 2", n)
	}
	if got := e.count(t, `SELECT count(*) FROM conversation_events WHERE kind = 'message_edit'`); got != 0 {
		t.Fatalf("an attachment was recorded as an edit")
	}
}

// TestMMSMediaFailures: a URL off Twilio's API host gets no request (the credentials never
// leave for it); media Twilio no longer has ends the job; a server error is retried.
func TestMMSMediaFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sid := smstest.NewSID("MM")
	e.requireTaken(t, e.post(e.ch.InboundHandler(), "/webhooks/twilio/sms", smstest.InboundForm(smstest.SMS{
		MessageSID: sid, AccountSID: accountSID, From: customer, To: ourNumber, Body: "see attached",
		Media: []smstest.Attachment{{URL: e.twilio.AddMedia(sid, "image/png", []byte("png")), ContentType: "image/png"}}})))
	job := e.mediaJobs(t)[0]

	var cancel *river.JobCancelError
	before := e.twilio.Requests()
	foreign := job
	foreign.URL = "https://media.example.net/2010-04-01/Accounts/" + accountSID + "/Messages/" + sid + "/Media/ME1"
	if err := e.fetch(t, foreign); !errors.As(err, &cancel) || e.twilio.Requests() != before {
		t.Fatalf("a foreign URL: err %v, %d requests; want the job cancelled without a request", err, e.twilio.Requests()-before)
	}
	gone := job
	gone.URL = "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages/" + sid + "/Media/ME0000"
	if err := e.fetch(t, gone); !errors.As(err, &cancel) {
		t.Fatalf("deleted media: err %v, want the job cancelled", err)
	}
	e.twilio.FailNext(1, smstest.ServerError)
	if err := e.fetch(t, job); err == nil || errors.As(err, &cancel) {
		t.Fatalf("a Twilio 500: err %v, want a retry", err)
	}
	if err := e.fetch(t, job); err != nil {
		t.Fatalf("after the 500: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM attachments WHERE message_id = $1`, job.MessageID); n != 1 {
		t.Fatalf("%d attachments, want 1", n)
	}
}
