package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Team is a group of agents that conversations are routed to.
type Team struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Members []int64 `json:"members"`
	// DefaultQueue marks the team whose agents also see the conversations of no team (see
	// Viewer).
	DefaultQueue bool `json:"default_queue"`
}

// CreateTeam adds a team with the agents of the given emails. A taken name is ErrConflict; an
// unknown email is a *ValidationError.
func (s *Store) CreateTeam(ctx context.Context, name string, memberEmails []string) (Team, error) {
	var t Team
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = s.CreateTeamTx(ctx, tx, name, memberEmails)
		return err
	})
	if err != nil {
		return Team{}, err
	}
	return t, nil
}

// CreateTeamTx is CreateTeam in the caller's transaction.
func (s *Store) CreateTeamTx(ctx context.Context, tx pgx.Tx, name string, memberEmails []string) (Team, error) {
	t := Team{Name: strings.TrimSpace(name), Members: []int64{}}
	if t.Name == "" {
		return t, fmt.Errorf("inbox: team: %w", invalid("name", "is required"))
	}
	err := tx.QueryRow(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`, t.Name, s.now()).Scan(&t.ID)
	if isUniqueViolation(err) {
		return Team{}, fmt.Errorf("team %q exists: %w", t.Name, ErrConflict)
	}
	if err != nil {
		return Team{}, err
	}
	for _, email := range memberEmails {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO team_members (team_id, agent_id)
			SELECT $1, id FROM agents WHERE email = $2 RETURNING agent_id`, t.ID, strings.ToLower(strings.TrimSpace(email))).Scan(&id)
		if err != nil {
			return Team{}, invalid("members", "no agent %q", email)
		}
		t.Members = append(t.Members, id)
	}
	return t, nil
}

// Teams lists every team with its members.
func (s *Store) Teams(ctx context.Context) ([]Team, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.name, coalesce(array_agg(m.agent_id ORDER BY m.agent_id)
		FILTER (WHERE m.agent_id IS NOT NULL), '{}'), t.default_queue FROM teams t LEFT JOIN team_members m ON m.team_id = t.id
		GROUP BY t.id ORDER BY t.name`)
	if err != nil {
		return nil, fmt.Errorf("inbox: teams: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Team, error) {
		var t Team
		err := r.Scan(&t.ID, &t.Name, &t.Members, &t.DefaultQueue)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: teams: %w", err)
	}
	return out, nil
}

// GetTeam returns one team with its members. An unknown id is ErrNotFound.
func (s *Store) GetTeam(ctx context.Context, id int64) (Team, error) {
	t := Team{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT name, ARRAY(SELECT agent_id FROM team_members WHERE team_id = t.id ORDER BY agent_id)
		, default_queue FROM teams t WHERE id = $1`, id).Scan(&t.Name, &t.Members, &t.DefaultQueue)
	if err != nil {
		return Team{}, fmt.Errorf("inbox: team %d: %w", id, notFound(err))
	}
	return t, nil
}

// SetDefaultQueue marks or unmarks a team as the default queue: its agents see the
// conversations of no team. An unknown id is ErrNotFound. The members' open sockets reopen
// with what they may now see (EventAgentChanged).
func (s *Store) SetDefaultQueue(ctx context.Context, teamID int64, on bool) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.SetDefaultQueueTx(ctx, tx, teamID, on) })
}

// SetDefaultQueueTx is SetDefaultQueue in the caller's transaction (to audit it in the same).
func (s *Store) SetDefaultQueueTx(ctx context.Context, tx pgx.Tx, teamID int64, on bool) error {
	tag, err := tx.Exec(ctx, `UPDATE teams SET default_queue = $2 WHERE id = $1`, teamID, on)
	if err != nil {
		return fmt.Errorf("inbox: team %d default queue: %w", teamID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("inbox: team %d: %w", teamID, ErrNotFound)
	}
	rows, err := tx.Query(ctx, `SELECT agent_id FROM team_members WHERE team_id = $1`, teamID)
	if err != nil {
		return fmt.Errorf("inbox: team %d members: %w", teamID, err)
	}
	members, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("inbox: team %d members: %w", teamID, err)
	}
	return s.scopeChangedTx(ctx, tx, members...)
}

// TeamByName returns the team with that name.
func (s *Store) TeamByName(ctx context.Context, name string) (Team, error) {
	teams, err := s.Teams(ctx)
	if err != nil {
		return Team{}, err
	}
	for _, t := range teams {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t, nil
		}
	}
	return Team{}, fmt.Errorf("inbox: team %q: %w", name, ErrNotFound)
}

// AgentTeams returns the ids of the teams an agent belongs to.
func (s *Store) AgentTeams(ctx context.Context, agentID int64) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT team_id FROM team_members WHERE agent_id = $1 ORDER BY team_id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("inbox: agent teams: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("inbox: agent teams: %w", err)
	}
	return ids, nil
}
