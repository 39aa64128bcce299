package web

import (
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// categoriesView is the admin page of categories, resolution codes and the teams that require
// a category.
type categoriesView struct {
	Categories []inbox.Category
	Parents    []inbox.Category // the top-level categories, which may take children
	Codes      []inbox.ResolutionCode
	Teams      []inbox.Team
	Required   map[int64]bool
}

// adminCategories is GET /admin/categories.
func (s *Server) adminCategories(w http.ResponseWriter, r *http.Request) error {
	return s.renderCategories(w, r, http.StatusOK, "")
}

func (s *Server) renderCategories(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ctx := r.Context()
	v := categoriesView{}
	var err error
	if v.Categories, err = s.store.Categories(ctx); err != nil {
		return err
	}
	for _, c := range v.Categories {
		if c.ParentID == nil && !c.Archived {
			v.Parents = append(v.Parents, c)
		}
	}
	if v.Codes, err = s.store.ResolutionCodes(ctx); err != nil {
		return err
	}
	if v.Teams, err = s.store.Teams(ctx); err != nil {
		return err
	}
	if v.Required, err = s.store.RequireCategoryTeams(ctx); err != nil {
		return err
	}
	s.render(w, r, status, "admin_categories", page{Title: s.words(r).t("title.categories"), Agent: agentFrom(ctx), Nav: "admin",
		Notice: s.words(r).t(categoryNotices[r.URL.Query().Get("saved")]), Error: errMsg, Body: v})
	return nil
}

// categoryNotices are the messages the categories page shows after a change.
var categoryNotices = map[string]string{
	"category": "notice.categories.category", "code": "notice.categories.code", "required": "notice.categories.required",
	"deleted": "notice.categories.deleted", "code_deleted": "notice.categories.code_deleted",
}

// saveCategory is POST /admin/categories (a new one: name, parent_id, complaint) and POST
// /admin/categories/{id} (rename, complaint, archived).
func (s *Server) saveCategory(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	in := inbox.CategoryInput{Name: r.PostForm.Get("name"), Complaint: r.PostForm.Get("complaint") == "on",
		Archived: r.PostForm.Get("archived") == "on"}
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in.ID = id
	} else if r.PostForm.Get("parent_id") != "" && r.PostForm.Get("parent_id") != "0" {
		id, err := formID(r, "parent_id")
		if err != nil {
			return err
		}
		in.ParentID = id
	}
	err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		c, err := s.store.SaveCategoryTx(r.Context(), tx, in)
		action := "updated"
		if in.ID == 0 {
			action = "created"
		}
		return auditActorOf(r).Record(inbox.AuditCategoryChanged, inbox.AuditTarget("category", c.ID),
			map[string]any{"action": action, "path": c.Path, "complaint": c.Complaint, "archived": c.Archived}), err
	})
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderCategories(w, r, http.StatusBadRequest, userMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/categories?saved=category", http.StatusSeeOther)
	return nil
}

// saveResolutionCode is POST /admin/resolution-codes (name) and POST
// /admin/resolution-codes/{id} (rename, archived).
func (s *Server) saveResolutionCode(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		c, err := s.store.SaveResolutionCodeTx(r.Context(), tx, id, r.PostForm.Get("name"), r.PostForm.Get("archived") == "on")
		action := "updated"
		if id == 0 {
			action = "created"
		}
		return auditActorOf(r).Record(inbox.AuditCategoryChanged, inbox.AuditTarget("resolution_code", c.ID),
			map[string]any{"action": action, "name": c.Name, "archived": c.Archived}), err
	})
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderCategories(w, r, http.StatusBadRequest, userMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/categories?saved=code", http.StatusSeeOther)
	return nil
}

// setRequireCategory is POST /admin/teams/{id}/require-category (on=true|false).
func (s *Server) setRequireCategory(w http.ResponseWriter, r *http.Request) error {
	team, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	on := r.PostForm.Get("on") == "true"
	if err := s.store.Audited(r.Context(), func(tx pgx.Tx) (inbox.AuditRecord, error) {
		return auditActorOf(r).Record(inbox.AuditTeamChanged, inbox.AuditTarget("team", team),
			map[string]any{"action": "require_category", "on": on}), s.store.SetRequireCategoryTx(r.Context(), tx, team, on)
	}); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/categories?saved=required", http.StatusSeeOther)
	return nil
}
