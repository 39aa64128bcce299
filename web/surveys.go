package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
	"github.com/parleyhq/parley/workflow"
)

// surveyPages serve the public satisfaction form that email surveys link to. The link's token
// is the only credential. GET only shows the form (link scanners and previews fetch URLs and
// must never record a score); POST records the answer.
type surveyPages struct {
	surveys *workflow.Surveys
	texts   conversationTexts
	now     func() time.Time
}

// conversationTexts gives the texts a conversation's customer reads (inbox.Store).
type conversationTexts interface {
	ConversationTexts(ctx context.Context, id int64) (custtext.Set, error)
}

// maxSurveyForm caps the form's body: a score and a 2,000-character comment fit well within.
const maxSurveyForm = 16 << 10

// surveyRoutes mounts GET and POST /survey/{token}.
func (s *Server) surveyRoutes(m *router) {
	p := &surveyPages{surveys: s.surveys, texts: s.store, now: s.now}
	m.HandleFunc("GET "+workflow.SurveyPath+"{token}", p.show)
	m.HandleFunc("POST "+workflow.SurveyPath+"{token}", p.answer)
}

// surveyView is what the survey page shows, in the customer's words (T).
type surveyView struct {
	T        custtext.Set
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
		p.fail(w, r, err)
		return
	}
	texts, err := p.texts.ConversationTexts(r.Context(), sv.ConversationID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v := surveyView{T: texts, Survey: sv, Options: workflow.SurveyOptions[:], Closed: !sv.Open(p.now())}
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
		var texts custtext.Set
		if lookErr == nil {
			texts, lookErr = p.texts.ConversationTexts(r.Context(), cur.ConversationID)
		}
		if lookErr != nil {
			p.fail(w, r, lookErr)
			return
		}
		var ve *inbox.ValidationError
		errors.As(err, &ve)
		p.render(w, http.StatusBadRequest, surveyView{T: texts, Survey: cur, Options: workflow.SurveyOptions[:],
			Selected: score, Problem: problemText(texts, ve)})
		return
	}
	if errors.Is(err, workflow.ErrSurveyExpired) { // closed since the form was shown: say so in the customer's words
		if cur, lookErr := p.surveys.ByToken(r.Context(), token); lookErr == nil {
			if texts, lookErr := p.texts.ConversationTexts(r.Context(), cur.ConversationID); lookErr == nil {
				p.render(w, http.StatusGone, surveyView{T: texts, Closed: true})
				return
			}
		}
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	texts, err := p.texts.ConversationTexts(r.Context(), sv.ConversationID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, http.StatusOK, surveyView{T: texts, Survey: sv, Options: workflow.SurveyOptions[:], Selected: *sv.Score, Done: true})
}

// problemText says in the customer's words what the form lacked: a score, or a shorter comment.
func problemText(texts custtext.Set, ve *inbox.ValidationError) string {
	if ve != nil && ve.Field == "comment" {
		return texts.Get("surveypage.comment_too_long", "max", strconv.Itoa(workflow.MaxSurveyComment))
	}
	return texts.Get("surveypage.pick_score")
}

// fail shows why a survey cannot be answered: unknown link (404), closed (410), in the
// language the browser asks for (no conversation tells which).
func (p *surveyPages) fail(w http.ResponseWriter, r *http.Request, err error) {
	lang, _ := custtext.Match(custtext.AcceptLanguage(r.Header.Get("Accept-Language")))
	texts := custtext.For(lang, nil)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		p.render(w, http.StatusNotFound, surveyView{T: texts, Missing: true})
	case errors.Is(err, workflow.ErrSurveyExpired):
		p.render(w, http.StatusGone, surveyView{T: texts, Closed: true})
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
<html lang="{{.T.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Get "surveypage.title"}}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1d2430; }
fieldset { border: 0; padding: 0; display: flex; gap: .5rem; }
label.score { flex: 1; text-align: center; border: 1px solid #c8ced8; border-radius: .4rem; padding: .6rem 0; cursor: pointer; }
label.score input { display: block; margin: 0 auto .2rem; }
textarea { width: 100%; min-height: 6rem; box-sizing: border-box; font: inherit; }
button { font: inherit; padding: .5rem 1.2rem; margin-top: 1rem; }
.muted { color: #5b6472; } .problem { color: #a3211f; }
</style></head><body>
{{if .Missing}}<h1>{{.T.Get "surveypage.invalid"}}</h1><p class="muted">{{.T.Get "surveypage.invalid_text"}}</p>
{{else if .Closed}}<h1>{{.T.Get "surveypage.closed"}}</h1><p class="muted">{{.T.Get "surveypage.closed_text"}}</p>
{{else if .Done}}<h1>{{.T.Get "surveypage.thanks"}}</h1><p>{{.T.Get "surveypage.rated" "score" (print .Selected)}}</p>
<p class="muted">{{.T.Get "surveypage.change_until" "date" (.T.Date .Survey.ExpiresAt.UTC)}}</p>
{{else}}<h1>{{.T.Get "surveypage.title"}}</h1>
<p class="muted">{{.T.Get "surveypage.about" "subject" .Survey.Subject}}</p>
{{if .Problem}}<p class="problem" role="alert">{{.Problem}}</p>{{end}}
<form method="post">
<fieldset><legend>{{.T.Get "surveypage.legend"}}</legend>
{{range .Options}}<label class="score"><input type="radio" name="score" value="{{.}}" required{{if eq . $.Selected}} checked{{end}}>{{.}}</label>
{{end}}</fieldset>
<p><label for="comment">{{.T.Get "surveypage.comment"}}</label><br>
<textarea id="comment" name="comment" maxlength="2000">{{.Survey.Comment}}</textarea></p>
<button type="submit">{{.T.Get "surveypage.send"}}</button>
</form>{{end}}
</body></html>
`))
