package workflow

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/custtext"
)

// SurveyOptions are the scores a survey offers, worst first.
var SurveyOptions = [5]int{1, 2, 3, 4, 5}

// surveyPrompt is a survey message as one channel shows it.
type surveyPrompt struct {
	text, html string
	// prompt is the question alone, for channels that draw their own rating control.
	prompt string
	// link is the form's URL, for channels that carry links.
	link string
}

// SurveyPath is where the public survey form lives: SurveyPath + token.
const SurveyPath = "/survey/"

// composeSurvey writes the survey message for a channel: email and the API channel get a link
// to the one-page form (one link per score, each only pre-selecting it: the form's POST
// records); SMS asks for a reply of one digit; chat and Slack draw a rating control from the
// message's metadata and the survey.sent event.
//
// Its words come from the customer's texts (the conversation's language and its inbox's
// overrides: inbox.Store.ConversationTexts).
func composeSurvey(texts custtext.Set, ch inbox.Channel, publicURL, token string, validFor time.Duration) surveyPrompt {
	question := texts.Get("survey.question")
	p := surveyPrompt{prompt: question}
	switch ch {
	case inbox.ChannelSMS:
		p.text = texts.Get("survey.sms")
	case inbox.ChannelChat, inbox.ChannelSlack:
		p.text = question
	default:
		p.link = strings.TrimRight(publicURL, "/") + SurveyPath + token
		days := int(validFor.Round(24*time.Hour) / (24 * time.Hour))
		valid := texts.Get("survey.link_valid_one")
		if days > 1 {
			valid = texts.Get("survey.link_valid", "days", strconv.Itoa(days))
		}
		p.text = question + "\n\n" + p.link + "\n\n" + valid
		var links []string
		for _, n := range SurveyOptions {
			links = append(links, fmt.Sprintf(`<a href="%s?score=%d">%d</a>`, html.EscapeString(p.link), n, n))
		}
		p.html = "<p>" + html.EscapeString(question) + "</p><p>" + strings.Join(links, " &middot; ") +
			"</p><p>" + html.EscapeString(valid) + "</p>"
	}
	return p
}
