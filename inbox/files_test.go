package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/filestore"
)

// attachmentContent reads the content of message's attachment named filename through
// OpenAttachment, as the deliver job and the download do.
func (e *env) attachmentContent(t *testing.T, messageID int64, filename string) string {
	t.Helper()
	ctx := context.Background()
	atts, err := e.store.MessageAttachments(ctx, messageID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range atts {
		if a.Filename == filename {
			rc, err := e.store.OpenAttachment(ctx, a.ID)
			if err != nil {
				t.Fatalf("open %s: %v", filename, err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("message %d has no attachment %s", messageID, filename)
	return ""
}

// filesEnv is env with the directory file store, so that a test sees the files on disk, and
// small limits.
type filesEnv struct {
	*env
	root string
}

func setupFiles(t *testing.T, limits inbox.Limits) filesEnv {
	t.Helper()
	e := setup(t)
	root := t.TempDir()
	dir, err := filestore.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	e.store = inbox.New(e.pool, inbox.Options{Clock: func() time.Time { return e.now }, PasswordCost: bcrypt.MinCost,
		Files: dir, MaxFileSize: limits.MaxFile, MaxMessageFiles: limits.MaxMessage})
	return filesEnv{env: e, root: root}
}

// agent creates an agent called name.
func (f filesEnv) agent(t *testing.T, name string) inbox.Agent {
	t.Helper()
	a, err := f.store.CreateAgent(context.Background(), inbox.NewAgent{Email: name + "@example.com", Name: name, Password: "correct-horse-battery"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// files counts the files the directory store holds.
func (f filesEnv) files(t *testing.T) int {
	t.Helper()
	n := 0
	_ = filepath.WalkDir(f.root, func(_ string, d fs.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 700)...)

// TestIngestWritesFilesThroughTheStore: a customer's file goes to the file store (not the
// bytea column), typed from its bytes; a redelivery stores no second copy.
func TestIngestWritesFilesThroughTheStore(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{})
	exe := append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 600)...)
	in := inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<files-1@x>", From: emailFrom("pics@example.com"), Text: "see attached",
		Attachments: []inbox.NewAttachment{
			{Filename: "parcel.png", ContentType: "application/pdf", Content: pngBytes},
			{Filename: "photo.png", ContentType: "image/png", Content: exe},
		}}
	res := f.ingest(t, in)
	if f.count(t, `SELECT count(*) FROM attachments WHERE message_id = $1 AND store_key IS NOT NULL AND content IS NULL`, res.MessageID) != 2 {
		t.Fatal("the attachments are not in the file store")
	}
	if f.files(t) != 2 || f.count(t, `SELECT count(*) FROM uploads`) != 0 {
		t.Fatalf("%d files, %d staged rows left", f.files(t), f.count(t, `SELECT count(*) FROM uploads`))
	}
	if got := f.attachmentContent(t, res.MessageID, "parcel.png"); got != string(pngBytes) {
		t.Fatal("the content read back differs")
	}
	atts, _ := f.store.MessageAttachments(context.Background(), res.MessageID)
	if atts[0].ContentType != "image/png" || atts[1].ContentType != "application/octet-stream" || atts[1].Size != len(exe) {
		t.Fatalf("types %q %q: the sender's claim was trusted", atts[0].ContentType, atts[1].ContentType)
	}
	if in.Attachments[0].Content == nil {
		t.Fatal("the caller's Inbound was changed")
	}
	again := f.ingest(t, in)
	if !again.Duplicate || f.files(t) != 2 || f.count(t, `SELECT count(*) FROM uploads`) != 0 {
		t.Fatalf("redelivery: %+v, %d files", again, f.files(t))
	}
}

// TestIngestKeepsOnlyMetadataOverTheLimit: a file over the per-file limit is not stored.
func TestIngestKeepsOnlyMetadataOverTheLimit(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{MaxFile: 100})
	res := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<big@x>", From: emailFrom("big@example.com"), Text: "big",
		Attachments: []inbox.NewAttachment{{Filename: "big.bin", Content: make([]byte, 101)}, {Filename: "small.txt", Content: []byte("ok")}}})
	if f.files(t) != 1 {
		t.Fatalf("%d files stored, want only the small one", f.files(t))
	}
	atts, _ := f.store.MessageAttachments(context.Background(), res.MessageID)
	if len(atts) != 2 || atts[0].Size != 101 {
		t.Fatalf("attachments %+v", atts)
	}
	if _, err := f.store.OpenAttachment(context.Background(), atts[0].ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("open the one over the limit: %v", err)
	}
}

// TestOldByteaAttachmentsStillRead: rows written before the file store keep their content.
func TestOldByteaAttachmentsStillRead(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{})
	res := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<old@x>", From: emailFrom("old@example.com"), Text: "old"})
	if _, err := f.pool.Exec(context.Background(), `INSERT INTO attachments (message_id, filename, content_type, size, content)
		VALUES ($1, 'old.txt', 'text/plain', 3, 'old')`, res.MessageID); err != nil {
		t.Fatal(err)
	}
	if got := f.attachmentContent(t, res.MessageID, "old.txt"); got != "old" {
		t.Fatalf("read %q", got)
	}
}

// TestUploadsAreTheUploadersOnly: an agent attaches their own upload once; another agent's
// upload, a used one and too many bytes together are refused and change nothing.
func TestUploadsAreTheUploadersOnly(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{MaxFile: 1000, MaxMessage: 1400})
	ctx := context.Background()
	ana := f.agent(t, "ana")
	bob := f.agent(t, "bob")
	res := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<up@x>", From: emailFrom("up@example.com"), Text: "hi"})

	if _, err := f.store.Upload(ctx, ana.ID, "huge.bin", bytes.NewReader(make([]byte, 1001))); !errors.Is(err, inbox.ErrTooLarge) {
		t.Fatalf("upload over the limit: %v", err)
	}
	if f.files(t) != 0 {
		t.Fatal("a refused upload left a file")
	}
	up, err := f.store.Upload(ctx, ana.ID, "../../etc/label.png", bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	if up.Filename != "label.png" || up.ContentType != "image/png" || up.Size != int64(len(pngBytes)) {
		t.Fatalf("upload %+v", up)
	}
	// Bob may not send Ana's upload.
	_, err = f.store.Note(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: inbox.Actor{AgentID: bob.ID}, Uploads: []int64{up.ID}})
	if !errors.Is(err, inbox.ErrInvalid) {
		t.Fatalf("bob sent ana's upload: %v", err)
	}
	// Too many bytes together: refused, the upload kept for another try.
	up2, err := f.store.Upload(ctx, ana.ID, "second.png", bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	before := f.count(t, `SELECT count(*) FROM messages`)
	_, err = f.store.Note(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: inbox.Actor{AgentID: ana.ID}, Uploads: []int64{up.ID, up2.ID}})
	if !errors.Is(err, inbox.ErrTooLarge) || f.count(t, `SELECT count(*) FROM messages`) != before || f.count(t, `SELECT count(*) FROM uploads`) != 2 {
		t.Fatalf("over the message limit: %v", err)
	}
	m, err := f.store.Note(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: inbox.Actor{AgentID: ana.ID}, Uploads: []int64{up.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.attachmentContent(t, m.ID, "label.png"); got != string(pngBytes) {
		t.Fatal("the note's file differs")
	}
	// Once taken, an upload is gone.
	_, err = f.store.Note(ctx, inbox.Reply{ConversationID: res.ConversationID, Author: inbox.Actor{AgentID: ana.ID}, Uploads: []int64{up.ID}})
	if !errors.Is(err, inbox.ErrInvalid) || !strings.Contains(err.Error(), "attachment_ids") {
		t.Fatalf("upload used twice: %v", err)
	}
	if err := f.store.DiscardUploads(ctx, bob.ID, []int64{up2.ID}); err != nil || f.files(t) != 2 {
		t.Fatalf("bob discarded ana's upload: %v, %d files", err, f.files(t))
	}
	if err := f.store.DiscardUploads(ctx, ana.ID, []int64{up2.ID}); err != nil || f.files(t) != 1 {
		t.Fatalf("discard: %v, %d files", err, f.files(t))
	}
}

// TestPruneUploadsAndErasure: the prune deletes uploads a day old and the files an erasure
// released, never a file a message holds.
func TestPruneUploadsAndErasure(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{})
	ctx := context.Background()
	ana := f.agent(t, "ana")
	res := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<keep@x>", From: emailFrom("keep@example.com"), Text: "hi",
		Attachments: []inbox.NewAttachment{{Filename: "a.png", Content: pngBytes}}})
	if _, err := f.store.Upload(ctx, ana.ID, "old.png", bytes.NewReader(pngBytes)); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(inbox.UploadKeep / 2)
	if _, err := f.store.Upload(ctx, ana.ID, "fresh.png", bytes.NewReader(pngBytes)); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(inbox.UploadKeep/2 + time.Minute)
	n, err := f.store.PruneUploads(ctx, f.now.Add(-inbox.UploadKeep))
	if err != nil || n != 1 || f.files(t) != 2 {
		t.Fatalf("prune: %d %v, %d files left", n, err, f.files(t))
	}
	if got := f.attachmentContent(t, res.MessageID, "a.png"); got != string(pngBytes) {
		t.Fatal("the prune took a message's file")
	}
	if err := f.store.EraseContact(ctx, res.ContactID, inbox.AuditActor{AgentID: ana.ID, Name: ana.Email}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.PruneUploads(ctx, f.now.Add(-inbox.UploadKeep)); err != nil || n != 1 || f.files(t) != 1 {
		t.Fatalf("prune after erasure: %d %v, %d files left", n, err, f.files(t))
	}
}

// TestOneUploadRacedByTwoMessages: two messages sent at once with the same upload: exactly one
// takes it, the other is refused and stores nothing.
func TestOneUploadRacedByTwoMessages(t *testing.T) {
	t.Parallel()
	f := setupFiles(t, inbox.Limits{})
	ctx := context.Background()
	ana := f.agent(t, "ana")
	a := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<race-a@x>", From: emailFrom("a@example.com"), Text: "a"})
	b := f.ingest(t, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<race-b@x>", From: emailFrom("b@example.com"), Text: "b"})
	for round := range 10 {
		up, err := f.store.Upload(ctx, ana.ID, "label.png", bytes.NewReader(pngBytes))
		if err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for _, conv := range []int64{a.ConversationID, b.ConversationID} {
			go func() {
				_, err := f.store.Note(ctx, inbox.Reply{ConversationID: conv, Author: inbox.Actor{AgentID: ana.ID}, Uploads: []int64{up.ID}})
				errs <- err
			}()
		}
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) || !errors.Is(errors.Join(e1, e2), inbox.ErrInvalid) {
			t.Fatalf("round %d: %v / %v, want one success and one refusal", round, e1, e2)
		}
		if n := f.count(t, `SELECT count(*) FROM attachments WHERE store_key = (SELECT store_key FROM attachments ORDER BY id DESC LIMIT 1)`); n != 1 {
			t.Fatalf("round %d: the file is attached %d times", round, n)
		}
	}
}
