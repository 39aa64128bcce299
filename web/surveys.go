package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// surveyPages serve the public satisfaction form that email surveys link to. The link's token
// is the only credential. GET only shows the form (link scanners and previews fetch URLs and
// must never record a score); POST records the answer.
type surveyPages struct {
	surveys *workflow.Surveys
	now     func() time.Time
}

// maxSurveyForm caps the form's body: a score and a 2,000-character comment fit well within.
const maxSurveyForm = 16 << 10

// surveyRoutes mounts GET and POST /survey/{token}.
func (s *Server) surveyRoutes(m *router) {
	p := &surveyPages{surveys: s.surveys, now: s.now}
	m.HandleFunc("GET "+workflow.SurveyPath+"{token}", p.show)
	m.HandleFunc("POST "+workflow.SurveyPath+"{token}", p.answer)
}

// surveyView is what the survey page shows.
type surveyView struct {
	Survey   workflow.Survey
	Options  []int
	Selected int
	Done     bool   // the answer was just recorded
	Problem  string // why the form came back
	Closed   bool
	Missing  bool
}

// show is GET /survey/{token}: the form, with ?score=N pre-selected (the email's per-score links).
func (p *surveyPages) show(w http.ResponseWriter, r *http.Request) {
	sv, err := p.surveys.ByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		p.fail(w, err)
		return
	}
	v := surveyView{Survey: sv, Options: workflow.SurveyOptions[:], Closed: !sv.Open(p.now())}
	if sv.Score != nil {
		v.Selected = *sv.Score
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("score")); err == nil && n >= 1 && n <= 5 {
		v.Selected = n
	}
	status := http.StatusOK
	if v.Closed {
		status = http.StatusGone
	}
	p.render(w, status, v)
}

// answer is POST /survey/{token} with score (1-5) and comment, form-encoded.
func (p *surveyPages) answer(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSurveyForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "the form is too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	token := r.PathValue("token")
	score, _ := strconv.Atoi(r.PostForm.Get("score"))
	sv, err := p.surveys.AnswerToken(r.Context(), token, score, r.PostForm.Get("comment"))
	if errors.Is(err, inbox.ErrInvalid) {
		cur, lookErr := p.surveys.ByToken(r.Context(), token)
		if lookErr != nil {
			p.fail(w, lookErr)
			return
		}
		var ve *inbox.ValidationError
		errors.As(err, &ve)
		p.render(w, http.StatusBadRequest, surveyView{Survey: cur, Options: workflow.SurveyOptions[:],
			Selected: score, Problem: "Please pick a score from 1 to 5" + problemDetail(ve)})
		return
	}
	if err != nil {
		p.fail(w, err)
		return
	}
	p.render(w, http.StatusOK, surveyView{Survey: sv, Options: workflow.SurveyOptions[:], Selected: *sv.Score, Done: true})
}

func problemDetail(ve *inbox.ValidationError) string {
	if ve == nil || ve.Field == "score" {
		return "."
	}
	return " (" + ve.Error() + ")."
}

// fail shows why a survey cannot be answered: unknown link (404), closed (410).
func (p *surveyPages) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		p.render(w, http.StatusNotFound, surveyView{Missing: true})
	case errors.Is(err, workflow.ErrSurveyExpired):
		p.render(w, http.StatusGone, surveyView{Closed: true})
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (p *surveyPages) render(w http.ResponseWriter, status int, v surveyView) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = surveyTemplate.Execute(w, v)
}

var surveyTemplate = template.Must(template.New("survey").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>How did we do?</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430; }
fieldset { border: 0; padding: 0; display: flex; gap: .5rem; }
label.score { flex: 1; text-align: center; border: 1px solid #c8ced8; border-radius: .4rem; padding: .6rem 0; cursor: pointer; }
label.score input { display: block; margin: 0 auto .2rem; }
textarea { width: 100%; min-height: 6rem; box-sizing: border-box; font: inherit; }
button { font: inherit; padding: .5rem 1.2rem; margin-top: 1rem; }
.muted { color: #5b6472; } .problem { color: #a3211f; }
</style></head><body>
{{if .Missing}}<h1>This survey link is not valid</h1><p class="muted">It may have been mistyped or cut short.</p>
{{else if .Closed}}<h1>This survey has closed</h1><p class="muted">Thank you all the same. If something is still wrong, just write to us again.</p>
{{else if .Done}}<h1>Thank you!</h1><p>You rated us {{.Selected}} out of 5.</p>
<p class="muted">You can change your answer from the same link until {{.Survey.ExpiresAt.UTC.Format "January 2, 2006"}}.</p>
{{else}}<h1>How did we do?</h1>
<p class="muted">About: {{.Survey.Subject}}</p>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post">
<fieldset><legend>Your rating, from 1 (poor) to 5 (great)</legend>
{{range .Options}}<label class="score"><input type="radio" name="score" value="{{.}}" required{{if eq . $.Selected}} checked{{end}}>{{.}}</label>
{{end}}</fieldset>
<p><label for="comment">Anything you would like to tell us? (optional)</label><br>
<textarea id="comment" name="comment" maxlength="2000">{{.Survey.Comment}}</textarea></p>
<button type="submit">Send</button>
</form>{{end}}
</body></html>
`))
