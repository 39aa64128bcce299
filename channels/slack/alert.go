package slack

import (
	"context"
	"fmt"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"
)

// Level is how urgent an Alert is; it picks the alert's emoji and button
// style.
type Level string

// The alert levels. An unknown level is shown as LevelInfo.
const (
	LevelInfo     Level = "info"
	LevelWarning  Level = "warning"
	LevelCritical Level = "critical"
)

// Alert is a notice to staff about a conversation, such as an SLA breach.
type Alert struct {
	Title string // one line, "First response overdue"
	Text  string // details; customer-written text is safe here
	URL   string // the conversation in Parley's inbox; no button when empty
	Level Level
	// ConversationID is the conversation the alert is about; an Alerter links to it when URL
	// is empty. PostAlert does not read it.
	ConversationID int64
}

// maxSectionText is Slack's limit on a section block's text.
const maxSectionText = 3000

// PostAlert posts a to channel as a Block Kit message: a section with the
// level's emoji, the bold title and the text, then a button opening URL.
// Title and text are escaped, so a customer's words cannot mention
// @channel or forge links. It returns the message's ts.
//
// Errors wrap a *SendError.
func (c *Client) PostAlert(ctx context.Context, channel string, a Alert) (string, error) {
	title := slackutilsx.EscapeMessage(a.Title)
	text := slackutilsx.EscapeMessage(a.Text)
	emoji := levelEmoji(a.Level)
	fallback := fmt.Sprintf("%s %s: %s", emoji, title, text)
	_, ts, err := c.api.PostMessageContext(ctx, channel,
		slackgo.MsgOptionText(truncate(fallback, maxSectionText), false),
		slackgo.MsgOptionBlocks(alertBlocks(a.Level, a.URL, emoji+" *"+title+"*\n"+text)...),
	)
	if err != nil {
		return "", fmt.Errorf("slack: post alert: %w", classify(err))
	}
	return ts, nil
}

// alertBlocks lays out an alert: the mrkdwn section, then the link button.
func alertBlocks(level Level, url, mrkdwn string) []slackgo.Block {
	blocks := []slackgo.Block{slackgo.NewSectionBlock(
		slackgo.NewTextBlockObject(slackgo.MarkdownType, truncate(mrkdwn, maxSectionText), false, false),
		nil, nil)}
	if url == "" {
		return blocks
	}
	style := slackgo.StylePrimary
	if level == LevelCritical {
		style = slackgo.StyleDanger
	}
	button := slackgo.NewButtonBlockElement("open_conversation", "open",
		slackgo.NewTextBlockObject(slackgo.PlainTextType, "Open conversation", false, false)).
		WithURL(url).WithStyle(style)
	return append(blocks, slackgo.NewActionBlock("", button))
}

// levelEmoji is the emoji code that leads an alert of level.
func levelEmoji(level Level) string {
	switch level {
	case LevelCritical:
		return ":rotating_light:"
	case LevelWarning:
		return ":warning:"
	default:
		return ":information_source:"
	}
}

// truncate cuts s to at most limit bytes on a rune boundary, marking the cut.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
