package slack_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/inbox"
)

// TestReplyFilesAreUploadedIntoTheThread sends a reply with two files through the deliver job:
// Slack gets each file's name and length (files.getUploadURLExternal), the bytes at its upload
// URL, then one files.completeUploadExternal sharing both into the customer's thread, before
// the text is posted there. A retry after the text's post failed posts the text without
// sharing the files again.
func TestReplyFilesAreUploadedIntoTheThread(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	e.mustPost(t, slacktest.MessageEvent(customer("U0ADA", "the invoice is wrong", "1700002500.000001")))
	m := e.message(t, "C0SHARED:1700002500.000001")
	out, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Text: "Corrected invoice attached."})
	if err != nil {
		t.Fatal(err)
	}
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 70_000)...)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 300)...)
	for _, f := range []inbox.NewAttachment{{Filename: "invoice.pdf", ContentType: "application/pdf", Content: pdf},
		{Filename: "stamp.png", ContentType: "image/png", Content: png}} {
		if _, err := e.store.AttachFetched(ctx, out.ID, f); err != nil {
			t.Fatal(err)
		}
	}

	// The first attempt shares the files, then the text's post is refused for a moment.
	e.fake.FailNext("chat.postMessage", slacktest.HTTPStatus(503))
	if err := e.deliver(t, out.ID); err == nil {
		t.Fatal("the delivery succeeded although the text's post failed")
	}
	if err := e.deliver(t, out.ID); err != nil {
		t.Fatalf("retry: %v", err)
	}

	shares := e.fake.Shares()
	if len(shares) != 1 {
		t.Fatalf("%d shares, want the files shared once", len(shares))
	}
	sh := shares[0]
	if sh.Channel != "C0SHARED" || sh.ThreadTS != "1700002500.000001" || len(sh.Files) != 2 {
		t.Fatalf("share %+v, want both files in the customer's thread", sh)
	}
	for i, want := range []struct {
		name    string
		content []byte
	}{{"invoice.pdf", pdf}, {"stamp.png", png}} {
		f := sh.Files[i]
		if f.Filename != want.name || f.Length != len(want.content) || !bytes.Equal(f.Content, want.content) {
			t.Errorf("file %d: %s, %d announced, %d bytes received; want %s with its %d bytes", i, f.Filename, f.Length, len(f.Content), want.name, len(want.content))
		}
	}
	if n := e.fake.Calls("files.getUploadURLExternal"); n != 2 {
		t.Errorf("files.getUploadURLExternal called %d times, want 2", n)
	}
	posts := e.fake.Posts()
	if last := posts[len(posts)-1]; last.Text != "Corrected invoice attached." || last.ThreadTS != "1700002500.000001" {
		t.Errorf("last post %+v, want the reply's text in the thread", last)
	}
	sent, err := e.store.GetMessage(ctx, out.ID)
	if err != nil || sent.DeliveryStatus != inbox.DeliverySent {
		t.Fatalf("reply %+v (%v), want sent", sent, err)
	}
}
