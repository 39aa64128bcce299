// Package workflow moves conversations along once they are in the inbox: it routes them to a
// team and a priority, assigns agents, watches SLA targets, escalates breaches, auto-resolves
// idle pending conversations, collects satisfaction scores and delivers outbound messages.
//
// The work runs as River jobs, one job kind per file (route.go, assign.go, sla.go, ...),
// enqueued in the same transaction as the change that causes them. The rules that drive the
// jobs live here too: ordered routing rules and SLA policies with their business-hours
// calendars.
//
// Workers (river.go) is the one place workers are registered, each an unexported struct: the
// workflow's own, then the jobs the channels own (a mailbox poll, a Slack profile lookup),
// which each channel offers in its channels.Parts and cmd/parley adds with Config.AddChannel,
// with their senders (the deliver job's way out) and fetchers (fetch_attachment's). The
// package imports the channels contract, never a channel, nor web. Tests work single jobs
// with the registered worker through rivertest.
//
// NewClient keeps every job under River's rescue: jobs time out after channels.JobTimeout
// (20 s; River cancels their context) and a job still running channels.RescueAfter (30 s)
// after it began is taken for its dead process's and run again, so a process's jobs resume
// on another within about a minute of its death and a live job is never run twice. A worker
// whose Timeout is longer is refused; long work (the mailbox poll) runs in bounded runs that
// snooze themselves.
//
// SLA time arithmetic (business-hours calendars, clocks, the plan of a conversation's clocks)
// is pure and lives in package sla; this package stores the policies, the clocks, their
// pauses and breaches, and runs the jobs that fire at the instants sla computes.
//
// Workflow owns its tables (rule sets and rules, SLA policies, clocks, pauses and breaches,
// lifecycle settings, surveys) and reaches them through the pool it is constructed with. It
// reads and writes the inbox's tables (conversations, messages, agents, teams, the audit
// trail) only through inbox.Store's methods, joined to its own work in one transaction by the
// Tx methods; the SLA board, the compliance report and the SLA engine's
// load of a conversation's clocks (one round trip, slaload.go) alone read the inbox's tables in
// their own SQL, read-only, and say why.
package workflow
