package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/internal/filestore"
)

// Clock tells the time. Tests pass a clock they move; production passes time.Now.
type Clock func() time.Time

// Options configure a Store.
type Options struct {
	// Jobs enqueues the background work changes cause; nil enqueues nothing.
	Jobs Jobs
	// Clock stamps every change; nil means time.Now.
	Clock Clock
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// PhoneRegion is the region assumed for phone numbers without a country code.
	PhoneRegion string
	// MaxBatch caps how many concurrent ingests share one transaction (group commit); 0 means 128.
	MaxBatch int
	// SecretKey encrypts channel credentials at rest (PARLEY_SECRET_KEY).
	SecretKey string
	// Committers is how many group-commit transactions may be in flight at once; 0 means 1
	// (measured best on two cores: while one commits, the next batch gathers).
	Committers int
	// ReplyChecker may refuse an outbound reply for a channel's reason; nil refuses nothing.
	ReplyChecker ReplyChecker
	// Interceptor may claim a known customer's inbound message before threading (a survey
	// answer); nil claims nothing.
	Interceptor Interceptor
	// Router routes the conversations first-time senders start as the ingest writes them;
	// nil leaves every new conversation to the workflow's triage job.
	Router Router
	// Meter counts messages in and out and ingest batch sizes; nil counts nothing.
	Meter Meter
	// PasswordCost is the bcrypt cost of new password hashes (PARLEY_PASSWORD_COST); 0 means
	// bcrypt.DefaultCost. A hash keeps the cost it was made with, so changing it affects only
	// passwords set afterwards. Tests lower it: under the race detector one hash at the default
	// cost takes over a second.
	PasswordCost int
	// Files keeps the bytes of attachments and uploads (PARLEY_FILE_STORE); nil keeps them in
	// this database (filestore.Postgres on the store's pool).
	Files FileStore
	// MaxFileSize caps one file an agent sends or a customer's message brings
	// (PARLEY_MAX_FILE_SIZE); 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// MaxMessageFiles caps the files of one message together (PARLEY_MAX_MESSAGE_FILES); 0
	// means DefaultMaxMessageFiles.
	MaxMessageFiles int64
}

// Store is the inbox's database: every read and write of its tables goes through it.
type Store struct {
	pool   *pgxpool.Pool
	jobs   Jobs
	now    Clock
	log    *slog.Logger
	region string
	group  *group
	sealer *Sealer
	// checkReply is Options.ReplyChecker.
	checkReply ReplyChecker
	// intercept is Options.Interceptor.
	intercept Interceptor
	// router is Options.Router.
	router Router
	meter  Meter

	// dummyHash is a bcrypt hash compared against when an email is unknown, so that a failed
	// sign-in takes as long whether or not the email exists.
	dummyHash func() []byte
	// passwordCost is Options.PasswordCost, defaulted.
	passwordCost int
	// files, maxFile and maxMessage are Options.Files, MaxFileSize and MaxMessageFiles, defaulted.
	files FileStore
	// dropping lets one dropUploads run at a time in the process: it holds a connection
	// while the file store (the PostgreSQL one) takes another, so many at once could each hold
	// one and all wait for a second from an empty pool.
	dropping   sync.Mutex
	maxFile    int64
	maxMessage int64
}

// New returns a Store on pool.
func New(pool *pgxpool.Pool, opts Options) *Store {
	s := &Store{pool: pool, jobs: opts.Jobs, now: opts.Clock, log: opts.Logger, region: opts.PhoneRegion,
		intercept: opts.Interceptor, router: opts.Router, checkReply: opts.ReplyChecker, meter: opts.Meter, passwordCost: opts.PasswordCost}
	s.files, s.maxFile, s.maxMessage = opts.Files, opts.MaxFileSize, opts.MaxMessageFiles
	if s.files == nil {
		s.files = filestore.NewPostgres(pool)
	}
	if s.maxFile <= 0 {
		s.maxFile = DefaultMaxFileSize
	}
	if s.maxMessage <= 0 {
		s.maxMessage = DefaultMaxMessageFiles
	}
	if s.passwordCost == 0 {
		s.passwordCost = bcrypt.DefaultCost
	}
	if s.meter == nil {
		s.meter = noMeter{}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	s.group = newGroup(s, opts.MaxBatch, opts.Committers)
	s.sealer = NewSealer(opts.SecretKey)
	s.dummyHash = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("parley-dummy-password"), s.passwordCost)
		return h
	})
	return s
}

// Pool returns the store's connection pool. Only the channels still use it, for their own
// tables, until they are given a pool of their own: the workflow reads and writes the inbox's
// tables through the Store's methods (InTx and the Tx methods join them with its own tables in
// one transaction) and reaches its own tables through the pool it is constructed with.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.now() }

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise. A
// transaction that fails with a deadlock or a serialization failure (Retryable) is rolled back
// and run again, with jitter, a few times (see retryTx): fn may run more than once, so it must
// set, not accumulate, what it hands out of the transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if err := retryTx(ctx, func() error { return pgx.BeginFunc(ctx, s.pool, fn) }); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}
