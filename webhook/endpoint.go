package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// Endpoint is a registered receiver of events. Its secret is never read back.
type Endpoint struct {
	ID          int64    `json:"id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	// Enabled is false once disabled_at is set, by an admin or after a delivery gave up.
	Enabled        bool       `json:"enabled"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// EndpointInput is what registers or changes an endpoint. In a change, a nil field is left
// as it is; a new endpoint needs URL and Events, and gets a random secret when Secret is nil.
type EndpointInput struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Secret      *string   `json:"secret"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

// Limits of an endpoint's fields.
const (
	maxURL         = 2000
	minSecret      = 16
	maxSecret      = 200
	maxDescription = 200
)

// endpointColumns are the columns scanEndpoint reads, in order.
const endpointColumns = `id, url, events, description, disabled_at, disabled_reason, created_at, updated_at`

func scanEndpoint(row pgx.Row) (Endpoint, error) {
	var e Endpoint
	err := row.Scan(&e.ID, &e.URL, &e.Events, &e.Description, &e.DisabledAt, &e.DisabledReason, &e.CreatedAt, &e.UpdatedAt)
	e.Enabled = e.DisabledAt == nil
	return e, err
}

// Endpoints lists every endpoint, oldest first.
func (s *Service) Endpoints(ctx context.Context) ([]Endpoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("webhook: endpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Endpoint, error) { return scanEndpoint(r) })
	if err != nil {
		return nil, fmt.Errorf("webhook: endpoints: %w", err)
	}
	return out, nil
}

// Endpoint returns the endpoint of id, or inbox.ErrNotFound.
func (s *Service) Endpoint(ctx context.Context, id int64) (Endpoint, error) {
	e, err := scanEndpoint(s.pool.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id))
	if err != nil {
		return Endpoint{}, fmt.Errorf("webhook: endpoint %d: %w", id, notFound(err))
	}
	return e, nil
}

// Create registers an endpoint, audited as by. It returns the endpoint and its secret, which is
// shown this once (a generated one when in.Secret is nil).
func (s *Service) Create(ctx context.Context, by inbox.AuditActor, in EndpointInput) (Endpoint, string, error) {
	if in.URL == nil || in.Events == nil {
		return Endpoint{}, "", &inbox.ValidationError{Field: "url", Reason: "url and events are required"}
	}
	secret := ""
	if in.Secret != nil {
		secret = *in.Secret
	} else {
		raw := make([]byte, 24)
		_, _ = rand.Read(raw) // crypto/rand never fails
		secret = "whsec_" + hex.EncodeToString(raw)
		in.Secret = &secret
	}
	if err := in.check(); err != nil {
		return Endpoint{}, "", err
	}
	sealed, err := s.sealer.Seal([]byte(secret))
	if err != nil {
		return Endpoint{}, "", fmt.Errorf("webhook: create: %w", err)
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	var e Endpoint
	now := s.now()
	err = s.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		e, err = scanEndpoint(tx.QueryRow(ctx, `INSERT INTO webhook_endpoints
			(url, events, secret_sealed, description, created_at, updated_at, disabled_at, disabled_reason)
			VALUES ($1, $2, $3, $4, $5, $5, CASE WHEN $6 THEN NULL ELSE $5::timestamptz END, CASE WHEN $6 THEN '' ELSE 'disabled by an admin' END)
			RETURNING `+endpointColumns, *in.URL, *in.Events, sealed, desc, now, in.Enabled == nil || *in.Enabled))
		return by.Record(inbox.AuditWebhookChanged, inbox.AuditTarget("webhook", e.ID),
			map[string]any{"action": "created", "url": e.URL, "events": e.Events}), err
	})
	if err != nil {
		return Endpoint{}, "", fmt.Errorf("webhook: create: %w", err)
	}
	return e, secret, nil
}

// Update changes the fields in sets, audited as by. Enabling clears disabled_at; disabling sets
// it with the reason "disabled by an admin". It returns inbox.ErrNotFound for an unknown id.
func (s *Service) Update(ctx context.Context, by inbox.AuditActor, id int64, in EndpointInput) (Endpoint, error) {
	if err := in.check(); err != nil {
		return Endpoint{}, err
	}
	var sealed []byte
	if in.Secret != nil {
		var err error
		if sealed, err = s.sealer.Seal([]byte(*in.Secret)); err != nil {
			return Endpoint{}, fmt.Errorf("webhook: update: %w", err)
		}
	}
	var e Endpoint
	err := s.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var err error
		e, err = scanEndpoint(tx.QueryRow(ctx, `UPDATE webhook_endpoints SET
			url = coalesce($2, url), events = coalesce($3, events), secret_sealed = coalesce($4, secret_sealed),
			description = coalesce($5, description), updated_at = $6,
			disabled_at = CASE WHEN $7::boolean IS NULL THEN disabled_at WHEN $7 THEN NULL ELSE coalesce(disabled_at, $6) END,
			disabled_reason = CASE WHEN $7::boolean IS NULL THEN disabled_reason WHEN $7 THEN ''
				WHEN disabled_at IS NULL THEN 'disabled by an admin' ELSE disabled_reason END
			WHERE id = $1 RETURNING `+endpointColumns, id, in.URL, in.Events, sealed, in.Description, s.now(), in.Enabled))
		return by.Record(inbox.AuditWebhookChanged, inbox.AuditTarget("webhook", id), in.changes()), notFound(err)
	})
	if err != nil {
		return Endpoint{}, fmt.Errorf("webhook: update %d: %w", id, err)
	}
	return e, nil
}

// Delete removes an endpoint and its delivery log, audited as by; its pending deliveries find
// nothing to send. It returns inbox.ErrNotFound for an unknown id.
func (s *Service) Delete(ctx context.Context, by inbox.AuditActor, id int64) error {
	err := s.store.Audited(ctx, func(tx pgx.Tx) (inbox.AuditRecord, error) {
		var url string
		err := tx.QueryRow(ctx, `DELETE FROM webhook_endpoints WHERE id = $1 RETURNING url`, id).Scan(&url)
		return by.Record(inbox.AuditWebhookChanged, inbox.AuditTarget("webhook", id),
			map[string]any{"action": "deleted", "url": url}), notFound(err)
	})
	if err != nil {
		return fmt.Errorf("webhook: delete %d: %w", id, err)
	}
	return nil
}

// check validates the fields that are set.
func (in EndpointInput) check() error {
	if in.URL != nil {
		if err := checkURL(*in.URL); err != nil {
			return err
		}
	}
	if in.Events != nil {
		if len(*in.Events) == 0 {
			return &inbox.ValidationError{Field: "events", Reason: "name at least one event"}
		}
		known := EventTypes()
		for _, ev := range *in.Events {
			if !slices.Contains(known, ev) {
				return &inbox.ValidationError{Field: "events", Reason: fmt.Sprintf("unknown event %q (known: %s)", ev, strings.Join(known, ", "))}
			}
		}
		sorted := slices.Clone(*in.Events)
		slices.Sort(sorted)
		sorted = slices.Compact(sorted)
		*in.Events = sorted
	}
	if in.Secret != nil && (len(*in.Secret) < minSecret || len(*in.Secret) > maxSecret) {
		return &inbox.ValidationError{Field: "secret", Reason: fmt.Sprintf("must be %d to %d characters", minSecret, maxSecret)}
	}
	if in.Description != nil && len(*in.Description) > maxDescription {
		return &inbox.ValidationError{Field: "description", Reason: fmt.Sprintf("at most %d characters", maxDescription)}
	}
	return nil
}

// checkURL accepts an absolute http or https URL with a host and no credentials.
func checkURL(raw string) error {
	bad := func(reason string) error { return &inbox.ValidationError{Field: "url", Reason: reason} }
	if len(raw) > maxURL {
		return bad(fmt.Sprintf("at most %d characters", maxURL))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("must start with https:// or http://")
	case u.Host == "" || u.Hostname() == "":
		return bad("names no host")
	case u.User != nil:
		return bad("must not carry a user name or password")
	case u.Fragment != "":
		return bad("must not carry a #fragment")
	}
	return nil
}

// changes is the audit record's data for an update: which fields changed, never the secret.
func (in EndpointInput) changes() map[string]any {
	d := map[string]any{"action": "updated"}
	if in.URL != nil {
		d["url"] = *in.URL
	}
	if in.Events != nil {
		d["events"] = *in.Events
	}
	if in.Secret != nil {
		d["secret"] = "changed"
	}
	if in.Enabled != nil {
		d["enabled"] = *in.Enabled
	}
	return d
}

// notFound maps pgx.ErrNoRows to inbox.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return inbox.ErrNotFound
	}
	return err
}
