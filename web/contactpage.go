package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// contactView is the contact page.
type contactView struct {
	inbox.ContactDetail
	Fields    []attrField
	Companies []inbox.Company
	Merges    []inbox.MergeRecord
	// Duplicates are the contacts who may be the same customer, each with a merge preview link.
	Duplicates []inbox.Duplicate
	// Answers are the customer's survey answers, newest first (the latest 20 the viewer may see).
	Answers []workflow.Feedback
	// NewConv is the "New conversation" dialog's choices, writing to this contact.
	NewConv newConvForm
}

// attrField is one custom attribute's form field: its definition and the value shown.
type attrField struct {
	Def   inbox.AttributeDef
	Value string
}

// attrFields are the form fields of defs with the values of attrs.
func attrFields(defs []inbox.AttributeDef, attrs map[string]any) []attrField {
	out := make([]attrField, len(defs))
	for i, d := range defs {
		out[i] = attrField{Def: d, Value: attrText(attrs[d.Key])}
	}
	return out
}

// attrText is an attribute value as text: numbers without a needless ".0".
func attrText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return ""
}

// contactPage is GET /contacts/{id}: the customer's identities, conversations on every channel,
// lifetime figures and editable profile.
func (s *Server) contactPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderContact(w, r, id, http.StatusOK, "")
}

func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, id int64, status int, errMsg string) error {
	ctx := r.Context()
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	d, err := sc.ContactDetail(ctx, id)
	if err != nil {
		return err
	}
	if d.Contact.ID != id { // merged: its page is the contact it joined
		http.Redirect(w, r, contactURL(d.Contact.ID), http.StatusSeeOther)
		return nil
	}
	v := contactView{ContactDetail: d}
	defs, err := s.store.AttributeDefs(ctx, inbox.AttrContact)
	if err != nil {
		return err
	}
	v.Fields = attrFields(defs, d.Contact.Attributes)
	if v.Companies, err = s.store.Companies(ctx, ""); err != nil {
		return err
	}
	if v.Merges, err = sc.Merges(ctx, id); err != nil {
		return err
	}
	if v.Duplicates, err = sc.Duplicates(ctx, id); err != nil {
		return err
	}
	if v.NewConv, err = newConvFormOf(ctx, sc, &d.Contact); err != nil {
		return err
	}
	if s.sla != nil {
		answers, err := s.sla.Feedback(ctx, sc.Viewer(), workflow.FeedbackFilter{ContactID: id, Limit: 20})
		if err != nil {
			return err
		}
		v.Answers = answers.Answers
	}
	notice := s.words(r).t(map[string]string{"contact": "notice.contact.contact", "merge": "notice.contact.merge",
		"undo": "notice.contact.undo", "erased": "notice.contact.erased"}[r.URL.Query().Get("saved")])
	s.render(w, r, status, "contact", page{Title: s.words(r).t("title.contact", "name", or(d.Contact.Name, s.words(r).t("common.unknown_customer"))), Agent: agentFrom(ctx),
		Nav: "contacts", Notice: notice, Error: errMsg, Body: v})
	return nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// saveContactForm is POST /contacts/{id}: the profile form of the contact page and of the
// conversation's side panel (which sends back=/inbox/N to return there). Only the fields the
// form carries change; attributes come as attr.KEY.
func (s *Server) saveContactForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := r.PostForm
	var p inbox.ContactPatch
	str := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := f.Get(name)
		return &v
	}
	p.Name, p.Tier, p.Notes = str("name"), str("tier"), str("notes")
	if t := str("tags"); t != nil {
		tags := strings.Split(*t, ",")
		p.Tags = &tags
	}
	if c := str("company_id"); c != nil {
		var cid int64
		if *c != "" {
			if cid, err = strconv.ParseInt(*c, 10, 64); err != nil || cid <= 0 {
				return badRequest("company_id must be a company")
			}
		}
		p.CompanyID = &cid
	}
	for k := range f {
		if key, ok := strings.CutPrefix(k, "attr."); ok {
			if p.Attributes == nil {
				p.Attributes = map[string]any{}
			}
			p.Attributes[key] = f.Get(k)
		}
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	_, err = sc.UpdateContact(r.Context(), id, p, auditActorOf(r))
	back := localPath(f.Get("back"), contactURL(id))
	if errors.Is(err, inbox.ErrInvalid) && back == contactURL(id) {
		var ve *inbox.ValidationError
		errors.As(err, &ve)
		return s.renderContact(w, r, id, http.StatusBadRequest, s.words(r).t("contact.not_saved", "reason", ve.Error()))
	}
	if err != nil {
		return err
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"saved=contact", http.StatusSeeOther)
	return nil
}

// patchContact is PATCH /api/v1/contacts/{id} {name, tier, tags, notes, attributes, company_id}:
// it answers the contact as changed.
func (s *Server) patchContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var p inbox.ContactPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	c, err := sc.UpdateContact(r.Context(), id, p, auditActorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
