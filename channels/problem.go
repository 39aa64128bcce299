package channels

import (
	"context"
	"time"
)

// ProblemKind names what kind of trouble a Problem is.
type ProblemKind string

// The kinds of problems the Problems page groups.
const (
	// ProblemEmailSkipped is an inbound email that could not be stored and was skipped.
	ProblemEmailSkipped ProblemKind = "email_skipped"
	// ProblemNotPolling is a mailbox that is not being read.
	ProblemNotPolling ProblemKind = "not_polling"
	// ProblemCredentials is a provider that refused an inbox's credentials.
	ProblemCredentials ProblemKind = "credentials_refused"
	// ProblemWebhookDisabled is an outgoing webhook endpoint disabled after failing for long.
	ProblemWebhookDisabled ProblemKind = "webhook_disabled"
)

// Problem is something wrong that an admin must act on, in plain words: what happened, the
// error as the server or provider gave it, and what to do about it.
type Problem struct {
	Kind ProblemKind
	// Inbox names the inbox (or endpoint) concerned; empty when none does.
	Inbox string
	// Since is when it began (or, for one event, when it happened).
	Since time.Time
	What  string
	// Detail is the error as it was received, for the curious and for support.
	Detail string
	Do     string
}

// ProblemSource lists the problems one part of the server knows of (a channel's Parts.Problems,
// outgoing webhooks'); the Problems page asks every source on each view.
type ProblemSource func(ctx context.Context) ([]Problem, error)
