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

// saved redirects to an admin page after a change, with a notice to show.
func saved(w http.ResponseWriter, r *http.Request, to, notice string) {
	http.Redirect(w, r, to+"?saved="+notice, http.StatusSeeOther)
}

// notices are the messages an admin page shows after a change, by the key saved gives it.
var notices = map[string]string{
	"agent": "Agent added.", "role": "Role changed.", "team": "Team added.", "member": "Team members updated.", "queue": "Default queue updated.",
	"renamed": "Team renamed.", "agent_saved": "Agent saved.", "team_deleted": "Team deleted.",
	"canned": "Canned response saved.", "deleted": "Canned response deleted.", "retried": "The message is queued to be sent again.",
}
