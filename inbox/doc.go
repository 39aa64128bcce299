// Package inbox is Parley's domain: contacts and their identities, conversations, messages,
// attachments, threading, agents, teams, the connected channel accounts (inboxes) and the
// actions agents take (reply, note, assign, status, priority, tags, merge).
//
// It owns its SQL and knows no provider and no HTTP. Every state change commits in one
// transaction together with the background jobs it causes (through the Jobs interface the caller
// passes in) and the change events it announces (pg_notify on the "parley_events" channel; see
// Feed). Channels normalize what arrives into an Inbound and call Store.Ingest.
//
// Errors: ErrNotFound, ErrInvalid (wrapped in a *ValidationError that names the field),
// ErrConflict and ErrForbidden; callers test them with errors.Is.
package inbox
