package email

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// This file holds what the email channel tells admins is wrong (channels.Parts.Problems): the
// mail it skipped (email_failures) and the mailboxes it cannot read (email_poll_errors, written
// here after every poll).

// skippedShown is how many skipped emails the Problems page lists, newest first.
const skippedShown = 50

// skippedFor is how far back skipped emails are listed.
const skippedFor = 30 * 24 * time.Hour

// notePoll records how a poll of inboxID ended: a failure (not the end of the process, not a
// deleted inbox) upserts the inbox's row of email_poll_errors, marked auth_refused when the
// server refused the login; a success deletes it. A failure to record is logged: the poll's own
// outcome stands.
func (f *Fetcher) notePoll(ctx context.Context, inboxID int64, pollErr error) {
	if ctx.Err() != nil || errors.Is(pollErr, inbox.ErrNotFound) {
		return
	}
	var err error
	var refused *RefusedError
	if pollErr == nil || errors.As(pollErr, &refused) { // a refused refresh token shows from email_oauth_tokens
		_, err = f.store.Pool().Exec(ctx, `DELETE FROM email_poll_errors WHERE inbox_id = $1`, inboxID)
	} else {
		var ie *imapError
		auth := errors.As(pollErr, &ie) && ie.auth
		_, err = f.store.Pool().Exec(ctx, `INSERT INTO email_poll_errors (inbox_id, error, auth_refused, first_failed_at, last_failed_at)
			VALUES ($1, $2, $3, now(), now())
			ON CONFLICT (inbox_id) DO UPDATE SET error = EXCLUDED.error, auth_refused = EXCLUDED.auth_refused,
				failures = email_poll_errors.failures + 1, last_failed_at = EXCLUDED.last_failed_at`,
			inboxID, pollErr.Error(), auth)
	}
	if err != nil {
		f.log.Warn("email: could not note the poll's outcome", "inbox", inboxID, "err", err)
	}
}

// problems lists the email channel's problems: mailboxes whose last poll failed (a refused login
// as ProblemCredentials) and the emails skipped in the last 30 days. off says why the channel
// does not run at all ("" when it does).
// tokens, when set, lists the inboxes whose OAuth2 refresh token the provider refused.
func problems(ctx context.Context, store *inbox.Store, off string, tokens *oauthTokens) ([]channels.Problem, error) {
	list, err := store.Inboxes(ctx, inbox.ChannelEmail)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	names := make(map[int64]string, len(list))
	oauth := map[int64]bool{}
	for _, in := range list {
		names[in.ID] = in.Name
		var s Settings
		oauth[in.ID] = in.DecodeSettings(&s) == nil && s.OAuth != nil
	}
	var out []channels.Problem
	if off != "" {
		out = append(out, channels.Problem{Kind: channels.ProblemNotPolling, What: "No email inbox is read or sent from: " + off + ".",
			Do: "Set PARLEY_SECRET_KEY to the key the inboxes were added with and restart Parley."})
	}
	if tokens != nil {
		refused, err := tokens.problems(ctx, list)
		if err != nil {
			return nil, err
		}
		out = append(out, refused...)
	}
	polls, err := pollProblems(ctx, store, names, oauth)
	if err != nil {
		return nil, err
	}
	skipped, err := skippedProblems(ctx, store, names)
	if err != nil {
		return nil, err
	}
	return append(append(out, polls...), skipped...), nil
}

func pollProblems(ctx context.Context, store *inbox.Store, names map[int64]string, oauth map[int64]bool) ([]channels.Problem, error) {
	rows, err := store.Pool().Query(ctx, `SELECT inbox_id, error, auth_refused, failures, first_failed_at
		FROM email_poll_errors ORDER BY first_failed_at`)
	if err != nil {
		return nil, fmt.Errorf("email: problems: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (channels.Problem, error) {
		var id int64
		var failures int
		var auth bool
		p := channels.Problem{}
		if err := r.Scan(&id, &p.Detail, &auth, &failures, &p.Since); err != nil {
			return p, fmt.Errorf("email: problems: %w", err)
		}
		p.Inbox = inboxName(names, id)
		switch {
		case auth && oauth[id]:
			p.Kind = channels.ProblemCredentials
			p.What = "The mail server refused the OAuth2 sign-in of " + p.Inbox + ": no new mail is read."
			p.Do = "Check that the account may use IMAP and SMTP and that the app was granted mail access, then give the inbox a new refresh token."
		case auth:
			p.Kind = channels.ProblemCredentials
			p.What = "The mail server refused the user name or password of " + p.Inbox + ": no new mail is read."
			p.Do = "Check the IMAP user name and password (an app password if the provider asks for one), then add the inbox again with the right ones."
		default:
			p.Kind = channels.ProblemNotPolling
			p.What = fmt.Sprintf("The mailbox of %s could not be read (%d attempts in a row): new mail waits on the server.", p.Inbox, failures)
			p.Do = "Check that the IMAP server is reachable from Parley and its address and port are right; Parley keeps retrying every few minutes."
		}
		return p, nil
	})
}

func skippedProblems(ctx context.Context, store *inbox.Store, names map[int64]string) ([]channels.Problem, error) {
	rows, err := store.Pool().Query(ctx, `SELECT inbox_id, message_id, attempts, last_error, last_failed_at
		FROM email_failures WHERE skipped AND last_failed_at > now() - $1::interval
		ORDER BY last_failed_at DESC LIMIT $2`, skippedFor.String(), skippedShown)
	if err != nil {
		return nil, fmt.Errorf("email: problems: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (channels.Problem, error) {
		var id int64
		var msgID string
		var attempts int
		p := channels.Problem{Kind: channels.ProblemEmailSkipped}
		if err := r.Scan(&id, &msgID, &attempts, &p.Detail, &p.Since); err != nil {
			return p, fmt.Errorf("email: problems: %w", err)
		}
		p.Inbox = inboxName(names, id)
		which := "An email"
		if msgID != "" {
			which = "The email " + msgID
		}
		p.What = fmt.Sprintf("%s in %s could not be stored after %d attempt(s) and was skipped; it is still on the mail server, unread.",
			which, p.Inbox, attempts)
		p.Do = "Open it in the mailbox with a mail program and answer it from there, or forward it to the inbox's address as a new email."
		return p, nil
	})
}

func inboxName(names map[int64]string, id int64) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "inbox " + strconv.FormatInt(id, 10)
}
