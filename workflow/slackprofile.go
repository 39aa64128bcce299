package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// SlackProfileArgs is the job that looks up a new Slack contact's profile (users.info) and
// completes the contact with it: the Slack channel enqueues it in the transaction that created
// the contact, because the Events API must be answered within three seconds and Slack's API is
// never called inside that request.
type SlackProfileArgs struct {
	ContactID int64  `json:"contact_id"`
	InboxID   int64  `json:"inbox_id"` // the Slack inbox whose bot token looks the member up
	UserID    string `json:"user_id"`  // the member, "U..."
}

// Kind implements river.JobArgs.
func (SlackProfileArgs) Kind() string { return "slack_profile" }

// InsertOpts makes one lookup per contact and member at a time.
func (SlackProfileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueDefault, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SlackProfile is what Slack tells of a member.
type SlackProfile struct {
	Name     string // the handle, "ada"
	RealName string // "Ada Lovelace"
	Email    string // empty unless the app may read emails
}

// SlackProfiles looks up Slack members with an inbox's bot token; the Slack channel implements
// it. An error whose Temporary method reports false is permanent (an unknown member, a revoked
// token): the job gives up. One whose RetryAfter method reports a positive duration (a rate
// limit) is tried again after it; any other error is retried with backoff.
type SlackProfiles interface {
	SlackProfile(ctx context.Context, inboxID int64, userID string) (SlackProfile, error)
}

// slackProfileWorker runs SlackProfileArgs jobs.
type slackProfileWorker struct {
	river.WorkerDefaults[SlackProfileArgs]
	Store    *inbox.Store
	Profiles SlackProfiles
	Log      *slog.Logger
}

// maxProviderWait caps how long a job waits on a provider's Retry-After.
const maxProviderWait = time.Hour

// Work completes the contact: its name when it has none; and the email Slack reports, which
// merges the Slack contact into the customer already known by that email (one timeline across
// channels) when that customer's email is verified, or else is attached as a claimed identity.
// An email only claimed by another contact (typed into a form) merges nothing: a Slack member
// does not join a stranger's timeline on an unproven claim.
func (w *slackProfileWorker) Work(ctx context.Context, job *river.Job[SlackProfileArgs]) error {
	if w.Profiles == nil {
		return river.JobCancel(errors.New("workflow: slack profile: no Slack channel on this server"))
	}
	p, err := w.Profiles.SlackProfile(ctx, job.Args.InboxID, job.Args.UserID)
	if err != nil {
		return providerRetry(fmt.Errorf("workflow: slack profile: %w", err))
	}
	contact, err := w.Store.GetContact(ctx, job.Args.ContactID) // follows earlier merges
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	name := p.RealName
	if name == "" {
		name = p.Name
	}
	keep, also, err := w.placeEmail(ctx, contact, p.Email)
	if err != nil {
		return err
	}
	return w.Store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := w.Store.CompleteContactTx(ctx, tx, contact.ID, inbox.ContactProfile{Name: name, Also: also}); err != nil {
			return err
		}
		if keep == 0 {
			return nil
		}
		return w.Store.MergeTx(ctx, tx, keep, contact.ID, inbox.Actor{})
	})
}

// placeEmail decides what a reported email does: the contact to merge into, or the identity to
// attach, or neither.
func (w *slackProfileWorker) placeEmail(ctx context.Context, contact inbox.Contact, email string) (int64, []inbox.Identity, error) {
	if email == "" {
		return 0, nil, nil
	}
	addr, err := inbox.NormalizeIdentity(inbox.IdentityEmail, email, "")
	if err != nil {
		w.log().Warn("slack profile: unusable email", "contact", contact.ID, "err", err)
		return 0, nil, nil
	}
	owner, err := w.Store.ContactByIdentity(ctx, inbox.IdentityEmail, addr)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		return 0, []inbox.Identity{{Kind: inbox.IdentityEmail, Address: addr}}, nil
	case err != nil:
		return 0, nil, err
	case owner.ID == contact.ID:
		return 0, nil, nil
	}
	for _, id := range owner.Identities {
		if id.Kind == inbox.IdentityEmail && id.Address == addr && id.Verified {
			return owner.ID, nil, nil
		}
	}
	w.log().Info("slack profile: email only claimed by another contact; not merged",
		"contact", contact.ID, "other", owner.ID)
	return 0, nil, nil
}

func (w *slackProfileWorker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// providerRetry turns a provider's error into River's verdict: a permanent error cancels the
// job, a rate limit snoozes it for the time asked (capped at maxProviderWait; a snooze does not
// use up an attempt), anything else is retried with backoff.
func providerRetry(err error) error {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && !t.Temporary() {
		return river.JobCancel(err)
	}
	var wait interface{ RetryAfter() time.Duration }
	if errors.As(err, &wait) && wait.RetryAfter() > 0 {
		return river.JobSnooze(min(wait.RetryAfter(), maxProviderWait))
	}
	return err
}
