package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Macro action types: each is the single-conversation action of the same name.
const (
	MacroReply    = "reply"    // Store.Send, with placeholders filled
	MacroNote     = "note"     // Store.Note, with placeholders filled
	MacroStatus   = "status"   // Store.SetStatus (resolving checks the team's category rule)
	MacroPriority = "priority" // Store.SetPriority
	MacroTags     = "tags"     // Store.SetTags
	MacroCategory = "category" // Store.SetCategory
	MacroTeam     = "team"     // Store.SetTeamTx
)

// Macro limits.
const (
	MaxMacroActions = 20
	maxMacroName    = 80
)

// MacroAction is one step of a macro; only the fields of its Type count.
type MacroAction struct {
	Type string `json:"type"`
	// Text of a reply or a note; it may hold placeholders (FillPlaceholders).
	Text string `json:"text,omitempty"`
	// Status of a status action.
	Status Status `json:"status,omitempty"`
	// Priority of a priority action.
	Priority Priority `json:"priority,omitempty"`
	// Add and Remove of a tags action.
	Add    []string `json:"add,omitempty"`
	Remove []string `json:"remove,omitempty"`
	// CategoryID of a category action.
	CategoryID int64 `json:"category_id,omitempty"`
	// TeamID of a team action.
	TeamID int64 `json:"team_id,omitempty"`
}

// Macro is a named list of actions run on one conversation in one step. OwnerID 0 is a shared
// macro, which every agent sees and only admins change; otherwise it is its owner's alone.
type Macro struct {
	ID        int64         `json:"id"`
	Name      string        `json:"name"`
	OwnerID   int64         `json:"owner_id,omitempty"`
	Shared    bool          `json:"shared"`
	Actions   []MacroAction `json:"actions"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// placeholderRe is a placeholder: {{name}} or {{name|fallback}}, the fallback used when the
// value is empty.
var placeholderRe = regexp.MustCompile(`\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}`)

// Placeholders are the names a macro's reply or note may hold, as {{name}}.
var Placeholders = []string{"contact.name", "contact.email", "agent.name", "conversation.id"}

// checkPlaceholders refuses a text that names an unknown placeholder.
func checkPlaceholders(field, text string) error {
	for _, m := range placeholderRe.FindAllStringSubmatch(text, -1) {
		known := false
		for _, p := range Placeholders {
			known = known || m[1] == p
		}
		if !known {
			return invalid(field, "unknown placeholder {{%s}}: use %s", m[1], "{{"+strings.Join(Placeholders, "}}, {{")+"}}")
		}
	}
	return nil
}

// FillPlaceholders replaces each {{name}} of text by values[name] and each {{name|fallback}}
// by values[name], or by fallback when that is empty. A name not in values becomes empty (the
// macro's save refused unknown names).
func FillPlaceholders(text string, values map[string]string) string {
	return placeholderRe.ReplaceAllStringFunc(text, func(s string) string {
		m := placeholderRe.FindStringSubmatch(s)
		if v := strings.TrimSpace(values[m[1]]); v != "" {
			return v
		}
		return strings.TrimSpace(m[2])
	})
}

// clean checks a macro before it is saved, with what needs the database (a category, a team)
// read in tx, and returns it with its tags cleaned.
func (m *Macro) clean(ctx context.Context, tx pgx.Tx) error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case m.Name == "":
		return invalid("name", "is required")
	case utf8.RuneCountInString(m.Name) > maxMacroName:
		return invalid("name", "longer than %d characters", maxMacroName)
	case len(m.Actions) == 0:
		return invalid("actions", "give at least one action")
	case len(m.Actions) > MaxMacroActions:
		return invalid("actions", "at most %d actions, not %d", MaxMacroActions, len(m.Actions))
	}
	if err := CleanAgentText("name", m.Name); err != nil {
		return err
	}
	for i := range m.Actions {
		if err := m.Actions[i].clean(ctx, tx, fmt.Sprintf("actions[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// clean checks one action: its type, the fields of that type (and no other), their values.
func (a *MacroAction) clean(ctx context.Context, tx pgx.Tx, field string) error {
	a.Type = strings.TrimSpace(a.Type)
	set := map[string]bool{"text": a.Text != "", "status": a.Status != "", "priority": a.Priority != "",
		"add": len(a.Add) > 0, "remove": len(a.Remove) > 0, "category_id": a.CategoryID != 0, "team_id": a.TeamID != 0}
	takes := map[string][]string{MacroReply: {"text"}, MacroNote: {"text"}, MacroStatus: {"status"},
		MacroPriority: {"priority"}, MacroTags: {"add", "remove"}, MacroCategory: {"category_id"}, MacroTeam: {"team_id"}}
	allowed, ok := takes[a.Type]
	if !ok {
		return invalid(field+".type", "must be reply, note, status, priority, tags, category or team, not %q", a.Type)
	}
	for name, on := range set {
		if on && !strings.Contains(" "+strings.Join(allowed, " ")+" ", " "+name+" ") {
			return invalid(field+"."+name, "does not go with a %s action (it takes %s)", a.Type, strings.Join(allowed, ", "))
		}
	}
	var err error
	switch a.Type {
	case MacroReply, MacroNote:
		a.Text = strings.TrimSpace(a.Text)
		switch {
		case a.Text == "":
			return invalid(field+".text", "is required")
		case len(a.Text) > MaxTextBytes:
			return invalid(field+".text", "longer than %d bytes", MaxTextBytes)
		}
		if err := CleanAgentText(field+".text", a.Text); err != nil {
			return err
		}
		return checkPlaceholders(field+".text", a.Text)
	case MacroStatus:
		if !a.Status.Valid() || a.Status == StatusSnoozed {
			return invalid(field+".status", "must be new, open, pending, resolved or closed, not %q", a.Status)
		}
	case MacroPriority:
		if !a.Priority.Valid() {
			return invalid(field+".priority", "must be low, normal, high or urgent, not %q", a.Priority)
		}
	case MacroTags:
		if a.Add, err = cleanTags(a.Add); err != nil {
			return err
		}
		if a.Remove, err = cleanTags(a.Remove); err != nil {
			return err
		}
		if len(a.Add)+len(a.Remove) == 0 {
			return invalid(field+".add", "give tags to add or to remove")
		}
	case MacroCategory:
		if a.CategoryID <= 0 {
			return invalid(field+".category_id", "is required")
		}
		_, err = usableCategory(ctx, tx, a.CategoryID)
	case MacroTeam:
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)`, a.TeamID).Scan(&exists); err != nil {
			return fmt.Errorf("inbox: macro: team: %w", err)
		}
		if !exists {
			return invalid(field+".team_id", "no team %d", a.TeamID)
		}
	}
	return err
}

const macroCols = `id, name, coalesce(owner_id, 0), actions, created_at, updated_at`

func scanMacro(r pgx.Row) (Macro, error) {
	var m Macro
	var raw []byte
	if err := r.Scan(&m.ID, &m.Name, &m.OwnerID, &raw, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return Macro{}, err
	}
	m.Shared = m.OwnerID == 0
	if err := json.Unmarshal(raw, &m.Actions); err != nil {
		return Macro{}, fmt.Errorf("macro %d actions: %w", m.ID, err)
	}
	return m, nil
}

// Macros lists the macros agentID may run: the shared ones and their own, by name.
func (s *Store) Macros(ctx context.Context, agentID int64) ([]Macro, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+macroCols+` FROM macros
		WHERE owner_id IS NULL OR owner_id = $1 ORDER BY lower(name), owner_id NULLS FIRST, id`, agentID)
	if err != nil {
		return nil, fmt.Errorf("inbox: macros: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Macro, error) { return scanMacro(r) })
	if err != nil {
		return nil, fmt.Errorf("inbox: macros: %w", err)
	}
	return out, nil
}

// macroFor reads macro id in tx as by may use it: shared, or their own; any other is
// ErrNotFound, so another agent's personal macros do not leak.
func macroFor(ctx context.Context, tx pgx.Tx, id, agentID int64) (Macro, error) {
	m, err := scanMacro(tx.QueryRow(ctx, `SELECT `+macroCols+` FROM macros
		WHERE id = $1 AND (owner_id IS NULL OR owner_id = $2)`, id, agentID))
	if err != nil {
		return Macro{}, fmt.Errorf("inbox: macro %d: %w", id, notFound(err))
	}
	return m, nil
}

// mayChange refuses a change of macro m by agent by: a shared macro is an admin's to change.
func mayChange(m Macro, by Agent) error {
	if m.Shared && !by.Role.AtLeast(RoleAdmin) {
		return fmt.Errorf("inbox: macro: only an admin may change shared macros: %w", ErrForbidden)
	}
	return nil
}

// SaveMacroTx creates (m.ID 0) or replaces a macro in the caller's transaction, as agent by:
// m.Shared makes it shared (admins only: ErrForbidden), else it is by's own. An id by may not
// see is ErrNotFound; a name taken (among the shared, or among by's own) is ErrConflict; bad
// input, an unknown placeholder among it, is a *ValidationError. A macro keeps its owner: it
// cannot move between shared and personal.
func (s *Store) SaveMacroTx(ctx context.Context, tx pgx.Tx, m Macro, by Agent) (Macro, error) {
	if err := mayChange(m, by); err != nil {
		return Macro{}, err
	}
	if err := m.clean(ctx, tx); err != nil {
		return Macro{}, fmt.Errorf("inbox: macro: %w", err)
	}
	m.OwnerID = by.ID
	if m.Shared {
		m.OwnerID = 0
	}
	actions, err := json.Marshal(m.Actions)
	if err != nil {
		return Macro{}, fmt.Errorf("inbox: macro: %w", err)
	}
	now := s.now()
	if m.ID == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO macros (name, owner_id, actions, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id, created_at, updated_at`, m.Name, nonZero(m.OwnerID), actions, now).
			Scan(&m.ID, &m.CreatedAt, &m.UpdatedAt)
	} else {
		var old Macro
		if old, err = macroFor(ctx, tx, m.ID, by.ID); err != nil {
			return Macro{}, err
		}
		if old.Shared != m.Shared {
			return Macro{}, fmt.Errorf("inbox: macro: %w", invalid("shared", "a macro stays shared or personal; create a new one"))
		}
		err = tx.QueryRow(ctx, `UPDATE macros SET name = $2, actions = $3, updated_at = $4 WHERE id = $1
			RETURNING created_at, updated_at`, m.ID, m.Name, actions, now).Scan(&m.CreatedAt, &m.UpdatedAt)
	}
	if isUniqueViolation(err) {
		return Macro{}, fmt.Errorf("inbox: macro %q exists: %w", m.Name, ErrConflict)
	}
	if err != nil {
		return Macro{}, fmt.Errorf("inbox: macro: %w", notFound(err))
	}
	return m, nil
}

// DeleteMacroTx removes macro id as agent by (the rules of SaveMacroTx) and returns it.
func (s *Store) DeleteMacroTx(ctx context.Context, tx pgx.Tx, id int64, by Agent) (Macro, error) {
	m, err := macroFor(ctx, tx, id, by.ID)
	if err != nil {
		return Macro{}, err
	}
	if err := mayChange(m, by); err != nil {
		return Macro{}, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM macros WHERE id = $1`, id); err != nil {
		return Macro{}, fmt.Errorf("inbox: macro %d: %w", id, err)
	}
	return m, nil
}

// SaveMacro is SaveMacroTx in a transaction of its own.
func (s *Store) SaveMacro(ctx context.Context, m Macro, by Agent) (Macro, error) {
	var out Macro
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = s.SaveMacroTx(ctx, tx, m, by)
		return err
	})
	return out, err
}
