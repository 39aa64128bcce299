package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// InteractionsPath is where Slack posts the clicks on the app's buttons for every connected
// workspace; set the app's Interactivity Request URL to PARLEY_PUBLIC_URL + InteractionsPath.
const InteractionsPath = "/webhooks/slack/interactions"

// The notes a clicking member gets through the click's response_url, seen by them alone: keys
// of the customer texts (custtext), in the Slack inbox's language with its overrides.
const (
	noteThanks  = "slack.thanks" // {score}
	noteClosed  = "slack.survey_closed"
	noteNotYour = "slack.not_yours"
)

// Interactions serves InteractionsPath for every Slack inbox: it verifies a click as Handler
// verifies an event (the signing secret of the inbox the payload names, the timestamp window,
// the body cap), records a survey score as the clicking member's answer in one transaction, and
// acknowledges everything else, such as the link buttons of alerts. It calls no Slack API in
// the request; a note to the member goes through a slack_respond job.
type Interactions struct {
	events  *Handler
	surveys channels.Surveys
	apiURL  string
}

// NewInteractions returns the interactivity handler. cfg.Surveys must be set; cfg.Jobs
// enqueues the notes to clicking members (nil sends none).
func NewInteractions(cfg HandlerConfig) *Interactions {
	return &Interactions{events: NewHandler(cfg), surveys: cfg.Surveys, apiURL: cfg.APIURL}
}

// ServeHTTP answers one interactivity request: 200 with an empty body once handled or
// deliberately ignored (Slack shows the member an error for anything else); 413 for an oversized
// body, 401 for a stale or forged request, 400 for a malformed payload, each with a JSON error
// and nothing stored; 500 when the database fails.
func (i *Interactions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := i.events
	body, err := ReadBody(r)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	acct, err := h.verify(r.Context(), r.Header, body, peekInteraction(body))
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	in, err := ParseInteraction(body)
	if err == nil {
		err = i.handle(r.Context(), acct, in)
	}
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handle acts on a verified interaction: the first survey button among its actions is an
// answer; anything else (an alert's "Open conversation" link, another interaction type) needs
// only the acknowledgement.
func (i *Interactions) handle(ctx context.Context, a account, in Interaction) error {
	if in.Type != InteractionBlockActions {
		i.events.log.Debug("slack: interaction ignored", "inbox", a.inbox.ID, "type", in.Type)
		return nil
	}
	for _, act := range in.Actions {
		if strings.HasPrefix(act.ActionID, SurveyActionPrefix) {
			return i.answer(ctx, a, in, act)
		}
	}
	i.events.log.Debug("slack: click acknowledged", "inbox", a.inbox.ID, "action", in.Actions[0].ActionID)
	return nil
}

// answer records a survey click as the score of the clicking member's contact, then queues the
// note that tells them what happened. A click by anyone but the surveyed customer, or on a
// survey that is gone, records nothing; nor does one on a closed survey.
func (i *Interactions) answer(ctx context.Context, a account, in Interaction, act Action) error {
	click, err := parseSurveyClick(act.ActionID, act.Value)
	if err != nil {
		return refuse(http.StatusBadRequest, ErrMalformed, err)
	}
	if i.surveys == nil {
		return errors.New("slack: survey click: no survey desk configured")
	}
	texts, err := i.events.store.InboxTexts(ctx, a.inbox.ID, "")
	if err != nil {
		return fmt.Errorf("slack: survey click: %w", err)
	}
	contact, err := i.events.store.ContactByIdentity(ctx, inbox.IdentitySlack, in.Address())
	if errors.Is(err, inbox.ErrNotFound) {
		return i.note(ctx, a, in, texts.Get(noteNotYour))
	}
	if err != nil {
		return fmt.Errorf("slack: survey click: %w", err)
	}
	err = i.surveys.AnswerSurvey(ctx, channels.SurveyAnswer{SurveyID: click.surveyID, ContactID: contact.ID,
		Score: click.score, Via: string(inbox.ChannelSlack)})
	switch {
	case err == nil:
		return i.note(ctx, a, in, texts.Get(noteThanks, "score", strconv.Itoa(click.score)))
	case errors.Is(err, channels.ErrSurveyExpired):
		return i.note(ctx, a, in, texts.Get(noteClosed))
	case errors.Is(err, inbox.ErrForbidden), errors.Is(err, inbox.ErrNotFound):
		i.events.log.Info("slack: survey click not counted", "inbox", a.inbox.ID, "survey", click.surveyID,
			"member", in.Address(), "err", err)
		return i.note(ctx, a, in, texts.Get(noteNotYour))
	case errors.Is(err, inbox.ErrInvalid):
		return refuse(http.StatusBadRequest, ErrMalformed, err)
	}
	return fmt.Errorf("slack: survey click: %w", err)
}

// note queues an ephemeral note to the clicking member through the click's response_url. A
// click without one, or with one that is not Slack's, gets no note.
func (i *Interactions) note(ctx context.Context, a account, in Interaction, text string) error {
	jobs := i.events.jobs
	if jobs == nil || in.ResponseURL == "" {
		return nil
	}
	if err := checkResponseURL(in.ResponseURL, i.apiURL); err != nil {
		i.events.log.Warn("slack: click not answered", "inbox", a.inbox.ID, "err", err)
		return nil
	}
	return i.events.store.InTx(ctx, func(tx pgx.Tx) error {
		return jobs.InsertTx(ctx, tx, RespondArgs{ResponseURL: in.ResponseURL, Text: text})
	})
}
