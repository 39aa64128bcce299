package channels

import (
	"context"
	"errors"
)

// AutoSurvey marks the outbound message that carries a satisfaction survey
// (inbox.Message.Auto). Its metadata holds "survey_id", "survey_prompt" and
// "survey_options" (the scores offered, worst first); a channel that draws its own rating
// control (chat, Slack) reads them.
const AutoSurvey = "survey"

// ErrSurveyExpired means a survey's answer window has closed.
var ErrSurveyExpired = errors.New("survey expired")

// SurveyScores returns the scores a survey offers, worst first: 1 to 5.
func SurveyScores() []int { return []int{1, 2, 3, 4, 5} }

// Surveys records the satisfaction answers a channel collects (a chat rating frame, a Slack
// button); workflow.Surveys implements it. A survey of another contact is inbox.ErrForbidden,
// an unknown one inbox.ErrNotFound, a closed one ErrSurveyExpired, a bad score or comment an
// *inbox.ValidationError.
type Surveys interface {
	AnswerSurvey(ctx context.Context, a SurveyAnswer) error
}

// SurveyAnswer is one answer given by survey id.
type SurveyAnswer struct {
	SurveyID int64
	// ContactID is the customer answering, as their channel knows them; it must be the
	// surveyed conversation's contact.
	ContactID int64
	Score     int
	Comment   string
	// Via names the channel of the answer: "chat", "slack", ...
	Via string
}
