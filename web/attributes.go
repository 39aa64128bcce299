package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// attributesView is the admin page of custom attributes and companies.
type attributesView struct {
	Contact, Company []inbox.AttributeDef
	Types            []inbox.AttributeType
	Companies        []inbox.Company
}

// adminAttributes is GET /admin/attributes: the contact and company attributes agents fill in,
// and the companies.
func (s *Server) adminAttributes(w http.ResponseWriter, r *http.Request) error {
	return s.renderAttributes(w, r, http.StatusOK, "")
}

func (s *Server) renderAttributes(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	ctx := r.Context()
	v := attributesView{Types: []inbox.AttributeType{inbox.AttrText, inbox.AttrNumber, inbox.AttrDate, inbox.AttrBoolean, inbox.AttrList}}
	var err error
	if v.Contact, err = s.store.AttributeDefs(ctx, inbox.AttrContact); err != nil {
		return err
	}
	if v.Company, err = s.store.AttributeDefs(ctx, inbox.AttrCompany); err != nil {
		return err
	}
	if v.Companies, err = s.store.Companies(ctx, ""); err != nil {
		return err
	}
	notice := s.words(r).t(map[string]string{"attribute": "notice.attributes.attribute", "company": "notice.attributes.company",
		"deleted": "notice.attributes.deleted"}[r.URL.Query().Get("saved")])
	s.render(w, r, status, "admin_attributes", page{Title: s.words(r).t("title.contact_fields"), Agent: agentFrom(ctx), Nav: "admin",
		Notice: notice, Error: errMsg, Body: v})
	return nil
}

// saveAttributeForm is POST /admin/attributes: object, key, label, type and options (one a line
// or comma separated) define an attribute; with company_name instead, a company is added.
func (s *Server) saveAttributeForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	var err error
	what := "attribute"
	if name := f.Get("company_name"); f.Has("company_name") {
		what = "company"
		domains := strings.FieldsFunc(f.Get("domains"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
		tier := f.Get("tier")
		_, err = s.store.SaveCompany(r.Context(), 0, inbox.CompanyPatch{Name: &name, Domains: &domains, Tier: &tier}, auditActorOf(r))
	} else {
		d := inbox.AttributeDef{Object: f.Get("object"), Key: strings.TrimSpace(f.Get("key")), Label: f.Get("label"),
			Type: inbox.AttributeType(f.Get("type"))}
		for _, o := range strings.FieldsFunc(f.Get("options"), func(r rune) bool { return r == ',' || r == '\n' }) {
			if o = strings.TrimSpace(o); o != "" {
				d.Options = append(d.Options, o)
			}
		}
		_, err = s.store.SaveAttributeDef(r.Context(), d, auditActorOf(r))
	}
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderAttributes(w, r, http.StatusBadRequest, userMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	saved(w, r, "/admin/attributes", what)
	return nil
}

// listAttributes is GET /api/v1/attributes: the contact and company attribute definitions.
func (s *Server) listAttributes(w http.ResponseWriter, r *http.Request) error {
	c, err := s.store.AttributeDefs(r.Context(), inbox.AttrContact)
	if err != nil {
		return err
	}
	co, err := s.store.AttributeDefs(r.Context(), inbox.AttrCompany)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]inbox.AttributeDef{"contact": c, "company": co})
	return nil
}

// saveAttribute is POST /api/v1/attributes {object, key, label, type, options}: it defines an
// attribute, or redefines the one with that object and key.
func (s *Server) saveAttribute(w http.ResponseWriter, r *http.Request) error {
	var d inbox.AttributeDef
	if err := decode(w, r, &d); err != nil {
		return err
	}
	d.ID = 0
	d, err := s.store.SaveAttributeDef(r.Context(), d, auditActorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
