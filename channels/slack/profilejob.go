package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// ProfileArgs is the job that looks up a new Slack contact's profile (users.info) and
// completes the contact with it: the events handler enqueues it in the transaction that created
// the contact, because the Events API must be answered within three seconds and Slack's API is
// never called inside that request.
type ProfileArgs struct {
	ContactID int64  `json:"contact_id"`
	InboxID   int64  `json:"inbox_id"` // the Slack inbox whose bot token looks the member up
	UserID    string `json:"user_id"`  // the member, "U..."
}

// Kind implements river.JobArgs.
func (ProfileArgs) Kind() string { return "slack_profile" }

// InsertOpts makes one lookup per contact and member at a time.
func (ProfileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: channels.QueueDefault, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// profileWorker runs ProfileArgs jobs.
type profileWorker struct {
	river.WorkerDefaults[ProfileArgs]
	store    *inbox.Store
	profiles *Profiles
	log      *slog.Logger
}

// Work completes the contact: its name when it has none; and the email Slack reports, which
// merges the Slack contact into the customer already known by that email (one timeline across
// channels) when that customer's email is verified, or else is attached as a claimed identity.
// An email only claimed by another contact (typed into a form) merges nothing: a Slack member
// does not join a stranger's timeline on an unproven claim. Slack's errors take the verdict of
// channels.Verdict.
func (w *profileWorker) Work(ctx context.Context, job *river.Job[ProfileArgs]) error {
	p, err := w.profiles.SlackProfile(ctx, job.Args.InboxID, job.Args.UserID)
	if err != nil {
		return channels.Verdict(fmt.Errorf("slack: profile job: %w", err))
	}
	contact, err := w.store.GetContact(ctx, job.Args.ContactID) // follows earlier merges
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
	return w.store.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := w.store.CompleteContactTx(ctx, tx, contact.ID, inbox.ContactProfile{Name: name, Also: also}); err != nil {
			return err
		}
		if keep == 0 {
			return nil
		}
		return w.store.MergeTx(ctx, tx, keep, contact.ID, inbox.Actor{})
	})
}

// placeEmail decides what a reported email does: the contact to merge into, or the identity to
// attach, or neither.
func (w *profileWorker) placeEmail(ctx context.Context, contact inbox.Contact, email string) (int64, []inbox.Identity, error) {
	if email == "" {
		return 0, nil, nil
	}
	addr, err := inbox.NormalizeIdentity(inbox.IdentityEmail, email, "")
	if err != nil {
		w.log.Warn("slack profile: unusable email", "contact", contact.ID, "err", err)
		return 0, nil, nil
	}
	owner, err := w.store.ContactByIdentity(ctx, inbox.IdentityEmail, addr)
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
	w.log.Info("slack profile: email only claimed by another contact; not merged",
		"contact", contact.ID, "other", owner.ID)
	return 0, nil, nil
}
