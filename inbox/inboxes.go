package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Inbox is one connected channel account: a mailbox, a Twilio number, a chat widget, a Slack
// workspace. Settings are shown to admins; secrets stay sealed and are opened only by the
// channel that uses them.
type Inbox struct {
	ID       int64           `json:"id"`
	Kind     Channel         `json:"kind"`
	Name     string          `json:"name"`
	Settings json.RawMessage `json:"settings"`
	TeamID   *int64          `json:"team_id,omitempty"`
	// DisabledAt is when an admin disabled the inbox (nil: enabled). A disabled inbox takes
	// in nothing new: its channel skips it.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// Language is the language customers of the inbox are written to (custtext), "en" unless
	// an admin chose another; FollowBrowserLanguage lets the chat widget speak the visitor's
	// browser language instead, when it is shipped (SetInboxLanguageTx).
	Language              string `json:"language"`
	FollowBrowserLanguage bool   `json:"follow_browser_language"`
	sealed                []byte
}

// Disabled reports whether an admin disabled the inbox.
func (in Inbox) Disabled() bool { return in.DisabledAt != nil }

// NewInbox is the input of CreateInbox. Settings and Secrets are JSON-encoded as given.
type NewInbox struct {
	Kind     Channel
	Name     string
	Settings any
	Secrets  any
	TeamID   int64
}

// CreateInbox stores a channel account, sealing its secrets. A name taken within the kind is
// ErrConflict; secrets without PARLEY_SECRET_KEY fail with ErrNoSecretKey.
func (s *Store) CreateInbox(ctx context.Context, in NewInbox) (Inbox, error) {
	return s.createInbox(ctx, s.pool, in)
}

// CreateInboxTx is CreateInbox in the caller's transaction.
func (s *Store) CreateInboxTx(ctx context.Context, tx pgx.Tx, in NewInbox) (Inbox, error) {
	return s.createInbox(ctx, tx, in)
}

// rowQuerier is a pool or a transaction, for one-row statements.
type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *Store) createInbox(ctx context.Context, db rowQuerier, in NewInbox) (Inbox, error) {
	if !in.Kind.Valid() {
		return Inbox{}, fmt.Errorf("inbox: create inbox: %w", invalid("kind", "unknown channel %q", in.Kind))
	}
	name, settings, sealed, err := s.inboxColumns("create inbox", in.Name, in.Settings, in.Secrets)
	if err != nil {
		return Inbox{}, err
	}
	var out Inbox
	err = scanInbox(db.QueryRow(ctx, `INSERT INTO inboxes (kind, name, settings, secrets, team_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+inboxCols,
		in.Kind, name, settings, sealed, nonZero(in.TeamID), s.now()), &out)
	if isUniqueViolation(err) {
		return Inbox{}, fmt.Errorf("inbox: %s inbox %q exists: %w", in.Kind, name, ErrConflict)
	}
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox: create inbox: %w", notFoundFK(err, "team_id"))
	}
	return out, nil
}

// inboxColumns checks an inbox's name and encodes its settings and secrets for their columns:
// the name trimmed (empty is a *ValidationError), the settings as JSON ({} for none), the
// secrets sealed (nil for none; ErrNoSecretKey without a key). op names the operation in errors.
func (s *Store) inboxColumns(op, name string, settings, secrets any) (string, []byte, []byte, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, nil, fmt.Errorf("inbox: %s: %w", op, invalid("name", "is required"))
	}
	js, err := json.Marshal(settings)
	if err != nil || string(js) == "null" {
		js = []byte("{}")
	}
	if secrets == nil {
		return name, js, nil, nil
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return "", nil, nil, fmt.Errorf("inbox: %s: secrets: %w", op, err)
	}
	sealed, err := s.sealer.Seal(plain)
	if err != nil {
		return "", nil, nil, fmt.Errorf("inbox: %s: %w", op, err)
	}
	return name, js, sealed, nil
}

const inboxCols = `id, kind, name, settings, team_id, secrets, disabled_at, language, follow_browser_language`

// scanInbox reads the inboxCols of one row.
func scanInbox(row pgx.Row, in *Inbox) error {
	return row.Scan(&in.ID, &in.Kind, &in.Name, &in.Settings, &in.TeamID, &in.sealed, &in.DisabledAt,
		&in.Language, &in.FollowBrowserLanguage)
}

// GetInbox returns one channel account.
func (s *Store) GetInbox(ctx context.Context, id int64) (Inbox, error) {
	var in Inbox
	err := scanInbox(s.pool.QueryRow(ctx, "SELECT "+inboxCols+" FROM inboxes WHERE id = $1", id), &in)
	if err != nil {
		return in, fmt.Errorf("inbox: inbox %d: %w", id, notFound(err))
	}
	return in, nil
}

// Inboxes lists the channel accounts of a kind ("" for all).
func (s *Store) Inboxes(ctx context.Context, kind Channel) ([]Inbox, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+inboxCols+" FROM inboxes WHERE $1 = '' OR kind = $1 ORDER BY id", kind)
	if err != nil {
		return nil, fmt.Errorf("inbox: inboxes: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Inbox, error) {
		var in Inbox
		err := scanInbox(r, &in)
		return in, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: inboxes: %w", err)
	}
	return out, nil
}

// OpenSecrets decodes an inbox's sealed credentials into v.
func (s *Store) OpenSecrets(in Inbox, v any) error {
	if len(in.sealed) == 0 {
		return fmt.Errorf("inbox: inbox %d has no secrets: %w", in.ID, ErrNotFound)
	}
	plain, err := s.sealer.Open(in.sealed)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("inbox: inbox %d secrets: %w", in.ID, err)
	}
	return nil
}

// DecodeSettings decodes an inbox's settings into v.
func (in Inbox) DecodeSettings(v any) error {
	if err := json.Unmarshal(in.Settings, v); err != nil {
		return fmt.Errorf("inbox: inbox %d settings: %w", in.ID, err)
	}
	return nil
}
