package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// codeView is the second step's form (and the enrolment step's, with its QR code).
type codeView struct {
	Setup *setupView
}

// errSignInAgain is the key of the answer when the half-signed-in state is missing, used up or
// expired.
const errSignInAgain = "signin.sign_in_again"

// pendingSignIn reads the challenge of the request's cookie and its agent. A missing, expired
// or used challenge, or one whose agent can no longer sign in, answers with the sign-in form and
// reports false.
func (s *Server) pendingSignIn(w http.ResponseWriter, r *http.Request, purpose string) (inbox.Challenge, inbox.Agent, string, bool) {
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return inbox.Challenge{}, inbox.Agent{}, "", false
	}
	ch, err := s.store.GetChallenge(r.Context(), c.Value)
	if err == nil && ch.Purpose != purpose {
		http.Redirect(w, r, "/login/"+ch.Purpose, http.StatusSeeOther)
		return inbox.Challenge{}, inbox.Agent{}, "", false
	}
	var a inbox.Agent
	if err == nil {
		a, err = s.store.GetAgent(r.Context(), ch.AgentID)
	}
	if err == nil && !a.Active {
		err = inbox.ErrNotFound // deactivated between the password and the code
	}
	if errors.Is(err, inbox.ErrNotFound) {
		s.setChallengeCookie(w, r, "", -1)
		s.renderLogin(w, r, http.StatusUnauthorized, loginView{Next: "/inbox"}, s.words(r).t(errSignInAgain))
		return inbox.Challenge{}, inbox.Agent{}, "", false
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return inbox.Challenge{}, inbox.Agent{}, "", false
	}
	return ch, a, c.Value, true
}

// codeForm is GET /login/code: the second step for an agent with two-factor on.
func (s *Server) codeForm(w http.ResponseWriter, r *http.Request) {
	if _, _, _, ok := s.pendingSignIn(w, r, inbox.ChallengeCode); ok {
		s.render(w, r, http.StatusOK, "login_code", page{Title: s.words(r).t("title.two_factor_code"), Body: codeView{}})
	}
}

// code is POST /login/code: a code from the authenticator app, or a recovery code. Wrong codes
// are throttled like wrong passwords (per account and source address), and a challenge takes
// only inbox.ChallengeFailures of them.
func (s *Server) code(w http.ResponseWriter, r *http.Request) {
	s.secondStep(w, r, inbox.ChallengeCode, func(status int, msg string) {
		s.render(w, r, status, "login_code", page{Title: s.words(r).t("title.two_factor_code"), Error: msg, Body: codeView{}})
	})
}

// enrolForm is GET /login/enrol: an agent whose role requires two-factor and who has none sets
// it up before getting a session.
func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) {
	_, a, _, ok := s.pendingSignIn(w, r, inbox.ChallengeEnrol)
	if !ok {
		return
	}
	s.renderEnrol(w, r, a, http.StatusOK, "")
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, a inbox.Agent, status int, msg string) {
	setup, err := s.store.PendingTOTP(r.Context(), a.ID)
	if errors.Is(err, inbox.ErrNotFound) {
		setup, err = s.store.BeginTOTP(r.Context(), a.ID)
	}
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, totpError(err))
		return
	}
	v, err := newSetupView(setup)
	if err != nil {
		s.renderError(w, r, inbox.Agent{}, err)
		return
	}
	s.render(w, r, status, "login_enrol", page{Title: s.words(r).t("title.set_up_two_factor"), Error: msg, Body: codeView{Setup: v}})
}

// enrol is POST /login/enrol: the first code of the new secret turns two-factor on, opens the
// session and shows the recovery codes once.
func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	s.secondStep(w, r, inbox.ChallengeEnrol, func(status int, msg string) {
		if c, err := r.Cookie(challengeCookie); err == nil {
			if ch, err := s.store.GetChallenge(r.Context(), c.Value); err == nil {
				if a, err := s.store.GetAgent(r.Context(), ch.AgentID); err == nil {
					s.renderEnrol(w, r, a, status, msg)
					return
				}
			}
		}
		s.renderLogin(w, r, status, loginView{Next: "/inbox"}, msg)
	})
}

// secondStep passes the challenge of purpose with the posted code. refuse answers a wrong code.
func (s *Server) secondStep(w http.ResponseWriter, r *http.Request, purpose string, refuse func(status int, errMsg string)) {
	if !s.signinForm(w, r) {
		return
	}
	_, a, token, ok := s.pendingSignIn(w, r, purpose)
	if !ok {
		return
	}
	th := s.ui.signinFlow.throttle
	ip := clientIP(r)
	if s.throttled(w, r, a.Email, ip, func(msg string) { refuse(http.StatusTooManyRequests, msg) }) {
		return
	}
	passed, err := s.store.PassChallenge(r.Context(), token, strings.TrimSpace(r.PostForm.Get("code")), ip)
	switch {
	case errors.Is(err, inbox.ErrBadCode):
		th.fail(a.Email, ip)
		refuse(http.StatusUnauthorized, s.words(r).t("signin.wrong_code"))
		return
	case errors.Is(err, inbox.ErrNotFound):
		s.setChallengeCookie(w, r, "", -1)
		s.renderLogin(w, r, http.StatusUnauthorized, loginView{Next: "/inbox"}, s.words(r).t(errSignInAgain))
		return
	case err != nil:
		s.renderError(w, r, inbox.Agent{}, totpError(err))
		return
	}
	th.succeed(a.Email, ip)
	s.setChallengeCookie(w, r, "", -1)
	factor := "totp"
	if passed.Recovery {
		factor = "recovery"
	}
	data := map[string]any{"method": passed.Method, "second_factor": factor}
	if purpose == inbox.ChallengeCode {
		s.startSession(w, r, a, passed.Next, data, ip)
		return
	}
	if !s.issueSession(w, r, a, data, ip) {
		return
	}
	s.render(w, r, http.StatusOK, "recovery_codes", page{Title: s.words(r).t("title.recovery_codes"), Agent: a,
		Body: recoveryView{Codes: passed.RecoveryCodes, Next: passed.Next}})
}
