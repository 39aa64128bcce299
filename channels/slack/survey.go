package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// SurveyActionPrefix starts the action_id of a survey's score buttons: "parley_survey_4".
// Slack sends a click on one to InteractionsPath.
const SurveyActionPrefix = "parley_survey_"

// Survey is a satisfaction survey as Slack shows it: the question and one button per score.
type Survey struct {
	ID     int64  // the survey's id (as workflow stores it), carried in each button's value
	Prompt string // the question, shown as a section
	Text   string // the plain-text fallback for notifications and old clients
	Scores []int  // the scores offered, worst first
	// MessageID is the inbox message the survey is delivered as (0: none), marked on the post
	// as PostReply marks replies.
	MessageID int64
}

// surveyOf reads the survey a survey message carries in its metadata (survey_id,
// survey_options, survey_prompt). It reports false for any other message.
func surveyOf(m inbox.Message) (Survey, bool) {
	if m.Auto != channels.AutoSurvey {
		return Survey{}, false
	}
	id, ok := metaInt(m.Metadata["survey_id"])
	if !ok || id <= 0 {
		return Survey{}, false
	}
	s := Survey{ID: id, Text: m.Text, MessageID: m.ID}
	s.Prompt, _ = m.Metadata["survey_prompt"].(string)
	if strings.TrimSpace(s.Prompt) == "" {
		s.Prompt = m.Text
	}
	if opts, ok := m.Metadata["survey_options"].([]any); ok {
		for _, o := range opts {
			if n, ok := metaInt(o); ok && n >= 1 && n <= 5 {
				s.Scores = append(s.Scores, int(n))
			}
		}
	}
	if len(s.Scores) == 0 {
		s.Scores = channels.SurveyScores()
	}
	return s, true
}

// metaInt reads a whole number from decoded JSON metadata.
func metaInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), n == float64(int64(n))
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	return 0, false
}

// PostSurvey posts s to channel (in the thread whose parent has threadTS, when not empty) as a
// Block Kit message: the prompt as a section, then an actions block with one button per score,
// action_id SurveyActionPrefix+score and value "SURVEYID:SCORE". s.Text is the fallback text.
// It returns the message's ts.
//
// Errors wrap a *SendError.
func (c *Client) PostSurvey(ctx context.Context, channel, threadTS string, s Survey) (string, error) {
	return c.post(ctx, channel, threadTS, s.MessageID,
		slackgo.MsgOptionText(truncate(s.Text, maxSectionText), true),
		slackgo.MsgOptionBlocks(surveyBlocks(s)...))
}

// surveyBlocks lays out a survey: the question, then the score buttons.
func surveyBlocks(s Survey) []slackgo.Block {
	buttons := make([]slackgo.BlockElement, 0, len(s.Scores))
	for _, n := range s.Scores {
		score := strconv.Itoa(n)
		buttons = append(buttons, slackgo.NewButtonBlockElement(SurveyActionPrefix+score,
			strconv.FormatInt(s.ID, 10)+":"+score,
			slackgo.NewTextBlockObject(slackgo.PlainTextType, score, false, false)))
	}
	return []slackgo.Block{
		slackgo.NewSectionBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType,
			truncate(s.Prompt, maxSectionText), false, false), nil, nil),
		slackgo.NewActionBlock("parley_survey", buttons...),
	}
}

// surveyClick is a click on a survey's score button.
type surveyClick struct {
	surveyID int64
	score    int
}

// parseSurveyClick reads a survey button's action_id and value ("SURVEYID:SCORE"); the two must
// agree on the score.
func parseSurveyClick(actionID, value string) (surveyClick, error) {
	fromID, err := strconv.Atoi(strings.TrimPrefix(actionID, SurveyActionPrefix))
	if err != nil {
		return surveyClick{}, fmt.Errorf("action_id %q names no score", actionID)
	}
	rawID, rawScore, ok := strings.Cut(value, ":")
	id, errID := strconv.ParseInt(rawID, 10, 64)
	score, errScore := strconv.Atoi(rawScore)
	switch {
	case !ok || errID != nil || errScore != nil || id <= 0:
		return surveyClick{}, fmt.Errorf("survey button value %q is not SURVEYID:SCORE", value)
	case score != fromID:
		return surveyClick{}, errors.New("survey button value and action_id disagree on the score")
	case score < 1 || score > 5:
		return surveyClick{}, fmt.Errorf("survey score %d is not 1 to 5", score)
	}
	return surveyClick{surveyID: id, score: score}, nil
}
