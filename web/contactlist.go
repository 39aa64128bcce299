package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// contactRoutes mounts the contact list and page, their API and the admin's attribute
// definitions. Every read and write goes through the viewer's scope: an agent sees the contacts
// of the conversations they may see.
func (s *Server) contactRoutes(m *router) {
	agent, admin := inbox.RoleAgent, inbox.RoleAdmin
	s.guard(m, "GET /contacts", agent, s.contactsPage)
	s.guard(m, "GET /contacts/{id}", agent, s.contactPage)
	s.guard(m, "POST /contacts/{id}", agent, s.saveContactForm)
	m.Handle("GET /api/v1/contacts", s.api(s.listContacts))
	m.Handle("PATCH /api/v1/contacts/{id}", s.api(s.patchContact))
	s.guard(m, "GET /admin/attributes", admin, s.adminAttributes)
	s.guard(m, "POST /admin/attributes", admin, s.saveAttributeForm)
	s.guardAPI(m, "GET /api/v1/attributes", admin, s.listAttributes)
	s.guardAPI(m, "POST /api/v1/attributes", admin, s.saveAttribute)
	s.guard(m, "POST /admin/attributes/delete", admin, s.deleteAttributeForm)
	s.guardAPI(m, "DELETE /api/v1/attributes/{object}/{key}", admin, s.deleteAttribute)
	s.companyRoutes(m)
}

// contactFilter is the contact list's filter form as the query string carries it.
type contactFilter struct {
	Q, Tag, Tier, Channel, Seen, Company string
}

// seenPeriods are the "last seen" choices, in days.
var seenPeriods = []string{"7", "30", "90"}

// contactQueryOf reads the list's filters and cursor from the query string.
func (s *Server) contactQueryOf(r *http.Request) (inbox.ContactQuery, contactFilter, error) {
	v := r.URL.Query()
	f := contactFilter{Q: v.Get("q"), Tag: v.Get("tag"), Tier: v.Get("tier"), Channel: v.Get("channel"),
		Seen: v.Get("seen"), Company: v.Get("company")}
	q := inbox.ContactQuery{Text: f.Q, Tag: strings.ToLower(strings.TrimSpace(f.Tag)), Tier: strings.ToLower(strings.TrimSpace(f.Tier)),
		Channel: inbox.Channel(f.Channel), Cursor: v.Get("cursor")}
	for _, field := range []string{f.Q, f.Tag, f.Tier} {
		if len(field) > 200 {
			return q, f, badRequest("a filter is at most 200 characters")
		}
	}
	if f.Company != "" {
		id, err := strconv.ParseInt(f.Company, 10, 64)
		if err != nil || id <= 0 {
			return q, f, badRequest("company must be a company id")
		}
		q.CompanyID = id
	}
	if f.Seen != "" {
		days, err := strconv.Atoi(f.Seen)
		if err != nil || days <= 0 || days > 3650 {
			return q, f, badRequest("seen is a number of days, 1 to 3650")
		}
		q.SeenSince = s.now().Add(-time.Duration(days) * 24 * time.Hour)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return q, f, badRequest("limit must be a positive integer")
		}
		q.Limit = n
	}
	return q, f, nil
}

// listContacts is GET /api/v1/contacts?q=&tag=&tier=&company=&channel=&seen=DAYS&cursor=&limit=:
// one keyset page of the contacts the caller may see, newest first.
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	q, _, err := s.contactQueryOf(r)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	page, err := sc.ListContacts(r.Context(), q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// contactsView is the contact list page.
type contactsView struct {
	Filter   contactFilter
	Rows     []inbox.ContactRow
	Next     string         // the next page's address, empty on the last
	First    string         // the first page's address, when this is not it
	Company  *inbox.Company // the company filtered on: the list is its page
	Channels []inbox.Channel
	Seen     []string
}

// contactsPage is GET /contacts: the searchable, filtered list of contacts.
func (s *Server) contactsPage(w http.ResponseWriter, r *http.Request) error {
	q, f, err := s.contactQueryOf(r)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	res, err := sc.ListContacts(r.Context(), q)
	if err != nil {
		return err
	}
	view := contactsView{Filter: f, Rows: res.Contacts, Channels: inbox.Channels(), Seen: seenPeriods}
	if q.CompanyID != 0 {
		co, err := s.store.GetCompany(r.Context(), q.CompanyID)
		if err != nil {
			return err
		}
		view.Company = &co
	}
	if res.Next != "" {
		next := r.URL.Query()
		next.Set("cursor", res.Next)
		view.Next = "/contacts?" + next.Encode()
	}
	if q.Cursor != "" {
		first := r.URL.Query()
		first.Del("cursor")
		view.First = "/contacts?" + first.Encode()
	}
	s.render(w, r, http.StatusOK, "contacts", page{Title: s.words(r).t("title.contacts"), Agent: agentFrom(r.Context()), Nav: "contacts", Body: view})
	return nil
}

// contactURL is the address of a contact's page.
func contactURL(id int64) string { return "/contacts/" + url.PathEscape(strconv.FormatInt(id, 10)) }
