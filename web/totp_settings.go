package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// qrSize is the side of the QR code image, in pixels.
const qrSize = 220

// setupView is a secret being enrolled: its QR code, drawn by the server as a PNG data URI (no
// script), and the same secret as text for typing in by hand.
type setupView struct {
	QR     template.URL
	Secret string
}

// newSetupView draws setup's QR code.
func newSetupView(setup inbox.TOTPSetup) (*setupView, error) {
	key, err := setup.Key()
	if err != nil {
		return nil, err
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("web: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("web: qr code: %w", err)
	}
	// The secret is shown in groups of four, as authenticator apps accept it.
	var groups []string
	for s := setup.Secret; s != ""; {
		n := min(4, len(s))
		groups, s = append(groups, s[:n]), s[n:]
	}
	return &setupView{QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())),
		Secret: strings.Join(groups, " ")}, nil
}

// recoveryView shows the recovery codes once, right after two-factor is turned on.
type recoveryView struct {
	Codes []string
	Next  string
}

// twoFactorView is the agent's two-factor settings page.
type twoFactorView struct {
	State    inbox.TOTPState
	Required bool
	Setup    *setupView
}

var (
	errNoSecretKey = &apiError{http.StatusServiceUnavailable, "no_secret_key",
		"Two-factor sign-in needs PARLEY_SECRET_KEY to be set on the server; ask your administrator."}
	errTOTPOn = &apiError{http.StatusConflict, "conflict", "Two-factor sign-in is already on."}
)

// totpError turns the store's two-factor errors into what the agent is told.
func totpError(err error) error {
	switch {
	case errors.Is(err, inbox.ErrNoSecretKey):
		return errNoSecretKey
	case errors.Is(err, inbox.ErrConflict):
		return errTOTPOn
	}
	return err
}

// twoFactorSettings is GET /settings/2fa: whether two-factor is on, the enrolment in progress
// (QR code and secret, and the form for the first code), or the form that turns it off.
func (s *Server) twoFactorSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderTwoFactor(w, r, http.StatusOK, "", "")
}

func (s *Server) renderTwoFactor(w http.ResponseWriter, r *http.Request, status int, notice, errMsg string) error {
	a := agentFrom(r.Context())
	st, err := s.store.TOTPStatus(r.Context(), a.ID)
	if err != nil {
		return err
	}
	required, err := s.store.TwoFactorRequired(r.Context(), a.Role)
	if err != nil {
		return err
	}
	v := twoFactorView{State: st, Required: required}
	if st.Pending {
		setup, err := s.store.PendingTOTP(r.Context(), a.ID)
		if err != nil {
			return totpError(err)
		}
		if v.Setup, err = newSetupView(setup); err != nil {
			return err
		}
	}
	s.render(w, r, status, "settings_2fa", page{Title: s.words(r).t("title.two_factor_sign_in"), Agent: a, Notice: notice, Error: errMsg, Body: v})
	return nil
}

// twoFactorSetup is POST /settings/2fa/setup: a new secret, pending until its first code.
func (s *Server) twoFactorSetup(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.store.BeginTOTP(r.Context(), agentFrom(r.Context()).ID); err != nil {
		return totpError(err)
	}
	http.Redirect(w, r, "/settings/2fa", http.StatusSeeOther)
	return nil
}

// twoFactorConfirm is POST /settings/2fa/confirm: the first code turns two-factor on and the
// recovery codes are shown, once.
func (s *Server) twoFactorConfirm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	a := agentFrom(r.Context())
	ip := clientIP(r)
	codes, err := s.store.ConfirmTOTP(r.Context(), a.ID, r.PostForm.Get("code"), ip)
	if errors.Is(err, inbox.ErrBadCode) {
		return s.renderTwoFactor(w, r, http.StatusBadRequest, "", s.words(r).t("settings.2fa.code_not_right"))
	}
	if errors.Is(err, inbox.ErrNotFound) {
		return s.renderTwoFactor(w, r, http.StatusBadRequest, "", s.words(r).t("settings.2fa.no_setup"))
	}
	if err != nil {
		return totpError(err)
	}
	s.render(w, r, http.StatusOK, "recovery_codes", page{Title: s.words(r).t("title.recovery_codes"), Agent: a,
		Body: recoveryView{Codes: codes, Next: "/settings/2fa"}})
	return nil
}

// twoFactorDisable is POST /settings/2fa/disable: a current code or the password turns
// two-factor off. Wrong proofs are throttled like wrong passwords.
func (s *Server) twoFactorDisable(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	a := agentFrom(r.Context())
	th := s.ui.signinFlow.throttle
	ip := clientIP(r)
	var refused error
	if s.throttled(w, r, a.Email, ip, func(msg string) { refused = s.renderTwoFactor(w, r, http.StatusTooManyRequests, "", msg) }) {
		return refused
	}
	err := s.store.DisableTOTP(r.Context(), a.ID, r.PostForm.Get("proof"), ip)
	switch {
	case errors.Is(err, inbox.ErrBadCode):
		th.fail(a.Email, ip)
		s.audit(r, inbox.AuditRecord{Kind: inbox.AuditTOTPFailed, ActorID: a.ID, Actor: a.Email, Target: "agent:" + fmtInt(a.ID),
			SourceIP: ip, Data: map[string]any{"action": "disable"}})
		return s.renderTwoFactor(w, r, http.StatusUnauthorized, "", s.words(r).t("settings.2fa.still_on"))
	case errors.Is(err, inbox.ErrForbidden):
		return s.renderTwoFactor(w, r, http.StatusForbidden, "", s.words(r).t("settings.2fa.required"))
	case errors.Is(err, inbox.ErrNotFound):
		return s.renderTwoFactor(w, r, http.StatusBadRequest, "", s.words(r).t("settings.2fa.not_on"))
	case err != nil:
		return totpError(err)
	}
	return s.renderTwoFactor(w, r, http.StatusOK, s.words(r).t("notice.2fa.off"), "")
}
