package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

//go:embed templates
var templateFS embed.FS

// page is what every page template gets: the signed-in agent, the page's own data and a
// message to show.
type page struct {
	Title  string
	Agent  inbox.Agent
	Nav    string // the section of the navigation that is current
	Body   any
	Notice string
	Error  string
}

// views holds one parsed template set per language and page (the layout, the shared partials
// and the page), each set's t function bound to its language's catalogue.
type views struct {
	pages map[string]map[string]*template.Template // by locale, then page name
	cs    *catalogs
}

func mustViews(now func() time.Time, sandboxOn bool, cs *catalogs) *views {
	v, err := newViews(now, sandboxOn, cs)
	if err != nil {
		panic(err)
	}
	return v
}

// newViews parses every page once per language of cs.
func newViews(now func() time.Time, sandboxOn bool, cs *catalogs) (*views, error) {
	funcs := templateFuncs(now)
	funcs["sandbox"] = func() bool { return sandboxOn }
	maps.Copy(funcs, registerFuncs())
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("views: %w", err)
	}
	v := &views{pages: map[string]map[string]*template.Template{}, cs: cs}
	for _, locale := range cs.locales {
		v.pages[locale] = map[string]*template.Template{}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			if name == "layout" {
				continue
			}
			pageFuncs := maps.Clone(funcs)
			// view names the page's template in the page (the layout's data-view), for the
			// accessibility checks that prove every page was visited.
			pageFuncs["view"] = func() string { return name }
			pageFuncs["t"] = cs.t(locale)
			pageFuncs["th"] = cs.th(locale)
			maps.Copy(pageFuncs, localNames(cs.t(locale)))
			pageFuncs["lang"] = func() string { return locale }
			pageFuncs["jsStrings"] = func() map[string]message { return cs.jsStrings(locale) }
			t, err := template.New(name).Funcs(pageFuncs).ParseFS(templateFS,
				"templates/layout.html", "templates/partials/*.html", p)
			if err != nil {
				return nil, fmt.Errorf("views: %s: %w", p, err)
			}
			v.pages[locale][name] = t
		}
	}
	return v, nil
}

// render writes a whole page: the layout around the named page's "main" block. It renders into
// a buffer first, so a template error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	s.renderTemplate(w, r, status, name, "layout", p)
}

// renderPart writes one named template of a page's set: a fragment a script swaps in.
func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, name, part string, p page) {
	s.renderTemplate(w, r, http.StatusOK, name, part, p)
}

func (s *Server) renderTemplate(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, p page) {
	t, ok := s.ui.views.pages[s.ui.views.cs.localeFor(r)][name]
	if !ok {
		s.log.Error("no such page template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		s.log.Error("render", "page", name, "template", tmpl, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderError answers a page request that failed: an HTML page for a browser, plain text for a
// fragment, with the status chosen by statusOf (the API's one table).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, a inbox.Agent, err error) {
	status, _ := statusOf(err)
	msg := err.Error()
	var ve *inbox.ValidationError
	switch {
	case status == http.StatusInternalServerError:
		s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side. Please try again."
	case status == http.StatusServiceUnavailable:
		s.log.Warn("page failed: database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(httperr.RetryAfter))
		msg = "Parley is briefly unavailable. Please try again in a few seconds."
	case status == http.StatusNotFound:
		msg = "There is nothing at this address: the link may be mistyped, or what it named was deleted or is not yours to see."
	case status == http.StatusRequestEntityTooLarge:
		msg = "What you sent is too large."
	case errors.As(err, &ve):
		msg = ve.Error()
	}
	title := http.StatusText(status)
	if status == http.StatusNotFound {
		title = "Page not found"
	}
	if isFragment(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg))
		return
	}
	s.render(w, r, status, "error", page{Title: title, Agent: a, Error: msg})
}

// templateFuncs are the helpers templates call. now is the server's clock.
func templateFuncs(now func() time.Time) template.FuncMap {
	return template.FuncMap{
		"ago":      func(t time.Time) string { return formatAgo(now().Sub(t)) },
		"stamp":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":    func(t time.Time) string { return t.UTC().Format("Jan 2, 15:04 UTC") },
		"day":      func(t time.Time) string { return t.UTC().Format("Jan 2") },
		"dur":      formatDuration,
		"median":   func(sp inbox.Spread) string { return spreadDuration(sp.N, sp.Median) },
		"p90":      func(sp inbox.Spread) string { return spreadDuration(sp.N, sp.P90) },
		"durIn":    durationInput,
		"atLeast":  func(a inbox.Agent, role string) bool { return a.Role.AtLeast(inbox.Role(role)) },
		"initial":  initial,
		"id":       func(p *int64) int64 { return deref(p) },
		"asset":    assetURL,
		"add":      func(a, b int) int { return a + b },
		"pct":      percent,
		"mul100":   func(f float64) float64 { return f * 100 },
		"calendar": calendarText,
		"eq64":     func(a *int64, b int64) bool { return a != nil && *a == b },
		"list":     func(v ...any) []any { return v },
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// formatAgo is a compact age: "now", "5m", "3h", "2d", "6w".
func formatAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	case d < 14*24*time.Hour:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
	return fmt.Sprintf("%dw", int(d.Hours()/24/7))
}

// channelName is how a channel is shown.
func channelName(c inbox.Channel) string {
	switch c {
	case inbox.ChannelEmail:
		return "Email"
	case inbox.ChannelSMS:
		return "SMS"
	case inbox.ChannelChat:
		return "Chat"
	case inbox.ChannelSlack:
		return "Slack"
	case inbox.ChannelAPI:
		return "API"
	}
	return string(c)
}

// initial is the first letter of a name, for avatars.
func initial(name string) string {
	for _, r := range strings.TrimSpace(name) {
		return strings.ToUpper(string(r))
	}
	return "?"
}
