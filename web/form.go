package web

import (
	"net/http"
	"strconv"
)

// maxFormBody caps an admin form.
const maxFormBody = 64 << 10

// parseForm reads a form body of at most maxFormBody bytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return err
		}
		return badRequest("malformed form")
	}
	return nil
}

// formID reads a positive integer form field.
func formID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PostForm.Get(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name + " must be chosen")
	}
	return id, nil
}

// saved redirects to an admin page after a change, with the key of a notice to show.
func saved(w http.ResponseWriter, r *http.Request, to, key string) {
	http.Redirect(w, r, to+"?saved="+key, http.StatusSeeOther)
}

// notices are the catalogue keys of the messages an admin page shows after a change, by the key
// saved gives it.
var notices = map[string]string{
	"agent": "notice.admin.agent", "role": "notice.admin.role", "team": "notice.admin.team", "member": "notice.admin.member", "queue": "notice.admin.queue",
	"renamed": "notice.admin.renamed", "agent_saved": "notice.admin.agent_saved", "team_deleted": "notice.admin.team_deleted",
	"canned": "notice.admin.canned", "deleted": "notice.admin.deleted", "retried": "notice.admin.retried",
}
