package chat

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
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

// noOriginPage is what GET /chat/demo shows when chat inboxes exist but none allows the
// origin the page is served from: the widget could not connect there.
const noOriginPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley chat demo</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Chat is not enabled for this address</h1>
<p>No chat inbox allows pages from <code>{{.Origin}}</code>, so the chat widget cannot work on this page.</p>
<p>To try the demo here, an administrator opens <a href="{{.AdminURL}}">Admin, Inboxes</a>, edits a
website chat inbox, adds <code>{{.Origin}}</code> on a line of its <strong>Allowed origins</strong>,
saves, and reloads this page.</p>
</body></html>`

// noOrigin is the data of noOriginPage.
type noOrigin struct {
	Origin   string // the origin the demo page was asked from
	AdminURL string // where inboxes are edited
}

// serveDemo is GET /chat/demo: a pretend shop embedding the widget of a chat inbox that
// allows the origin the page is served from, to try the chat as a customer and answer from
// the agent inbox. Without such an inbox it answers 404 with a page saying how to get one.
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
	status := http.StatusNotFound
	origin := pageOrigin(r, s.publicURL)
	if len(inboxes) == 0 {
		err = s.noInbox.Execute(&buf, origin)
	} else if in, ok := demoInbox(inboxes, origin); ok {
		status = http.StatusOK
		err = s.demo.Execute(&buf, DemoPage{InboxID: in.ID, BaseURL: s.publicURL})
	} else {
		err = s.noOrigin.Execute(&buf, noOrigin{Origin: origin, AdminURL: s.publicURL + "/admin/inboxes"})
	}
	if err != nil {
		s.log.Error("chat demo: render", "err", err)
		http.Error(w, "could not render the demo page", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// demoInbox picks the enabled chat inbox whose allowed origins name origin, the first by id;
// failing that, the first that allows every origin ("*").
func demoInbox(inboxes []inbox.Inbox, origin string) (inbox.Inbox, bool) {
	var anyOrigin *inbox.Inbox
	for i, in := range inboxes {
		settings, err := inboxSettings(in)
		if err != nil || in.Disabled() || !AllowedOrigin(settings.Origins, origin) {
			continue
		}
		if AllowedOrigin(slices.DeleteFunc(slices.Clone(settings.Origins), isWildcard), origin) {
			return in, true
		}
		if anyOrigin == nil {
			anyOrigin = &inboxes[i]
		}
	}
	if anyOrigin == nil {
		return inbox.Inbox{}, false
	}
	return *anyOrigin, true
}

func isWildcard(origin string) bool { return strings.TrimSpace(origin) == "*" }

// pageOrigin is the origin a browser sees for the page of r: the Host it asked for, over
// https when the connection is TLS, a proxy in front says so (X-Forwarded-Proto) or the host
// is the public URL's and that is https; over http otherwise. It only picks which widget the
// demo embeds: the socket checks the browser's own Origin header.
func pageOrigin(r *http.Request, publicURL string) string {
	scheme := "http"
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	public, err := url.Parse(publicURL)
	switch {
	case r.TLS != nil:
		scheme = "https"
	case strings.TrimSpace(proto) == "https" || strings.TrimSpace(proto) == "http":
		scheme = strings.TrimSpace(proto)
	case err == nil && strings.EqualFold(public.Host, r.Host) && public.Scheme == "https":
		scheme = "https"
	}
	origin := scheme + "://" + r.Host
	if c, ok := canonicalOrigin(origin); ok {
		return c
	}
	return origin
}
