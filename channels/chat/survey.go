package chat

import (
	"context"
	"errors"
	"strconv"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// AutoSurvey marks the outbound message that carries a satisfaction survey
// (channels.AutoSurvey). Its metadata holds "survey_id" and "survey_prompt"; the chat shows it
// as a survey frame, which the widget draws as a rating control.
const AutoSurvey = channels.AutoSurvey

// surveyFrame returns the survey frame a survey message shows as, if m is one.
func surveyFrame(m inbox.Message) (Survey, bool) {
	if m.Auto != AutoSurvey {
		return Survey{}, false
	}
	var id int64
	switch v := m.Metadata["survey_id"].(type) {
	case float64:
		id = int64(v)
	case int64:
		id = v
	}
	if id <= 0 {
		return Survey{}, false
	}
	prompt, _ := m.Metadata["survey_prompt"].(string)
	if prompt == "" {
		prompt = m.Text
	}
	return Survey{SurveyID: strconv.FormatInt(id, 10), Prompt: prompt}, true
}

// frameOf is how message m shows to visitor visitorID: a survey, or a message.
func (s *Server) frameOf(ctx context.Context, m inbox.Message, visitorID string) ServerFrame {
	if f, ok := surveyFrame(m); ok {
		return f
	}
	return s.messageFrame(ctx, m, visitorID)
}

// rate records a visitor's rating. Ratings are not acknowledged; a refused one is explained.
func (s *Server) rate(c *socket, r *Rating) {
	id, err := strconv.ParseInt(r.SurveyID, 10, 64)
	contact := c.contact()
	if err != nil || id <= 0 || contact == 0 || s.surveys == nil {
		s.tell(c, Error{Code: CodeInvalid, Message: s.text(c, "chat.no_survey")})
		return
	}
	err = s.surveys.AnswerSurvey(c.ctx, channels.SurveyAnswer{SurveyID: id, ContactID: contact, Score: r.Score,
		Comment: r.Comment, Via: string(inbox.ChannelChat)})
	switch {
	case err == nil:
	case errors.Is(err, channels.ErrSurveyExpired):
		s.tell(c, Error{Code: CodeInvalid, Message: s.text(c, "chat.survey_closed")})
	case errors.Is(err, inbox.ErrNotFound), errors.Is(err, inbox.ErrForbidden), errors.Is(err, inbox.ErrInvalid):
		s.tell(c, Error{Code: CodeInvalid, Message: s.text(c, "chat.no_survey")})
	default:
		s.log.Error("chat: record rating", "survey", id, "err", err)
		s.tell(c, Error{Code: CodeInternal, Message: s.text(c, "chat.rating_failed")})
	}
}

// text is the customer text key in the words socket c's visitor reads (texts).
func (s *Server) text(c *socket, key string) string { return s.texts(c).Get(key) }

// texts are the words socket c's visitor reads: their language (known from the hello), or
// their inbox's, with its overrides, read once a socket (a flood of refused frames costs no
// query each); English, not kept, when the inbox cannot be read (the database is down, say:
// the visitor is still told why in words).
func (s *Server) texts(c *socket) custtext.Set {
	if c.words != nil {
		return *c.words
	}
	texts, err := s.store.InboxTexts(c.ctx, c.inboxID, c.lang)
	if err != nil {
		s.log.Warn("chat: texts", "inbox", c.inboxID, "err", err)
		return custtext.For(custtext.English, nil)
	}
	c.words = &texts
	return texts
}
