package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// MaxBulk is the most conversations one bulk action may name.
const MaxBulk = 500

// BulkKind is what a bulk action changes.
type BulkKind string

// Bulk action kinds: each is the single-conversation action of the same name.
const (
	BulkAssign   BulkKind = "assign"   // Store.Assign
	BulkStatus   BulkKind = "status"   // Store.SetStatusCoded
	BulkPriority BulkKind = "priority" // Store.SetPriority
	BulkTags     BulkKind = "tags"     // Store.SetTags
	BulkCategory BulkKind = "category" // Store.Categorize
)

// BulkAction is one change to apply to many conversations; only the fields of its Kind count.
type BulkAction struct {
	Kind BulkKind
	// AgentID is the assignee of BulkAssign (0 unassigns).
	AgentID int64
	// Status and, to settle complaints in the same step, ResolutionCodeID (0: none) of BulkStatus.
	Status           Status
	ResolutionCodeID int64
	// Priority of BulkPriority.
	Priority Priority
	// AddTags and RemoveTags of BulkTags.
	AddTags, RemoveTags []string
	// Category of BulkCategory.
	Category CategoryChange
}

// BulkOutcome is what a bulk action did to one conversation: Err nil when it applied (or the
// conversation already was so), else why it was refused: ErrNotFound for a conversation the
// viewer may not see, ErrClosed, or a *ValidationError (a resolve that lacks the category its
// team requires or a complaint's resolution code).
type BulkOutcome struct {
	ID  int64
	Err error
}

// Bulk applies a to each conversation of ids, in the order given, once each (a repeated id is
// answered once, where it first appears), as the viewer's single action on it would: the same
// rules, audit entries and events. A refusal changes nothing of that conversation and undoes
// nothing else: the conversations share transactions of bulkChunk, each locked in id order
// first, and each conversation's change is a savepoint of its own; the visibility rule is
// applied to the conversation as locked, so one the viewer may not see is ErrNotFound and left
// unchanged, even if it was moved away meanwhile.
//
// What does not depend on the conversation is checked first and, when wrong, answered as a
// *ValidationError with nothing changed: no ids, more than MaxBulk, an id that is not positive,
// an unknown kind, status or priority, bad tags, an agent who is not active, an unknown or
// archived category or resolution code. Any other error (the database unreachable, ctx ended)
// stops the action: it is returned with the outcomes of the transactions committed before it
// (whose changes stay). Each kind is idempotent, so the same action may be sent again.
func (sc Scope) Bulk(ctx context.Context, ids []int64, a BulkAction, by Actor) ([]BulkOutcome, error) {
	ids, err := bulkIDs(ids)
	if err != nil {
		return nil, err
	}
	if a, err = sc.s.checkBulk(ctx, a); err != nil {
		return nil, err
	}
	out := make([]BulkOutcome, 0, len(ids))
	for start := 0; start < len(ids); start += bulkChunk {
		chunk := ids[start:min(start+bulkChunk, len(ids))]
		var done []BulkOutcome
		err := sc.s.InTx(ctx, func(tx pgx.Tx) error {
			done = done[:0] // a transaction run again starts afresh
			var err error
			done, err = sc.bulkChunkTx(ctx, tx, chunk, a, by, done)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("inbox: bulk %s: %w", a.Kind, err)
		}
		out = append(out, done...)
	}
	return out, nil
}

// bulkChunk is how many conversations of a bulk action share a transaction (each in a savepoint
// of its own): one commit for many conversations rather than one each.
const bulkChunk = 50

// bulkChunkTx locks the conversations of chunk in id order (the lock order of the package doc),
// then applies a to each in the order given, each in a savepoint: a refusal rolls back that
// conversation's change only and is its outcome; any other error is returned and the caller's
// transaction rolls back.
func (sc Scope) bulkChunkTx(ctx context.Context, tx pgx.Tx, chunk []int64, a BulkAction, by Actor, out []BulkOutcome) ([]BulkOutcome, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM conversations WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, chunk); err != nil {
		return out, fmt.Errorf("lock conversations: %w", err)
	}
	for _, id := range chunk {
		err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			c, err := lockConversation(ctx, sp, id)
			if err != nil {
				return err
			}
			if !sc.v.Sees(c.teamID, c.assigneeID) {
				return hidden("conversation", id)
			}
			return sc.s.applyBulkTx(ctx, sp, id, a, by)
		})
		if err != nil && !refusal(err) {
			return out, fmt.Errorf("conversation %d: %w", id, err)
		}
		out = append(out, BulkOutcome{ID: id, Err: err})
	}
	return out, nil
}

// refusal reports whether err is a conversation's refusal of a change (reported in its outcome),
// rather than a failure that stops a bulk action.
func refusal(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict) || errors.Is(err, ErrForbidden)
}

// bulkIDs returns ids without repeats, in the order given, or a *ValidationError.
func bulkIDs(ids []int64) ([]int64, error) {
	switch {
	case len(ids) == 0:
		return nil, fmt.Errorf("inbox: bulk: %w", invalid("ids", "name at least one conversation"))
	case len(ids) > MaxBulk:
		return nil, fmt.Errorf("inbox: bulk: %w", invalid("ids", "at most %d conversations at once, not %d", MaxBulk, len(ids)))
	}
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, fmt.Errorf("inbox: bulk: %w", invalid("ids", "%d is not a conversation id", id))
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// checkBulk checks what a bulk action sets, before any conversation is touched, and returns it
// with its tags cleaned.
func (s *Store) checkBulk(ctx context.Context, a BulkAction) (BulkAction, error) {
	var err error
	switch a.Kind {
	case BulkAssign:
		err = checkAssignee(ctx, s.pool, a.AgentID)
	case BulkStatus:
		if !a.Status.Valid() {
			return a, fmt.Errorf("inbox: bulk: %w", invalid("status", "unknown status %q", a.Status))
		}
		_, err = usableCode(ctx, s.pool, a.ResolutionCodeID)
	case BulkPriority:
		if !a.Priority.Valid() {
			return a, fmt.Errorf("inbox: bulk: %w", invalid("priority", "must be low, normal, high or urgent, not %q", a.Priority))
		}
	case BulkTags:
		if a.AddTags, err = cleanTags(a.AddTags); err != nil {
			return a, err
		}
		if a.RemoveTags, err = cleanTags(a.RemoveTags); err != nil {
			return a, err
		}
		if len(a.AddTags)+len(a.RemoveTags) == 0 {
			return a, fmt.Errorf("inbox: bulk: %w", invalid("tags", "give tags to add or to remove"))
		}
	case BulkCategory:
		ch := a.Category
		if ch.CategoryID == nil && ch.ResolutionCodeID == nil {
			return a, fmt.Errorf("inbox: bulk: %w", invalid("category_id", "give category_id, category or resolution_code_id"))
		}
		if ch.CategoryID != nil {
			if _, err = usableCategory(ctx, s.pool, *ch.CategoryID); err != nil {
				return a, err
			}
		}
		if ch.ResolutionCodeID != nil {
			_, err = usableCode(ctx, s.pool, *ch.ResolutionCodeID)
		}
	default:
		return a, fmt.Errorf("inbox: bulk: %w", invalid("action", "must be assign, status, priority, tags or category, not %q", a.Kind))
	}
	return a, err
}

// applyBulkTx applies a to conversation id in tx, with the single action's own Tx method.
func (s *Store) applyBulkTx(ctx context.Context, tx pgx.Tx, id int64, a BulkAction, by Actor) error {
	switch a.Kind {
	case BulkAssign:
		return s.AssignTx(ctx, tx, id, a.AgentID, by)
	case BulkStatus:
		return s.setStatusCodedTx(ctx, tx, id, a.Status, a.ResolutionCodeID, by)
	case BulkPriority:
		return s.SetPriorityTx(ctx, tx, id, a.Priority, by)
	case BulkTags:
		return s.SetTagsTx(ctx, tx, id, a.AddTags, a.RemoveTags, by)
	case BulkCategory:
		return s.categorizeTx(ctx, tx, id, a.Category, by)
	}
	return fmt.Errorf("inbox: bulk: %w", invalid("action", "unknown action %q", a.Kind))
}
