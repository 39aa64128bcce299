package chat

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// widgetFile is the widget script with its validator, computed once.
type widgetFile struct {
	body []byte
	etag string
}

func loadWidget() (widgetFile, error) {
	b, err := Widget()
	if err != nil {
		return widgetFile{}, err
	}
	sum := sha256.Sum256(b)
	return widgetFile{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}

// serveWidget is GET /chat/widget.js. Sites embed it on every page, so browsers may keep it
// for an hour and then revalidate it cheaply with its ETag (304 when unchanged).
func (s *Server) serveWidget(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", s.widget.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	// Any page may load the script; a crossorigin attribute on the tag must not break it.
	h.Set("Access-Control-Allow-Origin", "*")
	http.ServeContent(w, r, WidgetFile, time.Time{}, bytes.NewReader(s.widget.body))
}

// noInboxPage is what GET /chat/demo shows before a chat inbox exists.
const noInboxPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley chat demo</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>No chat inbox yet</h1>
<p>The chat demo needs a website chat inbox that allows this page's origin. Create one with</p>
<pre>parley inbox add chat --name Website --origin {{.}}</pre>
<p>(or run <code>parley demo</code>, which creates it), then reload this page.</p>
</body></html>`

// serveDemo is GET /chat/demo: a pretend shop embedding the widget of the first chat inbox,
// to try the chat as a customer and answer from the agent inbox.
func (s *Server) serveDemo(w http.ResponseWriter, r *http.Request) {
	inboxes, err := s.store.Inboxes(r.Context(), inbox.ChannelChat)
	if err != nil {
		s.log.Error("chat demo: list inboxes", "err", err)
		http.Error(w, "could not list the chat inboxes", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	var buf bytes.Buffer
	status := http.StatusOK
	if len(inboxes) == 0 {
		status = http.StatusNotFound
		err = s.noInbox.Execute(&buf, s.publicURL)
	} else {
		err = s.demo.Execute(&buf, DemoPage{InboxID: inboxes[0].ID, BaseURL: s.publicURL})
	}
	if err != nil {
		s.log.Error("chat demo: render", "err", err)
		http.Error(w, "could not render the demo page", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
