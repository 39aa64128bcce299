package slack

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/httperr"
)

// EventsPath is where Slack posts Events API requests for every connected workspace; set the
// app's Request URL to PARLEY_PUBLIC_URL + EventsPath.
const EventsPath = "/webhooks/slack/events"

// JobInserter inserts a River job in a transaction (channels.Jobs, workflow.Enqueuer, is one).
type JobInserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error
}

// HandlerConfig is what the events handler is built from.
type HandlerConfig struct {
	Store *inbox.Store
	// Jobs enqueues the profile lookup of a new Slack contact in the ingest's transaction.
	Jobs JobInserter
	// Clock checks request timestamps; nil means time.Now. slack-go also checks them against
	// the wall clock, so it must tell the real time.
	Clock  func() time.Time
	Logger *slog.Logger
	// Surveys records the scores clicked on survey buttons (workflow.Surveys); the interactions
	// handler needs it, the events handler does not.
	Surveys channels.Surveys
	// APIURL is PARLEY_SLACK_API_URL ("" for Slack itself): the interactions handler answers
	// clicks only through response_urls on Slack's host, or on this URL's host.
	APIURL string
}

// Handler serves EventsPath for every Slack inbox: it finds the inbox the request is for, checks
// Slack's signature with that inbox's signing secret, and turns customers' messages, edits and
// deletions into inbox changes, each in one transaction that also records the event id. It
// calls no Slack API, so it answers well within Slack's three seconds.
type Handler struct {
	store *inbox.Store
	jobs  JobInserter
	now   func() time.Time
	log   *slog.Logger
}

// NewHandler returns the events handler.
func NewHandler(cfg HandlerConfig) *Handler {
	h := &Handler{store: cfg.Store, jobs: cfg.Jobs, now: cfg.Clock, log: cfg.Logger}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h
}

// ServeHTTP answers one Events API request: 200 once handled (or deliberately ignored), with the
// challenge for url_verification; 413 for an oversized body, 401 for a stale or forged request
// or one for a workspace no inbox connects, 400 for a malformed payload, each with a JSON error
// and nothing stored; 500 when the database fails, so that Slack redelivers. A message to a
// disabled inbox is answered 200 and not stored.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := ReadBody(r)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	acct, err := h.verify(ctx, r.Header, body, peek(body))
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	ev, err := Parse(body, acct.settings.Self())
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	if ev.Kind == KindURLVerification {
		writeJSON(w, http.StatusOK, map[string]string{"challenge": ev.Challenge})
		return
	}
	if err := h.handle(ctx, acct, ev); err != nil {
		h.refuse(w, r, err)
		return
	}
	if retry := RetryOf(r.Header); retry.Num > 0 {
		h.log.Debug("slack: redelivery handled", "event", ev.EventID, "retry", retry.Num, "reason", retry.Reason)
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// handle applies one verified event.
func (h *Handler) handle(ctx context.Context, a account, ev Event) error {
	switch ev.Kind {
	case KindMessage:
		if a.inbox.Disabled() {
			h.log.Info("slack: message to a disabled inbox dropped", "inbox", a.inbox.ID, "event", ev.EventID)
			return nil
		}
		if why := skip(a, ev); why != "" {
			h.log.Debug("slack: message ignored", "inbox", a.inbox.ID, "event", ev.EventID, "why", why)
			return nil
		}
		return h.message(ctx, a, ev)
	case KindEdit, KindDelete:
		return h.change(ctx, a, ev)
	}
	h.log.Debug("slack: event ignored", "inbox", a.inbox.ID, "event", ev.EventID, "why", ev.Reason)
	return nil
}

// skip says why a message is not a customer's, or "" when it is: other bots' posts, and in a
// channel shared with other organizations, the posts of the workspace's own members (the
// support staff, speaking in Slack rather than through Parley).
func skip(a account, ev Event) string {
	switch {
	case ev.FromBot:
		return "posted by a bot"
	case ev.ExtShared && a.settings.TeamID != "" && ev.UserTeam == a.settings.TeamID:
		return "staff in a shared channel"
	}
	return ""
}

// verify finds the inbox whose signing secret signed the request. What the unverified body
// names (to) only picks which inboxes to try: the app's, its workspace's first; url_verification
// names neither, so every inbox is tried.
func (h *Handler) verify(ctx context.Context, hdr http.Header, body []byte, to addressee) (account, error) {
	accts, err := accounts(ctx, h.store)
	if err != nil {
		return account{}, err
	}
	cands := candidates(accts, to)
	if len(cands) == 0 {
		return account{}, refuse(http.StatusUnauthorized, ErrBadSignature, errors.New("no Slack inbox connects this app and workspace"))
	}
	var first error
	for _, a := range cands {
		err := VerifyBody(hdr, body, a.secrets.SigningSecret, h.now())
		if err == nil {
			return a, nil
		}
		if errors.Is(err, ErrStaleRequest) || errors.Is(err, ErrBodyTooLarge) {
			return account{}, err // the same for every secret
		}
		if first == nil {
			first = err
		}
	}
	return account{}, first
}

// addressee is what an unverified envelope says it is for.
type addressee struct {
	appID string
	teams []string
}

// peek reads the envelope's app and workspace ids without trusting them; a body that is not
// JSON names none.
func peek(body []byte) addressee {
	var env struct {
		TeamID         string `json:"team_id"`
		ContextTeamID  string `json:"context_team_id"`
		APIAppID       string `json:"api_app_id"`
		Authorizations []struct {
			TeamID string `json:"team_id"`
		} `json:"authorizations"`
	}
	if json.Unmarshal(body, &env) != nil {
		return addressee{}
	}
	to := addressee{appID: env.APIAppID}
	for _, t := range []string{env.TeamID, env.ContextTeamID} {
		if t != "" {
			to.teams = append(to.teams, t)
		}
	}
	for _, au := range env.Authorizations {
		if au.TeamID != "" {
			to.teams = append(to.teams, au.TeamID)
		}
	}
	return to
}

// candidates orders the inboxes to try: those of the named app (or all, when none is named),
// the named workspace's first.
func candidates(accts []account, to addressee) []account {
	var first, rest []account
	for _, a := range accts {
		team := slices.Contains(to.teams, a.settings.TeamID)
		switch {
		case to.appID != "" && a.settings.AppID != to.appID && !(a.settings.AppID == "" && team):
			continue
		case team:
			first = append(first, a)
		default:
			rest = append(rest, a)
		}
	}
	return append(first, rest...)
}

// refuse answers err: a *RequestError with its status, a validation error with 400, anything
// else with 500 (logged), so that Slack redelivers.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var re *RequestError
	var status int
	var code string
	switch {
	case errors.As(err, &re) && re.Status == http.StatusBadRequest:
		status, code = re.Status, "malformed"
	case errors.As(err, &re):
		status, code = re.Status, httperr.Code(re.Status)
	case errors.Is(err, inbox.ErrInvalid):
		status, code = http.StatusBadRequest, "invalid"
	default:
		h.log.Error("slack: request failed", "path", r.URL.Path, "err", err)
		httperr.Failed(w, err) // 503 with Retry-After while the database is down
		return
	}
	h.log.Info("slack: request refused", "path", r.URL.Path, "status", status, "err", err, "remote", r.RemoteAddr)
	httperr.Write(w, status, code, err.Error())
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a failed write means the client left; nothing to do
}
