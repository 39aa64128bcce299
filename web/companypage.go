package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// companyPageRoutes mounts the companies list and the company page. Any agent sees the
// companies; the contacts and conversations a page lists are those the agent may see.
// Supervisors add and change companies, as in the API.
func (s *Server) companyPageRoutes(m *router) {
	s.guard(m, "GET /companies", inbox.RoleAgent, s.companiesPage)
	s.guard(m, "POST /companies", inbox.RoleSupervisor, s.createCompanyForm)
	s.guard(m, "GET /companies/{id}", inbox.RoleAgent, s.companyPage)
	s.guard(m, "POST /companies/{id}", inbox.RoleSupervisor, s.saveCompanyForm)
}

// companiesView is the companies list.
type companiesView struct {
	Q         string
	Companies []inbox.Company
}

// companiesPage is GET /companies?q=: up to 500 companies by name (q: a name prefix), and the
// form that adds one.
func (s *Server) companiesPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCompanies(w, r, http.StatusOK, "")
}

func (s *Server) renderCompanies(w http.ResponseWriter, r *http.Request, status int, errMsg string) error {
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		return badRequest("q is at most 200 characters")
	}
	cs, err := s.store.Companies(r.Context(), q)
	if err != nil {
		return err
	}
	s.render(w, r, status, "companies", page{Title: s.words(r).t("title.companies"), Agent: agentFrom(r.Context()), Nav: "contacts", Error: errMsg,
		Body: companiesView{Q: q, Companies: cs}})
	return nil
}

// companyForm reads the company form: name, domains (separated by commas, spaces or lines),
// tier and attr.KEY fields. Only the fields the form carries change.
func companyForm(f url.Values) inbox.CompanyPatch {
	var p inbox.CompanyPatch
	str := func(name string) *string {
		if !f.Has(name) {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	p.Name, p.Tier = str("name"), str("tier")
	if d := str("domains"); d != nil {
		ds := strings.FieldsFunc(*d, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' })
		p.Domains = &ds
	}
	for k := range f {
		if key, ok := strings.CutPrefix(k, "attr."); ok {
			if p.Attributes == nil {
				p.Attributes = map[string]any{}
			}
			p.Attributes[key] = f.Get(k)
		}
	}
	return p
}

// createCompanyForm is POST /companies: the list's form adds a company and opens its page.
func (s *Server) createCompanyForm(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	c, err := s.store.SaveCompany(r.Context(), 0, companyForm(r.PostForm), auditActorOf(r))
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderCompanies(w, r, http.StatusBadRequest, userMessage(s.words(r), err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, companyURL(c.ID)+"?saved=company", http.StatusSeeOther)
	return nil
}

// companyView is the company page.
type companyView struct {
	Company       inbox.Company
	Fields        []attrField
	Contacts      []inbox.ContactRow
	More          string // the contact list of the company, when it has more than the page shows
	Conversations []inbox.CompanyConversation
	Domains       string // the domains as the form shows them
}

// companyPage is GET /companies/{id}: the company's profile (editable by supervisors), its
// contacts and their newest conversations, as far as the viewer may see them.
func (s *Server) companyPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderCompany(w, r, id, http.StatusOK, "")
}

func (s *Server) renderCompany(w http.ResponseWriter, r *http.Request, id int64, status int, errMsg string) error {
	ctx := r.Context()
	c, err := s.store.GetCompany(ctx, id)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	v := companyView{Company: c, Domains: strings.Join(c.Domains, ", ")}
	contacts, err := sc.ListContacts(ctx, inbox.ContactQuery{CompanyID: id, Limit: 50})
	if err != nil {
		return err
	}
	v.Contacts = contacts.Contacts
	if contacts.Next != "" {
		v.More = "/contacts?company=" + strconv.FormatInt(id, 10)
	}
	if v.Conversations, err = sc.CompanyConversations(ctx, id, 50); err != nil {
		return err
	}
	defs, err := s.store.AttributeDefs(ctx, inbox.AttrCompany)
	if err != nil {
		return err
	}
	v.Fields = attrFields(defs, c.Attributes)
	notice := s.words(r).t(map[string]string{"company": "notice.company.company"}[r.URL.Query().Get("saved")])
	s.render(w, r, status, "company", page{Title: s.words(r).t("title.company", "name", c.Name), Agent: agentFrom(ctx), Nav: "contacts",
		Notice: notice, Error: errMsg, Body: v})
	return nil
}

// saveCompanyForm is POST /companies/{id}: the company page's form.
func (s *Server) saveCompanyForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	_, err = s.store.SaveCompany(r.Context(), id, companyForm(r.PostForm), auditActorOf(r))
	if errors.Is(err, inbox.ErrInvalid) || errors.Is(err, inbox.ErrConflict) {
		return s.renderCompany(w, r, id, http.StatusBadRequest, s.words(r).t("company.not_saved", "reason", userMessage(s.words(r), err)))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, companyURL(id)+"?saved=company", http.StatusSeeOther)
	return nil
}

// companyURL is the address of a company's page.
func companyURL(id int64) string { return "/companies/" + strconv.FormatInt(id, 10) }
