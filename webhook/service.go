package webhook

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// Jobs inserts a River job on the caller's transaction (workflow.Enqueuer does): a redelivery's
// job commits with its row.
type Jobs interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error
}

// Metrics counts delivery attempts by result ("succeeded", "retrying", "failed", "refused",
// "skipped") with their duration; nil counts nothing.
type Metrics interface {
	ObserveWebhookDelivery(result string, d time.Duration)
}

// Config is what a Service is built from.
type Config struct {
	Pool  *pgxpool.Pool
	Store *inbox.Store
	// SecretKey seals the endpoints' secrets (PARLEY_SECRET_KEY); without it no endpoint can be
	// registered or called.
	SecretKey string
	Jobs      Jobs
	// AllowPrivate lets deliveries reach private, loopback and link-local addresses
	// (PARLEY_WEBHOOK_ALLOW_PRIVATE): for tests and receivers on the same network.
	AllowPrivate bool
	// Timeout bounds one attempt; 0 means 10 s.
	Timeout time.Duration
	Logger  *slog.Logger
	Clock   func() time.Time
	Metrics Metrics
}

// Service manages the endpoints and their delivery log, and sends the deliveries.
type Service struct {
	pool    *pgxpool.Pool
	store   *inbox.Store
	sealer  *inbox.Sealer
	jobs    Jobs
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	metrics Metrics
}

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Pool == nil || cfg.Store == nil || cfg.Jobs == nil {
		return nil, errors.New("webhook: Pool, Store and Jobs are required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Service{pool: cfg.Pool, store: cfg.Store, sealer: inbox.NewSealer(cfg.SecretKey), jobs: cfg.Jobs,
		client: newClient(cfg.Timeout, cfg.AllowPrivate), log: cfg.Logger, now: cfg.Clock, metrics: cfg.Metrics}, nil
}

// observe counts one attempt.
func (s *Service) observe(result string, d time.Duration) {
	if s.metrics != nil {
		s.metrics.ObserveWebhookDelivery(result, d)
	}
}
