package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
)

// requestTimeout bounds one Web API call when the caller's context does not.
const requestTimeout = 30 * time.Second

// Client calls Slack's Web API with one workspace's bot token. It is safe
// for concurrent use.
type Client struct {
	api *slackgo.Client
}

// New returns a Client for the bot token ("xoxb-..."). apiURL overrides
// Slack's Web API base URL (PARLEY_SLACK_API_URL, e.g. a slacktest server's
// "http://127.0.0.1:port/api/"); "" keeps https://slack.com/api/. A
// missing trailing slash is added, as slack-go appends method names to it.
func New(token, apiURL string) *Client {
	opts := []slackgo.Option{slackgo.OptionHTTPClient(&http.Client{Timeout: requestTimeout})}
	if apiURL != "" {
		if !strings.HasSuffix(apiURL, "/") {
			apiURL += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(apiURL))
	}
	return &Client{api: slackgo.New(token, opts...)}
}

// Post sends text to channel as the bot, as a reply in the thread whose
// parent has threadTS when threadTS is not empty. Slack's control
// characters (&, <, >) are escaped so the text shows as written and cannot
// mention @channel. It returns the new message's ts.
//
// Errors wrap a *SendError.
func (c *Client) Post(ctx context.Context, channel, threadTS, text string) (string, error) {
	return c.post(ctx, channel, threadTS, 0, slackgo.MsgOptionText(text, true))
}

// PostReply is Post for the delivery of inbox message messageID: the post
// carries the message's id in its metadata, so that FindDelivery can tell
// whether an interrupted delivery reached Slack.
func (c *Client) PostReply(ctx context.Context, channel, threadTS string, messageID int64, text string) (string, error) {
	return c.post(ctx, channel, threadTS, messageID, slackgo.MsgOptionText(text, true))
}

// post sends a message built of opts, in threadTS's thread when set, marked
// as the delivery of messageID when it is not 0.
func (c *Client) post(ctx context.Context, channel, threadTS string, messageID int64, opts ...slackgo.MsgOption) (string, error) {
	if threadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(threadTS))
	}
	if messageID != 0 {
		opts = append(opts, slackgo.MsgOptionMetadata(deliveryMetadata(messageID)))
	}
	_, ts, err := c.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("slack: post: %w", classify(err))
	}
	return ts, nil
}

// Profile is what Slack says of a workspace member.
type Profile struct {
	Name     string // the handle, "ada"
	RealName string // "Ada Lovelace"
	Email    string // empty unless the app has the users:read.email scope
}

// UserInfo looks up userID's profile (users.info).
//
// Errors wrap a *SendError; an unknown user is a permanent one with Code
// "user_not_found".
func (c *Client) UserInfo(ctx context.Context, userID string) (Profile, error) {
	u, err := c.api.GetUserInfoContext(ctx, userID)
	if err != nil {
		return Profile{}, fmt.Errorf("slack: user info: %w", classify(err))
	}
	p := Profile{Name: u.Name, RealName: u.RealName, Email: u.Profile.Email}
	if p.RealName == "" {
		p.RealName = u.Profile.RealName
	}
	return p, nil
}

// AuthTest checks the token and says who the app is: its Self for Parse
// (auth.test, then bots.info for the app id) and its workspace's team id.
//
// Errors wrap a *SendError; a bad token is a permanent one with Code
// "invalid_auth".
func (c *Client) AuthTest(ctx context.Context) (Self, string, error) {
	auth, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return Self{}, "", fmt.Errorf("slack: auth test: %w", classify(err))
	}
	self := Self{BotUserID: auth.UserID, BotID: auth.BotID}
	if auth.BotID != "" {
		bot, err := c.api.GetBotInfoContext(ctx, slackgo.GetBotInfoParameters{Bot: auth.BotID})
		if err != nil {
			return Self{}, "", fmt.Errorf("slack: auth test: bot info: %w", classify(err))
		}
		self.AppID = bot.AppID
	}
	return self, auth.TeamID, nil
}
