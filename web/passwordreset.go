package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// Limits on "Forgot password?" requests, so the form cannot flood an agent's mailbox: past
// them, each request waits a minute, doubling to at most loginWindow.
const (
	forgotPerEmail = 3  // requests per address before the waits begin
	forgotPerIP    = 20 // requests per client address before the waits begin
)

// resetPages are the pages of a forgotten password: the request form (GET and POST /forgot)
// and the reset link's page (GET and POST /reset/{token}).
type resetPages struct {
	s          *Server
	emailLimit *limiter
	ipLimit    *limiter
}

func newResetPages(s *Server) *resetPages {
	return &resetPages{s: s,
		emailLimit: newLimiter(s.now, forgotPerEmail, time.Minute, loginWindow, limiterSize),
		ipLimit:    newLimiter(s.now, forgotPerIP, time.Minute, loginWindow, limiterSize)}
}

func (p *resetPages) routes(m *router) {
	m.HandleFunc("GET /forgot", p.forgotForm)
	m.HandleFunc("POST /forgot", p.forgot)
	m.HandleFunc("GET /reset/{token}", p.resetForm)
	m.HandleFunc("POST /reset/{token}", p.reset)
}

// forgotView is the request form's data.
type forgotView struct {
	Email string
	Sent  bool
}

// resetView is the reset page's data.
type resetView struct {
	passwordView
	Token string
	Email string
	Done  bool
}

// forgotForm is GET /forgot.
func (p *resetPages) forgotForm(w http.ResponseWriter, r *http.Request) {
	if p.s.resets == nil {
		p.s.renderError(w, r, inbox.Agent{}, inbox.ErrNotFound)
		return
	}
	p.s.render(w, r, http.StatusOK, "password_forgot", page{Title: p.s.words(r).t("title.forgot_password"), Body: forgotView{}})
}

// forgot is POST /forgot: the answer is the same whether an agent has the address or not; when
// one does, a job mails the link (never this request).
func (p *resetPages) forgot(w http.ResponseWriter, r *http.Request) {
	s := p.s
	if s.resets == nil {
		s.renderError(w, r, inbox.Agent{}, inbox.ErrNotFound)
		return
	}
	if err := publicForm(w, r, s.ui.cop); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	if email == "" || len(email) > 320 || !strings.Contains(email, "@") {
		s.render(w, r, http.StatusBadRequest, "password_forgot", page{Title: s.words(r).t("title.forgot_password"),
			Error: s.words(r).t("signin.give_email"), Body: forgotView{Email: email}})
		return
	}
	ip := clientIP(r)
	if wait := max(p.emailLimit.wait("email:"+email), p.ipLimit.wait("ip:"+ip)); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.render(w, r, http.StatusTooManyRequests, "password_forgot", page{Title: s.words(r).t("title.forgot_password"),
			Error: s.words(r).t("signin.too_many_requests", "wait", s.words(r).duration(wait)), Body: forgotView{Email: email}})
		return
	}
	p.emailLimit.fail("email:" + email)
	p.ipLimit.fail("ip:" + ip)
	if err := s.resets.Request(r.Context(), email, ip); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	s.render(w, r, http.StatusOK, "password_forgot", page{Title: s.words(r).t("title.forgot_password"), Body: forgotView{Email: email, Sent: true}})
}

// resetForm is GET /reset/{token}: the new-password form, or why the link no longer works.
func (p *resetPages) resetForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	a, err := p.s.store.ResetAgent(r.Context(), token)
	if err != nil {
		p.linkError(w, r, err)
		return
	}
	p.renderReset(w, r, http.StatusOK, resetView{Token: token, Email: a.Email}, "")
}

// reset is POST /reset/{token}: the new password and its repetition. A refused password
// leaves the link usable; a reset ends every session of the agent.
func (p *resetPages) reset(w http.ResponseWriter, r *http.Request) {
	s := p.s
	token := r.PathValue("token")
	if err := publicForm(w, r, s.ui.cop); err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	view := resetView{Token: token}
	next := r.PostForm.Get("new")
	if next != r.PostForm.Get("confirm") {
		p.renderReset(w, r, http.StatusBadRequest, view, p.s.words(r).t("signin.repetition_differs"))
		return
	}
	a, err := s.store.ResetPassword(r.Context(), token, next, clientIP(r))
	switch {
	case errors.Is(err, inbox.ErrInvalid):
		p.renderReset(w, r, http.StatusBadRequest, view, userMessage(s.words(r), err))
		return
	case err != nil:
		p.linkError(w, r, err)
		return
	}
	// The browser may hold a session of the agent, now ended: forget it.
	s.setSessionCookie(w, r, "", -1)
	p.renderReset(w, r, http.StatusOK, resetView{Email: a.Email, Done: true}, "")
}

func (p *resetPages) renderReset(w http.ResponseWriter, r *http.Request, status int, v resetView, errMsg string) {
	v.passwordView = passwordPolicy()
	p.s.render(w, r, status, "password_reset", page{Title: p.s.words(r).t("title.choose_a_new_password"), Error: errMsg, Body: v})
}

// linkError answers a dead link with 404 and the way to ask for a new one.
func (p *resetPages) linkError(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, inbox.ErrResetLink) {
		p.s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	p.s.render(w, r, http.StatusNotFound, "password_reset", page{Title: p.s.words(r).t("title.link_not_valid"),
		Error: p.s.words(r).t("signin.link_not_valid"), Body: resetView{}})
}

// publicForm reads the small form of a page open to anyone (no session) and refuses one posted
// from another site.
func publicForm(w http.ResponseWriter, r *http.Request, cop *http.CrossOriginProtection) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return badRequest("malformed form")
	}
	if cop.Check(r) != nil {
		return errCrossOrigin
	}
	return nil
}
