package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// validKey reports whether k is an idempotency key: 1-255 visible ASCII characters.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// fingerprint is a hash of what a start asks (n checked and normalized), so that a key sent
// again with another request is told apart.
func (n NewConversation) fingerprint() string {
	b, _ := json.Marshal([]any{n.ContactID, n.To, n.Channel, n.InboxID, n.Subject, n.Text})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// startedWith returns the conversation the agent's key started (0: none, or no key). The key is
// locked first (an advisory lock, among a channel's own in the lock order), so two requests of
// one key run one after the other and the second finds the first's. The key with another
// request is ErrConflict.
func startedWith(ctx context.Context, tx pgx.Tx, n NewConversation, by Actor) (int64, error) {
	if n.Key == "" {
		return 0, nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('start:' || $1::bigint || ':' || $2, 0))`,
		by.AgentID, n.Key); err != nil {
		return 0, fmt.Errorf("inbox: start conversation: lock key: %w", err)
	}
	var id int64
	var fp string
	err := tx.QueryRow(ctx, `SELECT conversation_id, fingerprint FROM conversation_starts WHERE agent_id = $1 AND key = $2`,
		by.AgentID, n.Key).Scan(&id, &fp)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("inbox: start conversation: key: %w", err)
	}
	if fp != n.fingerprint() {
		return 0, fmt.Errorf("inbox: start conversation: the Idempotency-Key %q started conversation %d with another request: %w", n.Key, id, ErrConflict)
	}
	return id, nil
}

// keepKey records the agent's key for conversation id (nothing without a key).
func keepKey(ctx context.Context, tx pgx.Tx, n NewConversation, by Actor, id int64, now time.Time) error {
	if n.Key == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO conversation_starts (agent_id, key, fingerprint, conversation_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, by.AgentID, n.Key, n.fingerprint(), id, now); err != nil {
		return fmt.Errorf("inbox: start conversation: keep key: %w", err)
	}
	return nil
}
