package slack_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/jobtest"
)

// fileJobs returns the fetch_attachment jobs enqueued so far, oldest first.
func (e *env) fileJobs(t *testing.T) []channels.FetchAttachmentArgs {
	t.Helper()
	return dbtest.JobArgs[channels.FetchAttachmentArgs](t, e.store.Pool(), "fetch_attachment")
}

// fetchFile works one fetch_attachment job of args through River (rivertest) with the Slack
// fetcher, and returns the worker's verdict.
func (e *env) fetchFile(t *testing.T, args channels.FetchAttachmentArgs) error {
	t.Helper()
	return jobtest.New[channels.FetchAttachmentArgs](t, e.pool, e.workers(t)).Work(t, args, nil)
}

// TestSharedFilesAreFetchedAndAttached: a customer shares a screenshot without text; the message
// names it, a job fetches it with the bot token and attaches it once; a redelivered event adds
// no job. A URL off Slack's file host gets no request, and a file Slack no longer serves ends
// the job.
func TestSharedFilesAreFetchedAndAttached(t *testing.T) {
	t.Parallel()
	e := setup(t)
	shot := []byte("\x89PNG a screenshot of the error")
	f := e.fake.AddFile("error.png", "image/png", shot)
	m := customer("U0ADA", "", "1700001700.000001")
	m.Files = []slacktest.File{f}
	body := slacktest.FileShare(m)
	e.mustPost(t, body)
	e.mustPost(t, body) // Slack retries
	stored := e.message(t, "C0SHARED:1700001700.000001")
	if stored.Text != "[shared error.png]" {
		t.Fatalf("text = %q", stored.Text)
	}
	jobs := e.fileJobs(t)
	if len(jobs) != 1 || jobs[0].Filename != "error.png" || jobs[0].MessageID != stored.ID {
		t.Fatalf("jobs = %+v", jobs)
	}
	for range 2 { // a retried job attaches nothing new
		if err := e.fetchFile(t, jobs[0]); err != nil {
			t.Fatal(err)
		}
	}
	atts, err := e.store.MessageAttachments(context.Background(), stored.ID)
	if err != nil || len(atts) == 0 {
		t.Fatalf("attachments: %v", err)
	}
	n := len(atts)
	a, err := e.store.Attachment(context.Background(), atts[0].ID) // read through the file store
	if err != nil {
		t.Fatal(err)
	}
	content := a.Content
	if n != 1 || !bytes.Equal(content, shot) {
		t.Fatalf("%d attachments, content %q", n, content)
	}

	var cancel *river.JobCancelError
	before := e.fake.Calls("files")
	foreign := jobs[0]
	foreign.URL = "https://files.example.net/files-pri/T0PARLEY-F1/error.png"
	if err := e.fetchFile(t, foreign); !errors.As(err, &cancel) || e.fake.Calls("files") != before {
		t.Fatalf("a foreign URL: err %v; want the job cancelled without a request", err)
	}
	gone := jobs[0]
	gone.URL = f.URL + "-deleted"
	if err := e.fetchFile(t, gone); !errors.As(err, &cancel) {
		t.Fatalf("a deleted file: err %v, want the job cancelled", err)
	}
}
