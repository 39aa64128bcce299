package inbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// InboxChange is the input of UpdateInboxTx: an inbox's new name, team, settings and, when
// Secrets is not nil, its new credentials (nil keeps the sealed ones). Kind never changes.
type InboxChange struct {
	Name     string
	Settings any
	Secrets  any
	TeamID   int64
}

// UpdateInboxTx replaces inbox id's name, team and settings, and its secrets when
// change.Secrets is set, in the caller's transaction. A missing inbox is ErrNotFound, a name
// taken within the kind ErrConflict, an empty name or an unknown team a *ValidationError, new
// secrets without PARLEY_SECRET_KEY ErrNoSecretKey.
func (s *Store) UpdateInboxTx(ctx context.Context, tx pgx.Tx, id int64, change InboxChange) (Inbox, error) {
	name, settings, sealed, err := s.inboxColumns("update inbox", change.Name, change.Settings, change.Secrets)
	if err != nil {
		return Inbox{}, err
	}
	var out Inbox
	err = scanInbox(tx.QueryRow(ctx, `UPDATE inboxes SET name = $2, settings = $3, team_id = $4,
		secrets = COALESCE($5, secrets) WHERE id = $1 RETURNING `+inboxCols,
		id, name, settings, nonZero(change.TeamID), sealed), &out)
	if isUniqueViolation(err) {
		return Inbox{}, fmt.Errorf("inbox: inbox %q exists: %w", name, ErrConflict)
	}
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox: update inbox %d: %w", id, notFoundFK(notFound(err), "team_id"))
	}
	return out, nil
}

// SetInboxDisabledTx disables inbox id (disabled true) or enables it again, in the caller's
// transaction, and returns it. Disabling a disabled inbox keeps its first time. A missing
// inbox is ErrNotFound.
func (s *Store) SetInboxDisabledTx(ctx context.Context, tx pgx.Tx, id int64, disabled bool) (Inbox, error) {
	var out Inbox
	err := scanInbox(tx.QueryRow(ctx, `UPDATE inboxes
		SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, $3) END
		WHERE id = $1 RETURNING `+inboxCols, id, disabled, s.now()), &out)
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox: disable inbox %d: %w", id, notFound(err))
	}
	return out, nil
}
