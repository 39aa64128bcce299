package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/microcosm-cc/bluemonday"
)

// Limits of a signature (the columns' checks of migration 279).
const (
	MaxSignatureText = 4000
	MaxSignatureHTML = 16000
)

// Signature is a sign-off appended to email replies: an inbox's or an agent's. HTML is
// sanitized when saved (no script, no style, no event handler); either may be empty.
type Signature struct {
	Text string `json:"text"`
	HTML string `json:"html"`
}

// Empty reports whether the signature says nothing.
func (g Signature) Empty() bool {
	return strings.TrimSpace(g.Text) == "" && strings.TrimSpace(g.HTML) == ""
}

// clean trims the signature, sanitizes its HTML and checks its lengths (*ValidationError).
func (g Signature) clean() (Signature, error) {
	g.Text = strings.TrimSpace(strings.ReplaceAll(g.Text, "\r\n", "\n"))
	g.HTML = strings.TrimSpace(bluemonday.UGCPolicy().Sanitize(g.HTML))
	if len(g.Text) > MaxSignatureText {
		return g, invalid("signature_text", "longer than %d bytes", MaxSignatureText)
	}
	if len(g.HTML) > MaxSignatureHTML {
		return g, invalid("signature_html", "longer than %d bytes", MaxSignatureHTML)
	}
	if err := CleanAgentText("signature_text", g.Text); err != nil {
		return g, err
	}
	return g, nil
}

// InboxSignature returns inbox id's signature; a missing inbox is ErrNotFound.
func (s *Store) InboxSignature(ctx context.Context, id int64) (Signature, error) {
	var g Signature
	err := s.pool.QueryRow(ctx, `SELECT signature_text, signature_html FROM inboxes WHERE id = $1`, id).Scan(&g.Text, &g.HTML)
	if err != nil {
		return g, fmt.Errorf("inbox: signature of inbox %d: %w", id, notFound(err))
	}
	return g, nil
}

// SetInboxSignatureTx saves inbox id's signature (sanitized) in tx and returns what it saved;
// the caller audits it. Too long is a *ValidationError, a missing inbox ErrNotFound.
func (s *Store) SetInboxSignatureTx(ctx context.Context, tx pgx.Tx, id int64, g Signature) (Signature, error) {
	g, err := g.clean()
	if err != nil {
		return g, fmt.Errorf("inbox: signature of inbox %d: %w", id, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE inboxes SET signature_text = $2, signature_html = $3 WHERE id = $1`, id, g.Text, g.HTML)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return g, fmt.Errorf("inbox: signature of inbox %d: %w", id, err)
	}
	return g, nil
}

// AgentSignature returns agent id's own signature; a missing agent is ErrNotFound.
func (s *Store) AgentSignature(ctx context.Context, id int64) (Signature, error) {
	var g Signature
	err := s.pool.QueryRow(ctx, `SELECT signature_text, signature_html FROM agents WHERE id = $1`, id).Scan(&g.Text, &g.HTML)
	if err != nil {
		return g, fmt.Errorf("inbox: signature of agent %d: %w", id, notFound(err))
	}
	return g, nil
}

// SetAgentSignature saves agent id's own signature (sanitized) and returns what it saved.
func (s *Store) SetAgentSignature(ctx context.Context, id int64, g Signature) (Signature, error) {
	g, err := g.clean()
	if err != nil {
		return g, fmt.Errorf("inbox: signature of agent %d: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE agents SET signature_text = $2, signature_html = $3 WHERE id = $1`, id, g.Text, g.HTML)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return g, fmt.Errorf("inbox: signature of agent %d: %w", id, err)
	}
	return g, nil
}

// Signatures are what an email reply by agent agentID (0: the system) from inbox inboxID
// ends with: the agent's signature, then the inbox's, each only when not empty.
func (s *Store) Signatures(ctx context.Context, inboxID, agentID int64) ([]Signature, error) {
	rows, err := s.pool.Query(ctx, `SELECT t, h FROM (
			SELECT 1 AS o, signature_text AS t, signature_html AS h FROM agents WHERE id = $2
			UNION ALL SELECT 2, signature_text, signature_html FROM inboxes WHERE id = $1) s ORDER BY o`, inboxID, agentID)
	if err != nil {
		return nil, fmt.Errorf("inbox: signatures: %w", err)
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Signature])
	if err != nil {
		return nil, fmt.Errorf("inbox: signatures: %w", err)
	}
	var out []Signature
	for _, g := range all {
		if !g.Empty() {
			out = append(out, g)
		}
	}
	return out, nil
}
