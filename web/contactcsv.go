package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
)

// maxImportBody caps a contact import's file: a larger one is answered 413.
const maxImportBody = 5 << 20

// contactDataRoutes mounts the contact CSV import and export, contact creation, the company
// pages and the possible duplicates. Import is for admins (it creates, changes and merges contacts in bulk);
// export for supervisors and admins (a bulk copy of customers' personal data is a supervisor's
// act, not an agent's), filtered as the contact list is and through the viewer's scope.
func (s *Server) contactDataRoutes(m *router) {
	s.guardAPI(m, "POST /api/v1/contacts/import", inbox.RoleAdmin, s.importContacts)
	s.guardAPI(m, "GET /api/v1/contacts/export", inbox.RoleSupervisor, s.exportContacts)
	s.guard(m, "POST /contacts/import", inbox.RoleAdmin, s.importContactsForm)
	s.guard(m, "GET /contacts/export", inbox.RoleSupervisor, s.exportContacts)
	m.Handle("GET /api/v1/contacts/{id}/duplicates", s.api(s.contactDuplicates))
	s.guardAPI(m, "POST /api/v1/contacts", inbox.RoleSupervisor, s.createContact)
	s.companyPageRoutes(m)
}

// importError turns the errors of an import that are not a report into the API's: too many rows
// is 413, like a file too large.
func importError(err error) error {
	if errors.Is(err, inbox.ErrTooManyRows) {
		return &apiError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("at most %d rows: split the file", inbox.MaxImportRows)}
	}
	return err
}

// importContacts is POST /api/v1/contacts/import[?dry_run=true] with the CSV as the body: 200
// with the report (what was, or with dry_run would be, created, updated or merged); 422 with
// the report when rows are refused (nothing is imported then); 400 for a file that is not CSV;
// 413 for more than 5 MB or inbox.MaxImportRows rows.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request) error {
	dry := false
	if v := r.URL.Query().Get("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badRequest("dry_run must be true or false")
		}
		dry = b
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBody))
	if err != nil {
		return err
	}
	rep, err := s.store.ImportContacts(r.Context(), bytes.NewReader(body), dry, auditActorOf(r))
	if errors.Is(err, inbox.ErrInvalid) && len(rep.Errors) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, rep)
		return nil
	}
	if err != nil {
		return importError(err)
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// importView is the import's preview, or its outcome.
type importView struct {
	inbox.ImportReport
	CSV string // the file, sent again by the preview's confirm button
}

// importContactsForm is POST /contacts/import: the contact list's upload (a multipart form with
// the file as "file") answers the dry run's preview; its confirm button sends the file back as
// the "csv" field with confirm=yes, which imports it. A form may also carry the file as "csv".
func (s *Server) importContactsForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBody+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("send the file through the import form")
	}
	data := []byte(r.PostFormValue("csv"))
	if f, _, err := r.FormFile("file"); err == nil {
		defer f.Close()
		if data, err = io.ReadAll(f); err != nil {
			return fmt.Errorf("web: import: read the upload: %w", err)
		}
	}
	if len(data) > maxImportBody {
		return &http.MaxBytesError{Limit: maxImportBody}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badRequest("choose a CSV file to import")
	}
	confirm := r.PostFormValue("confirm") == "yes"
	rep, err := s.store.ImportContacts(r.Context(), bytes.NewReader(data), !confirm, auditActorOf(r))
	tr := s.words(r)
	status, errMsg := http.StatusOK, ""
	switch {
	case err == nil && len(rep.Errors) > 0: // a preview with refused rows
		status, errMsg = http.StatusUnprocessableEntity, tr.t("contacts.import.fix_rows_first")
	case errors.Is(err, inbox.ErrInvalid) && len(rep.Errors) > 0:
		status, errMsg = http.StatusUnprocessableEntity, tr.t("contacts.import.nothing_fix_rows")
	case errors.Is(err, inbox.ErrInvalid):
		status, errMsg = http.StatusBadRequest, tr.t("contacts.import.nothing_imported", "reason", userMessage(tr, err))
	case err != nil:
		return importError(err)
	}
	notice := ""
	if confirm && err == nil {
		notice = s.words(r).t("notice.contacts.imported", "created", rep.Created, "updated", rep.Updated, "merged", rep.Merged)
	}
	s.render(w, r, status, "contacts_import", page{Title: s.words(r).t("title.import_contacts"), Agent: agentFrom(r.Context()), Nav: "contacts",
		Notice: notice, Error: errMsg, Body: importView{ImportReport: rep, CSV: string(data)}})
	return nil
}

// exportContacts is GET /contacts/export and GET /api/v1/contacts/export with the contact
// list's filters (q, tag, tier, company, channel, seen; cursor and limit are ignored): every
// matching contact the caller may see as CSV, newest first, streamed a page at a time. The
// columns are those an import reads (and id, last_seen_at, created_at, which it skips), so an
// export imports again; every cell passes csvSafe.
func (s *Server) exportContacts(w http.ResponseWriter, r *http.Request) error {
	q, _, err := s.contactQueryOf(r)
	if err != nil {
		return err
	}
	sc, err := s.scope(r)
	if err != nil {
		return err
	}
	defs, err := s.store.AttributeDefs(r.Context(), inbox.AttrContact)
	if err != nil {
		return err
	}
	head := []string{"id", "name", "email", "phone", "company", "tier", "tags", "notes"}
	for _, d := range defs {
		head = append(head, "attr."+d.Key)
	}
	head = append(head, "last_seen_at", "created_at")
	cw := csv.NewWriter(w)
	started := false
	start := func() {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="parley-contacts-`+s.now().UTC().Format("20060102-150405")+`.csv"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		_ = cw.Write(head)
		started = true
	}
	n := 0
	var writeErr error
	err = sc.ExportContacts(r.Context(), q, func(c inbox.ExportedContact) error {
		if !started {
			start()
		}
		seen := ""
		if c.LastSeenAt != nil {
			seen = c.LastSeenAt.UTC().Format(time.RFC3339)
		}
		row := []string{strconv.FormatInt(c.ID, 10), c.Name, c.Email, c.Phone, c.CompanyName, c.Tier, strings.Join(c.Tags, ", "), c.Notes}
		for _, d := range defs {
			row = append(row, attrText(c.Attributes[d.Key]))
		}
		row = append(row, seen, c.CreatedAt.UTC().Format(time.RFC3339))
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = cw.Write(row)
		if n++; n%100 == 0 {
			cw.Flush()
			writeErr = cw.Error()
			return writeErr
		}
		return nil
	})
	if err != nil && writeErr != nil {
		return nil // the client went away; the status is long sent
	}
	if err != nil && !started {
		return err
	}
	if err != nil {
		// Part of the file is sent with a 200: abort the response, so the client sees a broken
		// download rather than a file that looks whole.
		s.log.Error("contact export", "err", err)
		panic(http.ErrAbortHandler)
	}
	if !started {
		start()
	}
	cw.Flush()
	return nil
}

// createContact is POST /api/v1/contacts {email, phone, name, tier, tags, notes, attributes,
// company_id}: 201 with the contact; 409 when another contact has the email or phone. Supervisors
// and admins: a contact without conversations is visible to them only.
func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var n inbox.NewContact
	if err := decode(w, r, &n); err != nil {
		return err
	}
	c, err := s.store.CreateContact(r.Context(), n, auditActorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// contactDuplicates is GET /api/v1/contacts/{id}/duplicates: the contacts the caller may see
// who may be the same customer (inbox.Scope.Duplicates), each with why.
func (s *Server) contactDuplicates(w http.ResponseWriter, r *http.Request) error {
	sc, id, err := s.scopeAndID(r)
	if err != nil {
		return err
	}
	ds, err := sc.Duplicates(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]inbox.Duplicate{"duplicates": ds})
	return nil
}
