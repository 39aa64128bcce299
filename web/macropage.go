package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// macroForm is the macro form's fields: at most one action of each type, applied in the order
// tags, priority, team, category, note, reply, status (so a reply is sent before a resolve).
// A macro with other actions (two replies, another order) is edited through the API.
type macroForm struct {
	ID                  int64
	Name                string
	Shared              bool
	Reply, Note         string
	AddTags, RemoveTags string
	Priority            inbox.Priority
	Status              inbox.Status
	TeamID, CategoryID  int64
}

// formOf is m in the form, or false when the form cannot hold it.
func formOf(m inbox.Macro) (macroForm, bool) {
	f := macroForm{ID: m.ID, Name: m.Name, Shared: m.Shared}
	seen := map[string]bool{}
	for _, a := range m.Actions {
		if seen[a.Type] {
			return f, false
		}
		seen[a.Type] = true
		switch a.Type {
		case inbox.MacroReply:
			f.Reply = a.Text
		case inbox.MacroNote:
			f.Note = a.Text
		case inbox.MacroTags:
			f.AddTags, f.RemoveTags = strings.Join(a.Add, ", "), strings.Join(a.Remove, ", ")
		case inbox.MacroPriority:
			f.Priority = a.Priority
		case inbox.MacroStatus:
			f.Status = a.Status
		case inbox.MacroTeam:
			f.TeamID = a.TeamID
		case inbox.MacroCategory:
			f.CategoryID = a.CategoryID
		}
	}
	return f, true
}

// macro is the form as a macro; the inbox layer checks it.
func (f macroForm) macro() inbox.Macro {
	m := inbox.Macro{ID: f.ID, Name: f.Name, Shared: f.Shared}
	tags := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })
	}
	if add, remove := tags(f.AddTags), tags(f.RemoveTags); len(add)+len(remove) > 0 {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroTags, Add: add, Remove: remove})
	}
	if f.Priority != "" {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroPriority, Priority: f.Priority})
	}
	if f.TeamID != 0 {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroTeam, TeamID: f.TeamID})
	}
	if f.CategoryID != 0 {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroCategory, CategoryID: f.CategoryID})
	}
	if strings.TrimSpace(f.Note) != "" {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroNote, Text: f.Note})
	}
	if strings.TrimSpace(f.Reply) != "" {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroReply, Text: f.Reply})
	}
	if f.Status != "" {
		m.Actions = append(m.Actions, inbox.MacroAction{Type: inbox.MacroStatus, Status: f.Status})
	}
	return m
}

// macroRow is one macro of the page: whether the viewer may change it, and whether the form
// can hold it.
type macroRow struct {
	inbox.Macro
	Mine, Editable, Formable bool
}

// macrosView is the macros page.
type macrosView struct {
	List         []macroRow
	Form         macroForm
	Admin        bool
	Placeholders []string
	Teams        []inbox.Team
	Categories   []inbox.Category
	Statuses     []inbox.Status
	Priorities   []inbox.Priority
}

// macrosPage is GET /macros (?edit=id fills the form with that macro).
func (s *Server) macrosPage(w http.ResponseWriter, r *http.Request) error {
	var form macroForm
	if v := r.URL.Query().Get("edit"); v != "" {
		id, _ := strconv.ParseInt(v, 10, 64)
		list, err := s.store.Macros(r.Context(), agentFrom(r.Context()).ID)
		if err != nil {
			return err
		}
		for _, m := range list {
			if f, ok := formOf(m); ok && m.ID == id {
				form = f
			}
		}
	}
	return s.renderMacros(w, r, http.StatusOK, form, "")
}

func (s *Server) renderMacros(w http.ResponseWriter, r *http.Request, status int, form macroForm, errMsg string) error {
	a := agentFrom(r.Context())
	list, err := s.store.Macros(r.Context(), a.ID)
	if err != nil {
		return err
	}
	teams, cats, err := s.macroChoices(r.Context())
	if err != nil {
		return err
	}
	admin := a.Role.AtLeast(inbox.RoleAdmin)
	rows := make([]macroRow, len(list))
	for i, m := range list {
		_, formable := formOf(m)
		rows[i] = macroRow{Macro: m, Mine: !m.Shared, Editable: !m.Shared || admin, Formable: formable}
	}
	s.render(w, r, status, "macros", page{Title: s.words(r).t("title.macros"), Agent: a, Nav: "inbox",
		Notice: s.words(r).t(map[string]string{"macro": "notice.macros.macro", "deleted": "notice.macros.deleted"}[r.URL.Query().Get("saved")]), Error: errMsg,
		Body: macrosView{List: rows, Form: form, Admin: admin, Placeholders: inbox.Placeholders, Teams: teams, Categories: cats,
			Statuses:   []inbox.Status{inbox.StatusOpen, inbox.StatusPending, inbox.StatusResolved, inbox.StatusClosed},
			Priorities: []inbox.Priority{inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}}})
	return nil
}

// saveMacroForm is POST /macros: create (no id) or replace a macro from the form.
func (s *Server) saveMacroForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	form := macroForm{Name: f.Get("name"), Shared: f.Get("shared") != "", Reply: f.Get("reply"), Note: f.Get("note"),
		AddTags: f.Get("add_tags"), RemoveTags: f.Get("remove_tags"), Priority: inbox.Priority(f.Get("priority")), Status: inbox.Status(f.Get("status"))}
	for name, to := range map[string]*int64{"id": &form.ID, "team_id": &form.TeamID, "category_id": &form.CategoryID} {
		if v := f.Get(name); v != "" && v != "0" {
			id, err := formID(r, name)
			if err != nil {
				return err
			}
			*to = id
		}
	}
	_, err := s.saveMacro(r, form.macro())
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderMacros(w, r, http.StatusBadRequest, form, existsMessage(s.words(r), err, s.words(r).t("macros.name_exists")))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/macros", "macro")
	return nil
}

// deleteMacroForm is POST /macros/{id}/delete.
func (s *Server) deleteMacroForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.deleteMacro(r, id); err != nil {
		return err
	}
	saved(w, r, "/macros", "deleted")
	return nil
}
