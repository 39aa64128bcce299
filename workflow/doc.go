// Package workflow moves conversations along once they are in the inbox: it routes them to a
// team and a priority, assigns agents, watches SLA targets, escalates breaches, auto-resolves
// idle pending conversations, collects satisfaction scores and delivers outbound messages.
//
// The work runs as River jobs, one job kind per file (route.go, assign.go, sla.go, ...),
// enqueued in the same transaction as the change that causes them. The rules that drive the
// jobs live here too: ordered routing rules and SLA policies with their business-hours
// calendars.
//
// SLA arithmetic is pure and needs no database: a Calendar says when a team is open (weekly
// shifts in its own time zone, minus holidays) and measures business time across weekends,
// holidays and daylight-saving changes; an SLAClock applies a Calendar to one target of one
// conversation, stopping while the conversation waits on the customer, and yields the due
// instant, the warning instant and the time elapsed and remaining. Every instant is passed
// in; nothing here reads the wall clock.
//
// Workflow owns its tables (rule sets and rules, SLA policies, clocks, pauses and breaches,
// lifecycle settings, surveys) and reaches them through the pool it is constructed with. It
// reads and writes the inbox's tables (conversations, messages, agents, teams, the audit
// trail) only through inbox.Store's methods, joined to its own work in one transaction by the
// Tx methods; the SLA board and the compliance report alone read conversations in their own
// SQL, read-only, and say why.
package workflow
