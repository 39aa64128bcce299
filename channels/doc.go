// Package channels is the contract between Parley and its channels: what a channel (email,
// SMS, website chat, Slack; one subpackage each) offers a server process and what it is given.
// It is declared once, here, and imported by both sides: the channels implement it, cmd/parley
// wires them, workflow and web consume what they offer. It holds no logic beyond a few
// helpers and imports none of the channels, nor workflow, nor web.
//
// # How a channel plugs in
//
// A channel package exports a type implementing [Channel], built by NewChannel:
//
//	func NewChannel() *Channel
//
// cmd/parley keeps one list of them (its channelList) and, for `parley serve`, opens each one
// in a loop with the same [Env] (the store, the pool, the event feed, a job inserter, the
// survey desk, the logger and the configuration). [Channel.Open] returns the channel's
// [Parts]: its HTTP routes (web mounts them), its [Sender] of replies, its
// [AttachmentFetcher] and [Alerter] when it has them, and the River workers, periodic jobs
// and queues of the jobs it owns (workflow's River client runs them beside its own). For
// `parley inbox add KIND`, [Channel.AddInbox] parses the kind's flags and returns the inbox to
// create. Adding a channel is therefore its own package, one line in cmd/parley's list, and
// (because the database checks the kinds it stores) a migration and an inbox.Channel constant.
//
// # What a channel is given, what it gives back
//
// A channel turns a provider's input into inbox.Inbound for inbox.Store.Ingest, and enqueues
// its own follow-up work (a profile lookup, a file to fetch) with [Jobs] on the ingest's
// transaction. It owns its tables' SQL (slack_events, email_mailbox_state, chat_visitors, ...)
// and its jobs (their args, workers and schedules), offered in [Parts]: a [Worker] wraps a
// River worker (NewWorker) so that any job kind fits one list, and [Find] gives a test the
// very worker a server registers. Job kinds and args never change once released: queued jobs
// must still run. Outbound
// messages come back through its [Sender], called by workflow's deliver job with an
// [Outgoing]; files a customer sent come through its [AttachmentFetcher], called by
// workflow's fetch_attachment job ([FetchAttachmentArgs], which the channel enqueues).
//
// # Errors
//
// A channel's errors tell the job that called it what to do, by two optional methods: an
// error whose Temporary method reports false is permanent (the job gives up at once: a
// delivery is marked failed with the error's text); one whose RetryAfter method reports a
// positive duration is tried again after it (a provider's rate limit); any other error is
// retried with backoff. [Verdict] applies this convention for a job.
package channels
