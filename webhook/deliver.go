package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// Queue is the River queue deliveries run on, apart from the replies' so a slow receiver never
// delays a customer's answer.
const Queue = "webhooks"

// RetryWindow is how long a failing delivery is retried before it gives up and its endpoint is
// disabled.
const RetryWindow = 24 * time.Hour

// maxAttempts bounds the attempts; the backoff reaches RetryWindow well before it.
const maxAttempts = 30

// excerptBytes bounds the response body kept in the log.
const excerptBytes = 512

// DeliverArgs is the job that sends one delivery.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts puts deliveries on their own queue.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: maxAttempts}
}

// Backoff is the wait after a delivery's attempt-th failure: 30 s doubling, at most 3 hours.
func Backoff(attempt int) time.Duration {
	return min(30*time.Second<<min(max(attempt-1, 0), 20), 3*time.Hour)
}

// Worker returns the River worker that sends deliveries.
func (s *Service) Worker() river.Worker[DeliverArgs] { return &deliverWorker{s: s} }

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// NextRetry implements river.Worker.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return w.s.now().Add(Backoff(job.Attempt))
}

// Timeout lets one attempt run a little longer than the HTTP client's own limit.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.s.client.Timeout + 5*time.Second
}

// pending is a delivery about to be attempted.
type pending struct {
	id, endpointID int64
	eventType      string
	event          inbox.Event
	body           *string
	status         string
	createdAt      time.Time
	url            string
	secret         []byte
	disabled       bool
}

// Work sends the delivery once and records the outcome.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s := w.s
	d, err := s.load(ctx, job.Args.DeliveryID)
	if errors.Is(err, inbox.ErrNotFound) {
		return river.JobCancel(err) // the endpoint was deleted, and its log with it
	}
	if err != nil {
		return err
	}
	if d.status == StatusSucceeded || d.status == StatusFailed || d.status == StatusSkipped {
		return nil
	}
	if d.disabled {
		s.observe(StatusSkipped, 0)
		return s.finish(ctx, d, attempt{status: StatusSkipped, err: "the endpoint is disabled"}, false)
	}
	body, err := s.body(ctx, &d)
	if err != nil {
		return err
	}
	at := s.now()
	res := s.post(ctx, d, body, at)
	res.at = at
	var refused *refusedError
	switch {
	case res.ok():
		res.status = StatusSucceeded
	case errors.As(res.cause, &refused):
		res.status = StatusFailed // no retry makes a refused address public
	case job.Attempt >= job.MaxAttempts || at.Sub(d.createdAt) >= RetryWindow:
		res.status = StatusFailed
	default:
		res.status = StatusRetrying
	}
	result := res.status
	if refused != nil {
		result = "refused"
	}
	s.observe(result, res.duration)
	if err := s.finish(ctx, d, res, res.status == StatusFailed); err != nil {
		return err
	}
	switch res.status {
	case StatusRetrying:
		return fmt.Errorf("webhook: delivery %d: %s", d.id, res.err)
	case StatusFailed:
		return river.JobCancel(fmt.Errorf("webhook: delivery %d gave up: %s", d.id, res.err))
	}
	return nil
}

// load reads a delivery with its endpoint's address and opened secret.
func (s *Service) load(ctx context.Context, id int64) (pending, error) {
	var d pending
	var sealed, event []byte
	err := s.pool.QueryRow(ctx, `SELECT d.id, d.endpoint_id, d.event_type, d.event, d.body, d.status, d.created_at,
			e.url, e.secret_sealed, e.disabled_at IS NOT NULL
		FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`, id).
		Scan(&d.id, &d.endpointID, &d.eventType, &event, &d.body, &d.status, &d.createdAt, &d.url, &sealed, &d.disabled)
	if err != nil {
		return d, fmt.Errorf("webhook: delivery %d: %w", id, notFound(err))
	}
	if err := json.Unmarshal(event, &d.event); err != nil {
		return d, fmt.Errorf("webhook: delivery %d: event: %w", id, err)
	}
	if d.secret, err = s.sealer.Open(sealed); err != nil {
		return d, fmt.Errorf("webhook: delivery %d: secret: %w", id, err)
	}
	return d, nil
}

// Payload is the JSON body of every delivery: the event, and for message.created the message
// itself (its text, so an integration on the API channel gets the reply it must send).
type Payload struct {
	// ID is the delivery's id, the same on every retry and redelivery: a receiver drops repeats
	// by it.
	ID      string         `json:"id"`
	Type    string         `json:"type"`
	At      time.Time      `json:"at"`
	Event   inbox.Event    `json:"event"`
	Message *inbox.Message `json:"message,omitempty"`
}

// body returns the bytes the delivery sends, fixing them at the first attempt.
func (s *Service) body(ctx context.Context, d *pending) ([]byte, error) {
	if d.body != nil {
		return []byte(*d.body), nil
	}
	p := Payload{ID: strconv.FormatInt(d.id, 10), Type: d.eventType, At: d.event.At, Event: d.event}
	if d.eventType == inbox.EventMessageCreated && d.event.MessageID != 0 {
		m, err := s.store.GetMessage(ctx, d.event.MessageID)
		switch {
		case err == nil:
			p.Message = &m
		case !errors.Is(err, inbox.ErrNotFound):
			return nil, fmt.Errorf("webhook: delivery %d: %w", d.id, err)
		}
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("webhook: delivery %d: %w", d.id, err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET body = $2 WHERE id = $1 AND body IS NULL`, d.id, string(raw)); err != nil {
		return nil, fmt.Errorf("webhook: delivery %d: %w", d.id, err)
	}
	return raw, nil
}

// attempt is the outcome of one POST.
type attempt struct {
	status   string
	code     int
	excerpt  string
	err      string
	cause    error
	duration time.Duration
	at       time.Time
}

func (a attempt) ok() bool { return a.cause == nil && a.code >= 200 && a.code < 300 }

// post sends body to the endpoint, signed at at.
func (s *Service) post(ctx context.Context, d pending, body []byte, at time.Time) attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return attempt{err: err.Error(), cause: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Parley-Webhook/1")
	req.Header.Set(SignatureHeader, Sign(d.secret, at, body))
	req.Header.Set("X-Parley-Event", d.eventType)
	req.Header.Set("X-Parley-Delivery", strconv.FormatInt(d.id, 10))
	start := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		var refused *refusedError
		if errors.As(err, &refused) {
			return attempt{err: refused.Error(), cause: refused, duration: time.Since(start)}
		}
		return attempt{err: err.Error(), cause: err, duration: time.Since(start)}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, excerptBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	a := attempt{code: resp.StatusCode, excerpt: excerpt(head), duration: time.Since(start)}
	if !a.ok() {
		a.err = "the endpoint answered " + resp.Status
	}
	return a
}

// excerpt is b as valid UTF-8 without a cut rune at its end.
func excerpt(b []byte) string {
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// finish records an attempt in one transaction: the log row, and when the delivery gave up the
// endpoint disabled; for a message.created of the API channel, the message sent (or failed).
func (s *Service) finish(ctx context.Context, d pending, a attempt, gaveUp bool) error {
	return s.store.InTx(ctx, func(tx pgx.Tx) error {
		var dur *int
		if a.duration > 0 || a.code != 0 {
			ms := int(a.duration.Milliseconds())
			dur = &ms
		}
		var code *int
		if a.code != 0 {
			code = &a.code
		}
		var at *time.Time
		if !a.at.IsZero() {
			at = &a.at
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = $2, attempts = attempts + $3::int,
			response_code = $4, response_excerpt = $5, error = $6, duration_ms = $7, attempted_at = coalesce($8, attempted_at)
			WHERE id = $1`, d.id, a.status, boolInt(at != nil), code, a.excerpt, a.err, dur, at); err != nil {
			return fmt.Errorf("webhook: record delivery %d: %w", d.id, err)
		}
		if gaveUp {
			if _, err := tx.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3
				WHERE id = $1 AND disabled_at IS NULL`, d.endpointID, s.now(), "delivery "+strconv.FormatInt(d.id, 10)+" failed for good: "+a.err); err != nil {
				return fmt.Errorf("webhook: disable endpoint %d: %w", d.endpointID, err)
			}
		}
		return s.settleReplyTx(ctx, tx, d, a)
	})
}

// settleReplyTx marks an API channel reply sent when its message.created delivery succeeded, or
// failed when it failed for good while the reply was still unsent.
func (s *Service) settleReplyTx(ctx context.Context, tx pgx.Tx, d pending, a attempt) error {
	ev := d.event
	if ev.Type != inbox.EventMessageCreated || ev.Channel != inbox.ChannelAPI || ev.Direction != inbox.DirectionOutbound {
		return nil
	}
	u := inbox.DeliveryUpdate{MessageID: ev.MessageID}
	switch a.status {
	case StatusSucceeded:
		u.Status = inbox.DeliverySent
	case StatusFailed:
		// Failed only when no endpoint took it: one receiver is enough for the reply to be sent.
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE message_id = $1 AND status = 'succeeded')`,
			ev.MessageID).Scan(&taken); err != nil {
			return fmt.Errorf("webhook: reply %d: %w", ev.MessageID, err)
		}
		if taken {
			return nil
		}
		u.Status, u.Error = inbox.DeliveryFailed, "the webhook delivery to the integration failed: "+a.err
	default:
		return nil
	}
	if _, err := s.store.UpdateDeliveryTx(ctx, tx, u); err != nil && !errors.Is(err, inbox.ErrNotFound) {
		return fmt.Errorf("webhook: reply %d: %w", ev.MessageID, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
