package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TeamUse is what in the inbox's own tables still refers to a team: the conversations not yet
// closed that it holds and the inboxes that send new conversations to it. The workflow's rules
// and SLA policies are counted by the workflow (workflow.TeamUsesTx).
type TeamUse struct {
	OpenConversations int
	Inboxes           []string
}

// InUse reports whether anything counted refers to the team.
func (u TeamUse) InUse() bool { return u.OpenConversations > 0 || len(u.Inboxes) > 0 }

// RenameTeamTx gives a team a new name in the caller's transaction (to audit it in the same) and
// returns the old one. Conversations, rules and policies refer to the team by id, so they follow
// the new name. An empty name is a *ValidationError, a taken one ErrConflict, an unknown team
// ErrNotFound.
func (s *Store) RenameTeamTx(ctx context.Context, tx pgx.Tx, teamID int64, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fmt.Errorf("inbox: team: %w", invalid("name", "is required"))
	}
	var old string
	err := tx.QueryRow(ctx, `SELECT name FROM teams WHERE id = $1 FOR UPDATE`, teamID).Scan(&old)
	if err != nil {
		return "", fmt.Errorf("inbox: team %d: %w", teamID, notFound(err))
	}
	_, err = tx.Exec(ctx, `UPDATE teams SET name = $2 WHERE id = $1`, teamID, name)
	if isUniqueViolation(err) {
		return "", fmt.Errorf("inbox: team %q exists: %w", name, ErrConflict)
	}
	if err != nil {
		return "", fmt.Errorf("inbox: rename team %d: %w", teamID, err)
	}
	return old, nil
}

// TeamUsesTx locks the team's row (so that nothing new may name it until tx ends) and counts
// what in the inbox's tables still refers to it. An unknown team is ErrNotFound.
func (s *Store) TeamUsesTx(ctx context.Context, tx pgx.Tx, teamID int64) (TeamUse, error) {
	var u TeamUse
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM teams WHERE id = $1 FOR UPDATE`, teamID).Scan(&one)
	if err != nil {
		return u, fmt.Errorf("inbox: team %d: %w", teamID, notFound(err))
	}
	err = tx.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE team_id = $1 AND status <> 'closed'`, teamID).
		Scan(&u.OpenConversations)
	if err != nil {
		return u, fmt.Errorf("inbox: team %d conversations: %w", teamID, err)
	}
	rows, err := tx.Query(ctx, `SELECT name FROM inboxes WHERE team_id = $1 ORDER BY name`, teamID)
	if err != nil {
		return u, fmt.Errorf("inbox: team %d inboxes: %w", teamID, err)
	}
	if u.Inboxes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return u, fmt.Errorf("inbox: team %d inboxes: %w", teamID, err)
	}
	return u, nil
}

// DeleteTeamTx deletes a team in the caller's transaction and returns its name and members. It
// refuses, with ErrConflict, while conversations not yet closed or inboxes refer to it (see
// TeamUsesTx; the caller checks the workflow's rules and policies in the same tx first). Its
// closed conversations and past breach records keep everything but the team, which becomes
// none. The former members' open sockets reopen with what they may now see. An unknown team
// is ErrNotFound.
func (s *Store) DeleteTeamTx(ctx context.Context, tx pgx.Tx, teamID int64) (Team, error) {
	u, err := s.TeamUsesTx(ctx, tx, teamID)
	if err != nil {
		return Team{}, err
	}
	if u.InUse() {
		return Team{}, fmt.Errorf("inbox: team %d is in use: %w", teamID, ErrConflict)
	}
	t := Team{ID: teamID}
	err = tx.QueryRow(ctx, `SELECT name, ARRAY(SELECT agent_id FROM team_members WHERE team_id = t.id ORDER BY agent_id)
		FROM teams t WHERE id = $1`, teamID).Scan(&t.Name, &t.Members)
	if err != nil {
		return Team{}, fmt.Errorf("inbox: team %d: %w", teamID, notFound(err))
	}
	_, err = tx.Exec(ctx, `DELETE FROM teams WHERE id = $1`, teamID)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" { // a routing rule still sends to it
		return Team{}, fmt.Errorf("inbox: delete team %d: %w", teamID, ErrConflict)
	}
	if err != nil {
		return Team{}, fmt.Errorf("inbox: delete team %d: %w", teamID, err)
	}
	return t, s.scopeChangedTx(ctx, tx, t.Members...)
}
