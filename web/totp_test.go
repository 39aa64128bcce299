package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/parleyhq/parley/inbox"
)

var (
	secretRE   = regexp.MustCompile(`id="totp-secret" class="secret">([A-Z2-7 ]+)<`)
	recoveryRE = regexp.MustCompile(`<code>([a-z2-7]{5}-[a-z2-7]{5})</code>`)
)

// totpCode is the code an authenticator app shows for secret at the env's time.
func (e *uiEnv) totpCode(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, e.clock(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a 6-digit code that is not right now, nor a step either side.
func (e *uiEnv) wrongCode(t *testing.T, secret string) string {
	t.Helper()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		ok := true
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			if r, _ := totp.GenerateCodeCustom(secret, e.clock().Add(d), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix}); r == c {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// secretOf reads the secret shown as text beside the QR code.
func secretOf(t *testing.T, body string) string {
	t.Helper()
	m := secretRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no secret on the page: %.400s", body)
	}
	return strings.ReplaceAll(m[1], " ", "")
}

// enrol turns two-factor on for u from the settings page and returns the secret and the
// recovery codes.
func (u *user) enrol(t *testing.T) (string, []string) {
	t.Helper()
	if st, loc := u.postForm(t, "/settings/2fa/setup", nil); st != http.StatusSeeOther || loc != "/settings/2fa" {
		t.Fatalf("setup: %d %s", st, loc)
	}
	st, page := u.get(t, "/settings/2fa")
	if st != http.StatusOK {
		t.Fatalf("settings: %d", st)
	}
	mustContain(t, "setup page", page, `src="data:image/png;base64,`, "Set-up in progress")
	secret := secretOf(t, page)
	if st, _ := u.postForm(t, "/settings/2fa/confirm", url.Values{"code": {u.e.wrongCode(t, secret)}}); st != http.StatusBadRequest {
		t.Fatalf("confirm with a wrong code: %d, want 400", st)
	}
	if s, _ := u.e.store.TOTPStatus(context.Background(), u.agent.ID); s.Enabled {
		t.Fatal("a wrong first code turned two-factor on")
	}
	st, body := u.postForm(t, "/settings/2fa/confirm", url.Values{"code": {u.e.totpCode(t, secret)}})
	if st != http.StatusOK {
		t.Fatalf("confirm: %d %.300s", st, body)
	}
	var codes []string
	for _, m := range recoveryRE.FindAllStringSubmatch(body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != inbox.RecoveryCodes {
		t.Fatalf("recovery codes shown: %d, want %d", len(codes), inbox.RecoveryCodes)
	}
	return secret, codes
}

// passwordStep signs u in with the password from a fresh browser, expecting to be sent on to
// the second step at want.
func (e *uiEnv) passwordStep(t *testing.T, a inbox.Agent, want string) *user {
	t.Helper()
	u := e.anonymous(t)
	u.agent = a
	if st, loc := u.postForm(t, "/login", url.Values{"email": {a.Email}, "password": {"correct-horse-battery"}}); st != http.StatusSeeOther || loc != want {
		t.Fatalf("password step: %d %q, want a redirect to %s", st, loc, want)
	}
	if st, _ := u.get(t, "/inbox"); want != "/inbox" && st != http.StatusSeeOther {
		t.Fatalf("/inbox between the password and the code: %d, want the sign-in redirect (no session yet)", st)
	}
	return u
}

func (e *uiEnv) auditCount(t *testing.T, kind string, actorID int64) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE kind = $1 AND actor_id = $2`, kind, actorID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTwoFactorEnrolThenSignInTakesPasswordAndCode(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ana", inbox.RoleAgent)
	secret, _ := u.enrol(t)
	if n := e.auditCount(t, inbox.AuditTOTPEnrolled, u.agent.ID); n != 1 {
		t.Errorf("enrolled events: %d", n)
	}
	var sealed []byte
	if err := e.pool.QueryRow(context.Background(), `SELECT secret_sealed FROM agent_totp WHERE agent_id = $1`, u.agent.ID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), secret) {
		t.Fatal("the TOTP secret is stored in the clear")
	}
	_, page := u.get(t, "/settings/2fa")
	mustContain(t, "settings when on", page, "is <strong>on</strong>", "10 recovery codes left")
	mustNotContain(t, "settings when on", page, secret[:8])

	v := e.passwordStep(t, u.agent, "/login/code")
	// The code used to enrol is spent: the same code again is refused, as is a wrong one.
	if st, body := v.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusUnauthorized || !strings.Contains(body, "Wrong code") {
		t.Fatalf("the enrolment code replayed: %d", st)
	}
	if st, _ := v.postForm(t, "/login/code", url.Values{"code": {e.wrongCode(t, secret)}}); st != http.StatusUnauthorized {
		t.Fatalf("a wrong code: %d", st)
	}
	if n := e.auditCount(t, inbox.AuditTOTPFailed, u.agent.ID); n != 2 {
		t.Errorf("failed-code events: %d, want 2", n)
	}
	e.advance(30 * time.Second)
	if st, loc := v.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("the right code: %d %s", st, loc)
	}
	if st, _ := v.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("/inbox after both factors: %d", st)
	}
	var data string
	if err := e.pool.QueryRow(context.Background(), `SELECT data::text FROM audit_log WHERE kind = $1 AND actor_id = $2 ORDER BY id DESC LIMIT 1`,
		inbox.AuditSignIn, u.agent.ID).Scan(&data); err != nil || !strings.Contains(data, `"second_factor": "totp"`) {
		t.Errorf("sign-in event: %s %v", data, err)
	}
}

func TestRecoveryCodesWorkOnceAndAChallengeIsNoSession(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "ben", inbox.RoleAgent)
	_, codes := u.enrol(t)

	v := e.passwordStep(t, u.agent, "/login/code")
	base, _ := url.Parse(e.http.URL + "/login/code")
	var challenge string
	for _, c := range v.client.Jar.Cookies(base) {
		if c.Name == challengeCookie {
			challenge = c.Value
		}
	}
	if challenge == "" {
		t.Fatal("no challenge cookie after the password")
	}
	// The half-signed-in token opens nothing as a session cookie.
	if st, _ := e.anonymous(t).do(t, http.MethodGet, "/inbox", "", "", "Cookie", sessionCookie+"="+challenge); st != http.StatusSeeOther {
		t.Fatalf("challenge token as a session: %d", st)
	}
	if st, _ := e.anonymous(t).do(t, http.MethodGet, "/api/v1/me", "", "", "Authorization", "Bearer "+challenge); st != http.StatusUnauthorized {
		t.Fatalf("challenge token as a bearer token: %d", st)
	}
	if st, loc := v.postForm(t, "/login/code", url.Values{"code": {strings.ToUpper(codes[3])}}); st != http.StatusSeeOther || loc != "/inbox" {
		t.Fatalf("recovery code: %d %s", st, loc)
	}
	if n := e.auditCount(t, inbox.AuditRecoveryUsed, u.agent.ID); n != 1 {
		t.Errorf("recovery events: %d", n)
	}
	// The used challenge is gone: replaying its cookie gets the sign-in form.
	replay := e.anonymous(t)
	if st, body := replay.do(t, http.MethodPost, "/login/code", "application/x-www-form-urlencoded", "code="+codes[4],
		"Cookie", challengeCookie+"="+challenge); st != http.StatusUnauthorized || !strings.Contains(body, "sign in again") {
		t.Fatalf("a used challenge replayed: %d", st)
	}
	w := e.passwordStep(t, u.agent, "/login/code")
	if st, _ := w.postForm(t, "/login/code", url.Values{"code": {codes[3]}}); st != http.StatusUnauthorized {
		t.Fatalf("a spent recovery code: %d", st)
	}
	if st, _ := w.postForm(t, "/login/code", url.Values{"code": {codes[5]}}); st != http.StatusSeeOther {
		t.Fatalf("another recovery code: %d", st)
	}
}

func TestAChallengeExpiresAndTakesFewWrongCodes(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "cy", inbox.RoleAgent)
	secret, _ := u.enrol(t)
	e.advance(30 * time.Second)

	v := e.passwordStep(t, u.agent, "/login/code")
	e.advance(inbox.ChallengeTTL + time.Second)
	if st, body := v.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusUnauthorized || !strings.Contains(body, "sign in again") {
		t.Fatalf("the right code after the challenge expired: %d", st)
	}

	// Wrong codes from several addresses (so the address throttle does not answer first) use up
	// the challenge: then even the right code needs the password again.
	w := e.passwordStep(t, u.agent, "/login/code")
	for i := 0; i < inbox.ChallengeFailures; i++ {
		if st, _ := w.postForm(t, "/login/code", url.Values{"code": {e.wrongCode(t, secret)}}); st != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i+1, st)
		}
		e.advance(time.Minute) // past the throttle's delay
	}
	if st, body := w.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusUnauthorized || !strings.Contains(body, "sign in again") {
		t.Fatalf("the right code after %d wrong ones: %d", inbox.ChallengeFailures, st)
	}
	if st, _ := e.anonymous(t).get(t, "/login/code"); st != http.StatusSeeOther {
		t.Fatalf("code form without a challenge: %d", st)
	}
}

func TestTurningTwoFactorOffNeedsACodeOrThePassword(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	u := e.newUser(t, "dee", inbox.RoleAgent)
	secret, _ := u.enrol(t)
	if st, _ := u.postForm(t, "/settings/2fa/disable", url.Values{"proof": {"not-my-password"}}); st != http.StatusUnauthorized {
		t.Fatalf("disable with a wrong password: %d", st)
	}
	if st, _ := u.postForm(t, "/settings/2fa/disable", url.Values{"proof": {e.wrongCode(t, secret)}}); st != http.StatusUnauthorized {
		t.Fatalf("disable with a wrong code: %d", st)
	}
	if s, _ := e.store.TOTPStatus(context.Background(), u.agent.ID); !s.Enabled {
		t.Fatal("a wrong proof turned two-factor off")
	}
	if st, body := u.postForm(t, "/settings/2fa/disable", url.Values{"proof": {"correct-horse-battery"}}); st != http.StatusOK || !strings.Contains(body, "Two-factor sign-in is off.") {
		t.Fatalf("disable with the password: %d", st)
	}
	if n := e.auditCount(t, inbox.AuditTOTPDisabled, u.agent.ID); n != 1 {
		t.Errorf("disabled events: %d", n)
	}
	// With it off, the password alone signs in again.
	e.passwordStep(t, u.agent, "/inbox")
	// And a current code turns it off too.
	secret, _ = u.enrol(t)
	e.advance(30 * time.Second)
	if st, _ := u.postForm(t, "/settings/2fa/disable", url.Values{"proof": {e.totpCode(t, secret)}}); st != http.StatusOK {
		t.Fatalf("disable with a code: %d", st)
	}
}

func TestARoleRequirementSendsAgentsToEnrolmentFirst(t *testing.T) {
	t.Parallel()
	e := newUIEnv(t)
	admin := e.newUser(t, "root", inbox.RoleAdmin)
	ag := e.newUser(t, "eli", inbox.RoleAgent)
	if st, _ := ag.postForm(t, "/admin/security", url.Values{"require_agent": {"on"}}); st != http.StatusForbidden {
		t.Fatalf("an agent setting the policy: %d", st)
	}
	if st, _ := admin.postForm(t, "/admin/security", url.Values{"require_agent": {"on"}, "require_admin": {"yes"}}); st != http.StatusBadRequest {
		t.Fatalf("a bad value: %d", st)
	}
	if p, _ := e.store.TwoFactorPolicy(context.Background()); p[inbox.RoleAgent] {
		t.Fatal("a refused form changed the policy")
	}
	if st, loc := admin.postForm(t, "/admin/security", url.Values{"require_agent": {"on"}}); st != http.StatusSeeOther || loc != "/admin/security?saved=security" {
		t.Fatalf("save policy: %d %s", st, loc)
	}
	_, page := admin.get(t, "/admin/security?saved=security")
	mustContain(t, "security page", page, `name="require_agent" checked`, "Security settings saved.")
	if n := e.auditCount(t, inbox.AuditSettingsChanged, admin.agent.ID); n != 1 {
		t.Errorf("settings events: %d, want 1 (only the role that changed)", n)
	}
	// The agent without two-factor was signed out, and the admin (not required) was not.
	if st, _ := ag.get(t, "/inbox"); st != http.StatusSeeOther {
		t.Fatalf("agent's old session after the requirement: %d", st)
	}
	if st, _ := admin.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("admin's session: %d", st)
	}

	v := e.passwordStep(t, ag.agent, "/login/enrol")
	if st, _ := v.get(t, "/settings/2fa"); st != http.StatusSeeOther {
		t.Fatalf("settings before enrolment: %d", st)
	}
	st, page := v.get(t, "/login/enrol")
	if st != http.StatusOK {
		t.Fatalf("enrol page: %d", st)
	}
	mustContain(t, "enrol page", page, `src="data:image/png;base64,`)
	secret := secretOf(t, page)
	if st, _ := v.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusSeeOther {
		t.Fatalf("the code step with an enrol challenge: %d, want a redirect to enrolment", st)
	}
	if st, body := v.postForm(t, "/login/enrol", url.Values{"code": {e.wrongCode(t, secret)}}); st != http.StatusUnauthorized || secretOf(t, body) != secret {
		t.Fatalf("enrol with a wrong code: %d", st)
	}
	st, body := v.postForm(t, "/login/enrol", url.Values{"code": {e.totpCode(t, secret)}})
	if st != http.StatusOK || len(recoveryRE.FindAllString(body, -1)) != inbox.RecoveryCodes {
		t.Fatalf("enrol: %d %.300s", st, body)
	}
	if st, _ := v.get(t, "/inbox"); st != http.StatusOK {
		t.Fatalf("/inbox after enrolment: %d", st)
	}
	if st, _ := v.postForm(t, "/settings/2fa/disable", url.Values{"proof": {"correct-horse-battery"}}); st != http.StatusForbidden {
		t.Fatalf("turning off a required two-factor: %d", st)
	}
	// Next time: password, then code.
	e.advance(30 * time.Second)
	w := e.passwordStep(t, ag.agent, "/login/code")
	if st, _ := w.postForm(t, "/login/code", url.Values{"code": {e.totpCode(t, secret)}}); st != http.StatusSeeOther {
		t.Fatalf("code: %d", st)
	}
}
