package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// upload posts one file as the widget does (token, then file) from origin, and returns the
// answer's status and decoded body.
func upload(t *testing.T, n *node, inboxID int64, origin, token, name string, content []byte) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("token", token)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, n.http.URL+"/chat/upload?inbox="+strconv.FormatInt(inboxID, 10), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// fetch gets a file link of a frame from the chat's server.
func fetch(t *testing.T, n *node, link chat.FileLink) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(n.http.URL + link.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// visitorSession starts a chat server on a fresh database with a chat inbox, and a visitor
// on it whose welcome's token it returns.
func visitorSession(t *testing.T) (*env, *node, inbox.Inbox, *visitor, string) {
	t.Helper()
	e := setup(t)
	n := e.node(t, chat.Config{})
	in := e.chatInbox(t, chat.Settings{})
	v := dial(t, n, in.ID)
	return e, n, in, v, v.hello(chat.Hello{}).Token
}

var photo = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 2000)...)

// TestVisitorSendsAPhotoAndSeesAgentsFiles: a visitor uploads a photo and sends it in a
// message; the agents get it as the message's attachment, byte for byte, under its cleaned
// name and sniffed type; the visitor's acknowledgement links it. An agent's file reaches a
// reconnecting visitor as a link that serves the bytes, a picture inline and the rest as a
// download, and a made-up link serves nothing.
func TestVisitorSendsAPhotoAndSeesAgentsFiles(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{})
	in := e.chatInbox(t, chat.Settings{})
	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{})

	status, up := upload(t, n, in.ID, shopOrigin, w.Token, `..\..\parcel photo.png`, photo)
	if status != http.StatusCreated || up["content_type"] != "image/png" || up["filename"] != "parcel photo.png" {
		t.Fatalf("upload: %d %v, want 201, image/png named parcel photo.png", status, up)
	}
	v.write(map[string]any{"type": "message", "client_id": "c-photo", "text": "It came like this.", "files": []string{up["id"].(string)}})
	ack := v.message()
	if ack.ClientID != "c-photo" || len(ack.Files) != 1 || ack.Files[0].Name != "parcel photo.png" {
		t.Fatalf("ack %+v, want the message with its photo", ack)
	}
	resp, b := fetch(t, n, ack.Files[0])
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, photo) || resp.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("the photo's link: %d %q %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(b))
	}

	ctx := context.Background()
	stored, err := e.store.GetMessage(ctx, ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	atts, err := e.store.MessageAttachments(ctx, ack.ID)
	if err != nil || len(atts) != 1 || atts[0].ContentType != "image/png" {
		t.Fatalf("the agents' attachments %+v (%v), want the photo", atts, err)
	}
	rc, err := e.store.OpenAttachment(ctx, atts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, photo) {
		t.Fatalf("the agents got %d bytes, want the %d uploaded", len(got), len(photo))
	}

	// An agent answers with a PDF; a reconnecting visitor gets it as a download link.
	agent := e.agent(t, "Ana Files")
	reply := e.reply(t, stored.ConversationID, agent, "Here is the return label.")
	pdf := []byte("%PDF-1.7\nlabel\n%%EOF\n")
	if _, err := e.store.AttachFetched(ctx, reply.ID, inbox.NewAttachment{Filename: "label.pdf", ContentType: "application/pdf", Content: pdf}); err != nil {
		t.Fatal(err)
	}
	v2 := dial(t, n, in.ID)
	v2.hello(chat.Hello{Token: w.Token, LastID: ack.ID})
	var got2 *frame
	for got2 == nil {
		if f := v2.message(); f.ID == reply.ID {
			got2 = &f
		}
	}
	if len(got2.Files) != 1 || got2.Files[0].Type != "application/pdf" {
		t.Fatalf("replayed reply %+v, want its PDF", got2)
	}
	resp, b = fetch(t, n, got2.Files[0])
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, pdf) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the PDF's link: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Disposition"), len(b))
	}
	if resp, _ := fetch(t, n, chat.FileLink{URL: chat.FilePath + "made-up-token"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a made-up link: %d, want 404", resp.StatusCode)
	}
}

// TestUploadsRefusedStoreNothing attacks POST /chat/upload: a program named like a picture,
// a file over the limit, a bad token, a foreign origin and a visitor over the hourly limit are
// refused with their codes and nothing is kept; another visitor's upload cannot be sent.
func TestUploadsRefusedStoreNothing(t *testing.T) {
	t.Parallel()
	e, n, in, _, token := visitorSession(t)
	count := func() int {
		var c int
		if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM chat_uploads`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, c := range []struct {
		name, origin, token, file string
		content                   []byte
		status                    int
		code                      string
	}{
		{"a program", shopOrigin, token, "cat.png", append([]byte("MZ\x90\x00"), make([]byte, 600)...), http.StatusUnsupportedMediaType, chat.CodeFileType},
		{"too large", shopOrigin, token, "big.png", append(photo, make([]byte, chat.MaxUploadBytes)...), http.StatusRequestEntityTooLarge, chat.CodeTooLarge},
		{"bad token", shopOrigin, token + "x", "a.png", photo, http.StatusUnauthorized, chat.CodeBadToken},
		{"empty", shopOrigin, token, "a.png", nil, http.StatusBadRequest, chat.CodeEmptyFile},
		{"foreign origin", "https://evil.example", token, "a.png", photo, http.StatusForbidden, ""},
	} {
		status, out := upload(t, n, in.ID, c.origin, c.token, c.file, c.content)
		if status != c.status || (c.code != "" && out["code"] != c.code) {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, out, c.status, c.code)
		}
	}
	if got := count(); got != 0 {
		t.Fatalf("%d uploads kept after refusals, want 0", got)
	}

	for i := range chat.MaxUploadsPerHour {
		if status, out := upload(t, n, in.ID, shopOrigin, token, "p.png", photo); status != http.StatusCreated {
			t.Fatalf("upload %d: %d %v", i+1, status, out)
		}
	}
	if status, out := upload(t, n, in.ID, shopOrigin, token, "p.png", photo); status != http.StatusTooManyRequests || out["code"] != chat.CodeTooManyUps {
		t.Fatalf("upload over the limit: %d %v, want 429 %s", status, out, chat.CodeTooManyUps)
	}

	// Another visitor names the first one's upload: refused, nothing stored.
	other := dial(t, n, in.ID)
	otherToken := other.hello(chat.Hello{}).Token
	_, mine := upload(t, n, in.ID, shopOrigin, otherToken, "mine.png", photo)
	var theirs string
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT id FROM chat_uploads WHERE visitor_id <> (SELECT visitor_id FROM chat_uploads WHERE id = $1) LIMIT 1`,
		mine["id"]).Scan(&theirs); err != nil {
		t.Fatal(err)
	}
	other.write(map[string]any{"type": "message", "client_id": "steal", "text": "", "files": []string{theirs}})
	if f := other.expect("error"); f.Code != chat.CodeInvalid || f.ClientID != "steal" {
		t.Fatalf("sending another visitor's upload: %+v, want refused", f)
	}
}

// TestParallelUploadsKeepTheHourlyLimit: a visitor firing twice their hourly allowance at once
// gets exactly the allowance stored; the rest are refused with 429.
func TestParallelUploadsKeepTheHourlyLimit(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{})
	in := e.chatInbox(t, chat.Settings{})
	token := dial(t, n, in.ID).hello(chat.Hello{}).Token
	statuses := make(chan int, 2*chat.MaxUploadsPerHour)
	var wg sync.WaitGroup
	for range 2 * chat.MaxUploadsPerHour {
		wg.Go(func() {
			status, _ := upload(t, n, in.ID, shopOrigin, token, "p.png", photo)
			statuses <- status
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusCreated] != chat.MaxUploadsPerHour || count[http.StatusTooManyRequests] != chat.MaxUploadsPerHour {
		t.Fatalf("answers %v, want %d created and %d refused", count, chat.MaxUploadsPerHour, chat.MaxUploadsPerHour)
	}
	var kept int
	if err := e.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM chat_uploads`).Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != chat.MaxUploadsPerHour {
		t.Fatalf("%d uploads kept, want %d", kept, chat.MaxUploadsPerHour)
	}
}

// TestAgentsFileReachesTheVisitorLive: an agent's reply carrying a file (uploaded first, as the
// composer does) reaches the open widget live with the file's link, which serves its bytes.
func TestAgentsFileReachesTheVisitorLive(t *testing.T) {
	t.Parallel()
	e := setup(t)
	n := e.node(t, chat.Config{})
	in := e.chatInbox(t, chat.Settings{})
	v := dial(t, n, in.ID)
	v.hello(chat.Hello{})
	ack := v.say("c-1", "Do you have a size chart?")
	ctx := context.Background()
	m, err := e.store.GetMessage(ctx, ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	agent := e.agent(t, "Lou Live")
	chart := []byte("%PDF-1.7\nsize chart\n%%EOF\n")
	up, err := e.store.Upload(ctx, agent.ID, "sizes.pdf", bytes.NewReader(chart))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.store.Send(ctx, inbox.Reply{ConversationID: m.ConversationID, Author: inbox.Actor{AgentID: agent.ID},
		Text: "Here it is.", Uploads: []int64{up.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f := v.message()
	if f.ID != reply.ID || len(f.Files) != 1 || f.Files[0].Name != "sizes.pdf" || f.Files[0].Type != "application/pdf" {
		t.Fatalf("live frame %+v, want the reply with its PDF", f)
	}
	resp, b := fetch(t, n, f.Files[0])
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, chart) {
		t.Fatalf("the file's link: %d, %d bytes; want 200 and the %d uploaded", resp.StatusCode, len(b), len(chart))
	}
}

// TestOneUploadGoesWithOneMessage: an upload sent with a message is that message's file; a
// second message naming it is refused (two messages never share a file, which erasing one
// would take from the other), while a resend of the first is acknowledged as before.
func TestOneUploadGoesWithOneMessage(t *testing.T) {
	t.Parallel()
	_, n, in, v, token := visitorSession(t)
	_, up := upload(t, n, in.ID, shopOrigin, token, "receipt.png", photo)
	id := up["id"].(string)
	v.write(map[string]any{"type": "message", "client_id": "first", "text": "", "files": []string{id}})
	first := v.message()
	// The widget resends after a reconnect, as if the acknowledgement had been lost.
	v2 := dial(t, n, in.ID)
	v2.hello(chat.Hello{Token: token, LastID: first.ID})
	v2.write(map[string]any{"type": "message", "client_id": "first", "text": "", "files": []string{id}})
	if again := v2.message(); again.ID != first.ID || len(again.Files) != 1 {
		t.Fatalf("resend: %+v, want the first message acknowledged again with its file", again)
	}
	v2.write(map[string]any{"type": "message", "client_id": "second", "text": "the same again", "files": []string{id}})
	if f := v2.expect("error"); f.Code != chat.CodeInvalid || f.ClientID != "second" {
		t.Fatalf("a second message with the same upload: %+v, want refused", f)
	}
}
