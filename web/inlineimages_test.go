package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

// TestInlineImagesPointAtTheirAttachments: the cid: images of an incoming HTML email are shown
// from the message's own attachments (the page's frame and the API), an image whose part is
// missing loses its src, and a cid naming another message's attachment is not followed.
func TestInlineImagesPointAtTheirAttachments(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	e.srv.cids = email.RewriteCIDs
	ctx := context.Background()
	u := e.newUser(t, "ana", inbox.RoleAgent)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	first, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<one@x>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "li@example.org"}, Subject: "Photo",
		Text: "see photo", HTML: `<p>see</p><img src="cid:other@x">`,
		Attachments: []inbox.NewAttachment{{Filename: "other.png", ContentType: "image/png", ContentID: "other@x", Size: len(png), Content: png}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelEmail, ExternalID: "<two@x>",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "li@example.org"}, Subject: "Photo",
		Text: "the photo", HTML: `<p>the</p><img src="cid:photo%40x" alt="p"><img src="cid:gone@x" alt="g"><img src="cid:other@x" alt="o">`,
		Attachments: []inbox.NewAttachment{{Filename: "p.png", ContentType: "image/png", ContentID: "photo@x", Size: len(png), Content: png}}})
	if err != nil {
		t.Fatal(err)
	}
	var photo, other int64
	if err := e.pool.QueryRow(ctx, `SELECT (SELECT id FROM attachments WHERE content_id = 'photo@x'),
		(SELECT id FROM attachments WHERE content_id = 'other@x')`).Scan(&photo, &other); err != nil {
		t.Fatal(err)
	}
	want := `<img src="/api/v1/attachments/` + i64(photo) + `" alt="p">`
	_, page := u.get(t, "/inbox/"+i64(res.ConversationID))
	srcdoc := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(want, "<", "&lt;"), ">", "&gt;"), `"`, "&#34;")
	mustContain(t, "page", page, srcdoc)
	mustNotContain(t, "page", page, "cid:photo", "cid:gone", "/api/v1/attachments/"+i64(other)+"&#34; alt=&#34;o")
	st, body := u.get(t, "/api/v1/conversations/"+i64(res.ConversationID))
	if st != http.StatusOK {
		t.Fatalf("GET conversation: %d %s", st, body)
	}
	var c struct {
		Messages []inbox.Message `json:"messages"`
	}
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		t.Fatal(err)
	}
	html := map[string]string{}
	for _, m := range c.Messages {
		html[*m.ExternalID] = m.HTML
	}
	if h := html["<two@x>"]; !strings.Contains(h, want) || !strings.Contains(h, `<img alt="g">`) || !strings.Contains(h, `<img alt="o">`) {
		t.Errorf("API html %q", h)
	}
	if h := html["<one@x>"]; !strings.Contains(h, `/api/v1/attachments/`+i64(other)) || first.ConversationID != res.ConversationID {
		t.Errorf("first message's html %q (conversation %d, %d)", h, first.ConversationID, res.ConversationID)
	}
}
