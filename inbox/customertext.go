package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/custtext"
)

// TextOverride is an inbox's own wording of one catalogue text (custtext) in one language.
type TextOverride struct {
	InboxID   int64     `json:"inbox_id"`
	Lang      string    `json:"lang"`
	Key       string    `json:"key"`
	Body      string    `json:"body"`
	UpdatedAt time.Time `json:"updated_at"`
}

// textError turns a custtext refusal into the inbox's *ValidationError, naming its field.
func textError(err error) error {
	var ce *custtext.Error
	if errors.As(err, &ce) {
		return &ValidationError{Field: ce.Field, Reason: ce.Reason}
	}
	return err
}

// SetInboxLanguageTx sets the language inbox id writes to its customers in and whether its chat
// widget follows the visitor's browser language, in the caller's transaction. A language that
// is not shipped is a *ValidationError naming the shipped ones; a missing inbox ErrNotFound.
func (s *Store) SetInboxLanguageTx(ctx context.Context, tx pgx.Tx, id int64, lang string, follow bool) (Inbox, error) {
	if !custtext.Supported(lang) {
		return Inbox{}, fmt.Errorf("inbox: inbox %d language: %w", id, invalid("language", "unknown language %q; choose one of %v", lang, custtext.Languages()))
	}
	var out Inbox
	err := scanInbox(tx.QueryRow(ctx, `UPDATE inboxes SET language = $2, follow_browser_language = $3
		WHERE id = $1 RETURNING `+inboxCols, id, lang, follow), &out)
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox: inbox %d language: %w", id, notFound(err))
	}
	return out, nil
}

// TextOverrides lists inbox id's own texts, by language and key. A missing inbox is
// ErrNotFound.
func (s *Store) TextOverrides(ctx context.Context, id int64) ([]TextOverride, error) {
	if _, err := s.GetInbox(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT inbox_id, lang, key, body, updated_at FROM inbox_texts
		WHERE inbox_id = $1 ORDER BY lang, key`, id)
	if err != nil {
		return nil, fmt.Errorf("inbox: texts of inbox %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[TextOverride])
	if err != nil {
		return nil, fmt.Errorf("inbox: texts of inbox %d: %w", id, err)
	}
	return out, nil
}

// SetTextTx makes body inbox id's wording of key in lang, in the caller's transaction, and
// returns the override and the wording it replaced ("" for the catalogue's). An unknown
// language or key, an empty or long body, or placeholders other than the catalogue text's are
// a *ValidationError saying which; a missing inbox is ErrNotFound.
func (s *Store) SetTextTx(ctx context.Context, tx pgx.Tx, id int64, lang, key, body string) (TextOverride, string, error) {
	if err := custtext.Check(lang, key, body); err != nil {
		return TextOverride{}, "", fmt.Errorf("inbox: text of inbox %d: %w", id, textError(err))
	}
	if err := lockInbox(ctx, tx, id); err != nil {
		return TextOverride{}, "", err
	}
	var before string
	err := tx.QueryRow(ctx, `SELECT body FROM inbox_texts WHERE inbox_id = $1 AND lang = $2 AND key = $3`,
		id, lang, key).Scan(&before)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return TextOverride{}, "", fmt.Errorf("inbox: text of inbox %d: %w", id, err)
	}
	o := TextOverride{InboxID: id, Lang: lang, Key: key, Body: body, UpdatedAt: s.now()}
	if _, err := tx.Exec(ctx, `INSERT INTO inbox_texts (inbox_id, lang, key, body, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (inbox_id, lang, key) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at`,
		id, lang, key, body, o.UpdatedAt); err != nil {
		return TextOverride{}, "", fmt.Errorf("inbox: text of inbox %d: %w", id, err)
	}
	return o, before, nil
}

// DeleteTextTx removes inbox id's wording of key in lang, in the caller's transaction, so the
// catalogue's text applies again, and returns the wording removed. An unknown language or key
// is a *ValidationError; an inbox, or an override, that does not exist is ErrNotFound.
func (s *Store) DeleteTextTx(ctx context.Context, tx pgx.Tx, id int64, lang, key string) (string, error) {
	if err := custtext.Check(lang, key, "-"); err != nil {
		var ce *custtext.Error
		if errors.As(err, &ce) && ce.Field != "body" {
			return "", fmt.Errorf("inbox: text of inbox %d: %w", id, textError(err))
		}
	}
	if err := lockInbox(ctx, tx, id); err != nil {
		return "", err
	}
	var body string
	err := tx.QueryRow(ctx, `DELETE FROM inbox_texts WHERE inbox_id = $1 AND lang = $2 AND key = $3 RETURNING body`,
		id, lang, key).Scan(&body)
	if err != nil {
		return "", fmt.Errorf("inbox: inbox %d has no own %s text %s: %w", id, lang, key, notFound(err))
	}
	return body, nil
}

// lockInbox takes inbox id's row for the change of its texts; a missing inbox is ErrNotFound.
func lockInbox(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM inboxes WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if err != nil {
		return fmt.Errorf("inbox: inbox %d: %w", id, notFound(err))
	}
	return nil
}

// InboxTexts returns the texts the customers of inbox id read in lang: lang when it is shipped
// and the inbox follows the browser's language (the chat widget's visitor), the inbox's own
// language otherwise (pass "" for it), with the inbox's overrides. A missing inbox is
// ErrNotFound.
func (s *Store) InboxTexts(ctx context.Context, id int64, lang string) (custtext.Set, error) {
	var own string
	var follow bool
	err := s.pool.QueryRow(ctx, `SELECT language, follow_browser_language FROM inboxes WHERE id = $1`, id).Scan(&own, &follow)
	if err != nil {
		return custtext.Set{}, fmt.Errorf("inbox: texts of inbox %d: %w", id, notFound(err))
	}
	if !follow || !custtext.Supported(lang) {
		lang = own
	}
	return s.textSet(ctx, s.pool, &id, lang)
}

// ConversationTexts returns the texts the customer of conversation id reads: in the language
// the conversation remembers (the chat visitor's, conversations.language), else its inbox's,
// else English; with the overrides of its inbox. A missing conversation is ErrNotFound.
func (s *Store) ConversationTexts(ctx context.Context, id int64) (custtext.Set, error) {
	return s.conversationTexts(ctx, s.pool, id)
}

// ConversationTextsTx is ConversationTexts in the caller's transaction.
func (s *Store) ConversationTextsTx(ctx context.Context, tx pgx.Tx, id int64) (custtext.Set, error) {
	return s.conversationTexts(ctx, tx, id)
}

func (s *Store) conversationTexts(ctx context.Context, q textQuerier, id int64) (custtext.Set, error) {
	var inboxID *int64
	var lang string
	err := q.QueryRow(ctx, `SELECT c.inbox_id, coalesce(c.language, i.language, 'en') FROM conversations c
		LEFT JOIN inboxes i ON i.id = c.inbox_id WHERE c.id = $1`, id).Scan(&inboxID, &lang)
	if err != nil {
		return custtext.Set{}, fmt.Errorf("inbox: texts of conversation %d: %w", id, notFound(err))
	}
	return s.textSet(ctx, q, inboxID, lang)
}

// textQuerier is a pool or a transaction, for the reads that serve both.
type textQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// textSet loads inbox id's overrides in lang and English (none without an inbox) into a set.
func (s *Store) textSet(ctx context.Context, q textQuerier, id *int64, lang string) (custtext.Set, error) {
	over := custtext.Overrides{}
	if id != nil {
		rows, err := q.Query(ctx, `SELECT lang, key, body FROM inbox_texts WHERE inbox_id = $1 AND lang IN ($2, 'en')`, *id, lang)
		if err != nil {
			return custtext.Set{}, fmt.Errorf("inbox: texts: %w", err)
		}
		var l, k, b string
		if _, err := pgx.ForEachRow(rows, []any{&l, &k, &b}, func() error {
			if over[l] == nil {
				over[l] = map[string]string{}
			}
			over[l][k] = b
			return nil
		}); err != nil {
			return custtext.Set{}, fmt.Errorf("inbox: texts: %w", err)
		}
	}
	return custtext.For(lang, over), nil
}
