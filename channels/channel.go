package channels

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/pgrelay"
)

// Channel is one channel as cmd/parley knows it: its kind, its part of `parley inbox add`, and
// how it joins a server process. Building one does nothing; Open and AddInbox do the work.
type Channel interface {
	// Kind is the inbox.Channel of its inboxes and messages, and the KIND of `parley inbox add
	// KIND`.
	Kind() inbox.Channel
	// AddInbox is `parley inbox add KIND`: it parses args (the flags after the kind), checks
	// them, and returns the inbox to create. It connects to the database only through
	// env.Open, after its flags parsed, so that -h needs no database; it may print to
	// env.Stdout what the operator sees once (a secret), before cmd prints the new inbox's id.
	// Bad flags are errors naming the verb ("inbox add sms: ...").
	AddInbox(ctx context.Context, env SetupEnv, args []string) (inbox.NewInbox, error)
	// Open readies the channel for a server process and returns what it contributes. Work it
	// runs in the background (a socket hub, a LISTEN relay) ends when ctx ends. A channel
	// that cannot run with env (no secret key to open its credentials, no public URL to check
	// signatures) logs why and returns the Parts it can, with at least its Workers, so that
	// its queued jobs end cleanly instead of waiting for a worker.
	Open(ctx context.Context, env Env) (Parts, error)
}

// Parts is what an open channel contributes to a server process. Every field is optional.
type Parts struct {
	// Routes are its HTTP handlers (webhooks, a widget and its socket), mounted by web.
	Routes []Route
	// Sender sends its replies (workflow's deliver job); nil fails them ("no KIND channel is
	// configured on this server").
	Sender Sender
	// Fetcher fetches the files its customers sent (workflow's fetch_attachment job); nil
	// cancels those jobs.
	Fetcher AttachmentFetcher
	// Alerter posts SLA alerts to staff; nil posts none (the audit trail and the live events
	// keep them). A server takes the first channel's that has one.
	Alerter Alerter
	// Workers are the River workers of the jobs the channel owns.
	Workers []Worker
	// PeriodicJobs are its scheduled jobs (a prune, a sweep).
	PeriodicJobs []*river.PeriodicJob
	// Queues are the River queues its jobs need besides QueueDefault and QueueDeliver.
	Queues []Queue
	// Problems lists what is wrong with its inboxes that an admin must fix (the Problems page).
	Problems ProblemSource
	// Admin is its part of the web admin's inbox pages (add, edit, test a connection); nil
	// leaves its inboxes read-only there.
	Admin InboxAdmin
}

// Queue is a River queue a channel's jobs run in.
type Queue struct {
	Name       string
	MaxWorkers int
}

// How long a job may run, and when River takes a running job for stuck. River has no
// heartbeat: its rescuer (run by the leader every 30 s) retries a job still "running"
// RescueAfter after its attempt began and past its own timeout, whether or not its process is
// alive. So every job's timeout (River cancels its context then) stays under RescueAfter, and
// a live job is never rescued: a job of a dead process runs again within about a minute
// (RescueAfter, then the rescuer's and the scheduler's ticks), and long work (a mailbox's
// IMAP IDLE) is cut into runs of at most JobTimeout that reschedule themselves. A server
// refuses a worker whose Timeout exceeds JobTimeout.
const (
	JobTimeout  = 20 * time.Second
	RescueAfter = 30 * time.Second
)

// Route is an HTTP handler a channel wants mounted.
type Route struct {
	Pattern string // a ServeMux pattern, "POST /webhooks/twilio/sms"
	Handler http.Handler
}

// Env is what cmd/parley gives every channel of a server process.
type Env struct {
	// Store is the inbox, where messages go in and come from.
	Store *inbox.Store
	// Meter counts what the channel does (open sockets); nil counts nothing.
	Meter Meter
	// Pool is the database, for the channel's own tables.
	Pool *pgxpool.Pool
	// Events are the inbox's change events of every parley process (inbox.Feed).
	Events EventSource
	// Relay is the process's one LISTEN connection, for the notification channels a channel
	// listens on besides the change events (the chat hears the agents' typing on it).
	Relay *pgrelay.Relay
	// Jobs inserts the channel's jobs (workflow.Enqueuer).
	Jobs Jobs
	// Surveys records the satisfaction answers the channel collects (workflow.Surveys).
	Surveys Surveys
	// Logger is the process's; a channel adds "channel" = its kind.
	Logger *slog.Logger
	// PublicURL is where providers and browsers reach this server (PARLEY_PUBLIC_URL), without
	// a trailing slash.
	PublicURL string
	// SecretKey seals and opens channel secrets at rest (PARLEY_SECRET_KEY); empty when unset.
	SecretKey string
	// TwilioAPIURL and SlackAPIURL point the providers' clients elsewhere
	// (PARLEY_TWILIO_API_URL, PARLEY_SLACK_API_URL); empty means the providers themselves.
	TwilioAPIURL string
	SlackAPIURL  string
	// SMTPRelay, when set (an smtp:// URL: the sandbox's sink), takes every email reply in place
	// of its inbox's SMTP server; the inbox's login is not sent to it.
	SMTPRelay string
	// IMAPRelay, when set (an imap:// URL on loopback: the sandbox's), is read in place of every
	// email inbox's IMAP server, with the inbox's user name and mailbox but not its password.
	IMAPRelay string
}

// SetupEnv is what `parley inbox add KIND` gives a channel.
type SetupEnv struct {
	Stdin  io.Reader // secrets kept off the command line
	Stdout io.Writer // what the operator must see once
	Stderr io.Writer // usage and flag errors
	// Open connects to the database and reads the configuration; cmd closes what it opened.
	Open func(ctx context.Context) (Setup, error)
}

// Setup is the database and configuration an inbox's setup may need.
type Setup struct {
	Store        *inbox.Store
	SecretKey    string // PARLEY_SECRET_KEY, empty when unset
	TwilioAPIURL string // PARLEY_TWILIO_API_URL
	SlackAPIURL  string // PARLEY_SLACK_API_URL
}

// FlagSet returns a flag set for `parley NAME` that prints its synopsis and flags to
// env.Stderr, as every parley verb does.
func (env SetupEnv) FlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: parley %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// EventSource delivers the inbox's change events (inbox.Feed).
type EventSource interface {
	Subscribe(fn func(inbox.Event)) (cancel func())
}

// Jobs inserts River jobs for a channel (workflow.Enqueuer implements it).
type Jobs interface {
	// InsertTx inserts a job on tx: it exists exactly when the change made on tx commits.
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error
	// Insert inserts a job at once, with opts (a ScheduledAt) when not nil.
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Log returns the logger of channel kind: env.Logger (discarding when nil) with "channel" set.
func (env Env) Log(kind inbox.Channel) *slog.Logger {
	log := env.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return log.With("channel", string(kind))
}

// TeamID returns the id of the team named name (0 for no name): the --team of `parley inbox
// add`. An unknown team is inbox.ErrNotFound.
func (s Setup) TeamID(ctx context.Context, name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	t, err := s.Store.TeamByName(ctx, name)
	if err != nil {
		return 0, err
	}
	return t.ID, nil
}
