package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/medialink"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/workflow"
)

// TestMediaServesASignedFileUntilItExpires attacks /media/{token}, the address Twilio fetches
// an MMS picture from: the file with its stored type and name while the token is good; 404
// alike for an expired token, another server's token, an altered one and a gone file; and no
// route at all without a secret key.
func TestMediaServesASignedFileUntilItExpires(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600)...)
	res, err := e.store.Ingest(ctx, inbox.Inbound{Channel: inbox.ChannelAPI, ExternalID: "media-1",
		From: inbox.Identity{Kind: inbox.IdentityEmail, Address: "pia@example.com"},
		Text: "The label.", Attachments: []inbox.NewAttachment{{Filename: "label.png", ContentType: "image/png", Content: png}}})
	if err != nil {
		t.Fatal(err)
	}
	atts, err := e.store.MessageAttachments(ctx, res.MessageID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments %v, err %v", atts, err)
	}
	id := atts[0].ID

	now := time.Now()
	signer, err := medialink.New("media-secret", func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{Store: e.store, Pool: e.pool, Events: e.feed, Rules: workflow.NewRules(e.pool, e.store),
		SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store), Media: signer}).Handler())
	defer srv.Close()
	get := func(base, token string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(base + medialink.PathPrefix + token)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}

	token := signer.Token(id, time.Hour)
	resp, body := get(srv.URL, token)
	if resp.StatusCode != http.StatusOK || string(body) != string(png) {
		t.Fatalf("good token: %d, %d bytes; want 200 and the %d bytes stored", resp.StatusCode, len(body), len(png))
	}
	for h, want := range map[string]string{"Content-Type": "image/png", "Content-Disposition": `inline; filename=label.png`,
		"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox", "Cache-Control": "private, no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}

	other, _ := medialink.New("another-server", nil)
	altered := []byte(token)
	altered[len(altered)/2] ^= 1 // still base64url letters, another seal
	for name, tok := range map[string]string{"another key": other.Token(id, time.Hour), "altered": string(altered),
		"gone file": signer.Token(id+1000, time.Hour)} {
		if resp, _ := get(srv.URL, tok); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, resp.StatusCode)
		}
	}
	now = now.Add(time.Hour)
	if resp, _ := get(srv.URL, token); resp.StatusCode != http.StatusNotFound {
		t.Errorf("expired: %d, want 404", resp.StatusCode)
	}
	// The API env's server has no signer: no route, whatever the token.
	if resp, _ := get(e.srv.URL, signer.Token(id, 2*time.Hour)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("no signer: %d, want 404", resp.StatusCode)
	}
}
