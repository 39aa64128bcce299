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
	"github.com/parleyhq/parley/sla"
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
	// Since is when the page's request began, in milliseconds since 1970 (the layout's
	// data-since; see since.go); renderTemplate sets it.
	Since int64
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
			pageFuncs := templateFuncs(now, cs.words(locale))
			pageFuncs["sandbox"] = func() bool { return sandboxOn }
			maps.Copy(pageFuncs, registerFuncs(cs.words(locale)))
			// view names the page's template in the page (the layout's data-view), for the
			// accessibility checks that prove every page was visited.
			pageFuncs["view"] = func() string { return name }
			pageFuncs["t"] = cs.t(locale)
			pageFuncs["th"] = cs.th(locale)
			maps.Copy(pageFuncs, localNames(cs.words(locale)))
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
	p.Since = requestStart(r).UnixMilli()
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
	tr := s.words(r)
	// An error the API would answer (a bad parameter, a conflict) is said as the API says it:
	// those messages stay English.
	errMsg := err.Error()
	var ve *inbox.ValidationError
	switch {
	case status == http.StatusInternalServerError:
		s.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		errMsg = tr.t("error.internal")
	case status == http.StatusServiceUnavailable:
		s.log.Warn("page failed: database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(httperr.RetryAfter))
		errMsg = tr.t("error.unavailable")
	case status == http.StatusNotFound:
		errMsg = tr.t("error.not_found")
	case status == http.StatusRequestEntityTooLarge:
		errMsg = tr.t("error.too_large")
	case errors.As(err, &ve):
		errMsg = ve.Error()
	}
	title := tr.statusTitle(status)
	if isFragment(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(errMsg))
		return
	}
	s.render(w, r, status, "error", page{Title: title, Agent: a, Error: errMsg})
}

// statusKeys are the keys of the error page's titles by HTTP status; another status is titled as
// net/http names it.
var statusKeys = map[int]string{
	http.StatusBadRequest: "error.status.400", http.StatusUnauthorized: "error.status.401",
	http.StatusForbidden: "error.status.403", http.StatusNotFound: "error.status.404",
	http.StatusMethodNotAllowed: "error.status.405", http.StatusConflict: "error.status.409",
	http.StatusRequestEntityTooLarge: "error.status.413", http.StatusTooManyRequests: "error.status.429",
	http.StatusInternalServerError: "error.status.500", http.StatusBadGateway: "error.status.502",
	http.StatusServiceUnavailable: "error.status.503",
}

// statusTitle is the error page's title for status.
func (w words) statusTitle(status int) string {
	if k, ok := statusKeys[status]; ok {
		return w.t(k)
	}
	return http.StatusText(status)
}

// templateFuncs are the helpers templates call, their words in the language of w. now is the
// server's clock.
func templateFuncs(now func() time.Time, w words) template.FuncMap {
	return template.FuncMap{
		"ago":      func(t time.Time) string { return w.ago(now().Sub(t)) },
		"stamp":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":    w.clock,
		"day":      w.day,
		"dur":      w.duration,
		"median":   func(sp inbox.Spread) string { return w.spread(sp.N, sp.Median) },
		"p90":      func(sp inbox.Spread) string { return w.spread(sp.N, sp.P90) },
		"durIn":    durationInput,
		"atLeast":  func(a inbox.Agent, role string) bool { return a.Role.AtLeast(inbox.Role(role)) },
		"initial":  initial,
		"id":       func(p *int64) int64 { return deref(p) },
		"asset":    assetURL,
		"add":      func(a, b int) int { return a + b },
		"pct":      percent,
		"mul100":   func(f float64) float64 { return f * 100 },
		"calendar": func(c sla.Calendar) string { return calendarText(w, c) },
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
