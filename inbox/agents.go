package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"
)

// Role is what an agent may do: agents work conversations, supervisors also see reports and
// the SLA board, admins also manage agents, teams, inboxes, rules and policies.
type Role string

// Roles, least privileged first.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAgent || r == RoleSupervisor || r == RoleAdmin }

// AtLeast reports whether r includes the rights of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

func (r Role) rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Agent is a member of the support staff.
type Agent struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	Capacity     int    `json:"capacity"`
	Availability string `json:"availability"`
	// Active is false once the agent is deactivated: they keep their name and history but
	// cannot sign in, use a token or be assigned.
	Active bool `json:"active"`
}

// NewAgent is the input of CreateAgent.
type NewAgent struct {
	Email    string
	Name     string
	Role     Role
	Password string
	Capacity int // 0 means 10
}

// CreateAgent adds an agent on the system's behalf (see CreateAgentBy).
func (s *Store) CreateAgent(ctx context.Context, a NewAgent) (Agent, error) {
	return s.CreateAgentBy(ctx, a, AuditActor{})
}

// CreateAgentBy adds an agent with a bcrypt password hash, and records it in the audit log in
// the same transaction. An email already taken is ErrConflict.
func (s *Store) CreateAgentBy(ctx context.Context, a NewAgent, by AuditActor) (Agent, error) {
	email, err := normalizeEmail(a.Email)
	if err != nil {
		return Agent{}, fmt.Errorf("inbox: agent: %w", err)
	}
	if strings.TrimSpace(a.Name) == "" {
		return Agent{}, fmt.Errorf("inbox: agent: %w", invalid("name", "is required"))
	}
	if a.Role == "" {
		a.Role = RoleAgent
	}
	if !a.Role.Valid() {
		return Agent{}, fmt.Errorf("inbox: agent: %w", invalid("role", "must be agent, supervisor or admin"))
	}
	hash, err := s.hashPassword(a.Password)
	if err != nil {
		return Agent{}, fmt.Errorf("inbox: agent: %w", err)
	}
	if a.Capacity == 0 {
		a.Capacity = 10
	}
	var out Agent
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO agents (email, name, role, password_hash, capacity, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+agentCols,
			email, strings.TrimSpace(a.Name), a.Role, hash, a.Capacity, s.now()).
			Scan(&out.ID, &out.Email, &out.Name, &out.Role, &out.Capacity, &out.Availability, &out.Active)
		if err != nil {
			return err
		}
		return s.RecordAuditTx(ctx, tx, by.Record(AuditAgentCreated, AuditTarget("agent", out.ID),
			map[string]any{"email": out.Email, "role": string(out.Role)}))
	})
	if isUniqueViolation(err) {
		return Agent{}, fmt.Errorf("inbox: agent %s exists: %w", email, ErrConflict)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("inbox: agent: %w", err)
	}
	return out, nil
}

const agentCols = `id, email, name, role, capacity, availability, deactivated_at IS NULL`

// GetAgent returns one agent.
func (s *Store) GetAgent(ctx context.Context, id int64) (Agent, error) {
	return s.agentWhere(ctx, "id = $1", id)
}

// AgentByEmail returns the agent with that email.
func (s *Store) AgentByEmail(ctx context.Context, email string) (Agent, error) {
	return s.agentWhere(ctx, "email = $1", strings.ToLower(strings.TrimSpace(email)))
}

func (s *Store) agentWhere(ctx context.Context, where string, arg any) (Agent, error) {
	var a Agent
	err := s.pool.QueryRow(ctx, "SELECT "+agentCols+" FROM agents WHERE "+where, arg).
		Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active)
	if err != nil {
		return a, fmt.Errorf("inbox: agent: %w", notFound(err))
	}
	return a, nil
}

// Agents lists every agent by name.
func (s *Store) Agents(ctx context.Context) ([]Agent, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+agentCols+" FROM agents ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("inbox: agents: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Agent, error) {
		var a Agent
		err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: agents: %w", err)
	}
	return out, nil
}

// ErrBadCredentials means the email or the password is wrong; which one is not told.
var ErrBadCredentials = errors.New("wrong email or password")

// Authenticate checks an agent's email and password. A deactivated agent is ErrBadCredentials.
func (s *Store) Authenticate(ctx context.Context, email, password string) (Agent, error) {
	var a Agent
	var hash string
	err := s.pool.QueryRow(ctx, "SELECT "+agentCols+", password_hash FROM agents WHERE email = $1",
		strings.ToLower(strings.TrimSpace(email))).Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Capacity, &a.Availability, &a.Active, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		// Spend the same time as a real check, so timing does not reveal which emails exist.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return Agent{}, fmt.Errorf("inbox: authenticate: %w", ErrBadCredentials)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("inbox: authenticate: %w", err)
	}
	// A deactivated agent is refused like a wrong password, after the same work.
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || !a.Active {
		return Agent{}, fmt.Errorf("inbox: authenticate: %w", ErrBadCredentials)
	}
	return a, nil
}

// SetAvailability marks an agent available, away or offline and announces the change
// (EventAgentAvailability) in the same transaction.
func (s *Store) SetAvailability(ctx context.Context, agentID int64, availability string) error {
	return s.InTx(ctx, func(tx pgx.Tx) error { return s.SetAvailabilityTx(ctx, tx, agentID, availability) })
}
