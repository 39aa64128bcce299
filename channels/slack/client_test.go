package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

const token = "xoxb-test-token"

// setup starts a fake Slack and a Client pointed at it.
func setup(t *testing.T) (*slacktest.Server, *Client) {
	t.Helper()
	s := slacktest.New(token)
	t.Cleanup(s.Close)
	return s, New(token, s.URL())
}

// sendError extracts the *SendError err wraps, failing the test if none.
func sendError(t *testing.T, err error) *SendError {
	t.Helper()
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SendError", err)
	}
	return se
}

func TestPostTopLevelThenInThread(t *testing.T) {
	s, c := setup(t)
	ctx := context.Background()

	first, err := c.Post(ctx, "C1", "", "Hello")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Post(ctx, "C1", first, "a < b & c > d")
	if err != nil {
		t.Fatal(err)
	}
	if first != "1700000000.000100" || second != "1700000000.000200" {
		t.Fatalf("ts = %s, %s", first, second)
	}
	want := []slacktest.Post{
		{Channel: "C1", Text: "Hello", TS: first},
		{Channel: "C1", Text: "a &lt; b &amp; c &gt; d", ThreadTS: first, TS: second},
	}
	got := s.Posts()
	if len(got) != len(want) {
		t.Fatalf("posts = %+v", got)
	}
	for i := range want {
		if got[i].Channel != want[i].Channel || got[i].Text != want[i].Text ||
			got[i].ThreadTS != want[i].ThreadTS || got[i].TS != want[i].TS {
			t.Errorf("post %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestNewAddsTrailingSlash(t *testing.T) {
	s := slacktest.New(token)
	defer s.Close()
	c := New(token, strings.TrimSuffix(s.URL(), "/"))
	if _, err := c.Post(context.Background(), "C1", "", "hi"); err != nil {
		t.Fatal(err)
	}
}

func TestPostAlert(t *testing.T) {
	s, c := setup(t)
	ts, err := c.PostAlert(context.Background(), "C9", Alert{
		Title: "First response overdue", Text: "Customer wrote: <!channel> help",
		URL: "https://parley.example.com/inbox/42", Level: LevelCritical,
	})
	if err != nil {
		t.Fatal(err)
	}
	posts := s.Posts()
	if len(posts) != 1 || posts[0].TS != ts || posts[0].Channel != "C9" {
		t.Fatalf("posts = %+v", posts)
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Type  string `json:"type"`
			URL   string `json:"url"`
			Style string `json:"style"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(posts[0].Blocks, &blocks); err != nil {
		t.Fatalf("blocks %s: %v", posts[0].Blocks, err)
	}
	if len(blocks) != 2 || blocks[0].Type != "section" || blocks[1].Type != "actions" {
		t.Fatalf("blocks = %s", posts[0].Blocks)
	}
	section := blocks[0].Text
	if section.Type != "mrkdwn" || section.Text != ":rotating_light: *First response overdue*\nCustomer wrote: &lt;!channel&gt; help" {
		t.Fatalf("section = %+v", section)
	}
	button := blocks[1].Elements
	if len(button) != 1 || button[0].Type != "button" || button[0].Style != "danger" ||
		button[0].URL != "https://parley.example.com/inbox/42" {
		t.Fatalf("button = %+v", button)
	}
	if !strings.Contains(posts[0].Text, "First response overdue") || strings.Contains(posts[0].Text, "<!channel>") {
		t.Fatalf("fallback text = %q", posts[0].Text)
	}
}

func TestPostAlertWithoutURLHasNoButton(t *testing.T) {
	s, c := setup(t)
	if _, err := c.PostAlert(context.Background(), "C9", Alert{Title: "t", Text: strings.Repeat("é", 2000)}); err != nil {
		t.Fatal(err)
	}
	var blocks []struct {
		Type string                `json:"type"`
		Text struct{ Text string } `json:"text"`
	}
	if err := json.Unmarshal(s.Posts()[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 || len(blocks[0].Text.Text) > maxSectionText || !strings.HasSuffix(blocks[0].Text.Text, "é…") {
		t.Fatalf("blocks = %s", s.Posts()[0].Blocks)
	}
}

func TestUserInfo(t *testing.T) {
	s, c := setup(t)
	s.AddUser(slacktest.User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", Email: "ada@example.com"})

	p, err := c.UserInfo(context.Background(), "U1")
	if err != nil {
		t.Fatal(err)
	}
	if p != (Profile{Name: "ada", RealName: "Ada Lovelace", Email: "ada@example.com"}) {
		t.Fatalf("profile = %+v", p)
	}
	_, err = c.UserInfo(context.Background(), "U404")
	if se := sendError(t, err); se.Temporary || se.Code != "user_not_found" {
		t.Fatalf("unknown user: %+v", se)
	}
}

func TestAuthTest(t *testing.T) {
	s, c := setup(t)
	self, team, err := c.AuthTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := s.Identity()
	if self != (Self{BotUserID: id.BotUserID, BotID: id.BotID, AppID: id.AppID}) || team != id.TeamID {
		t.Fatalf("self = %+v, team = %s", self, team)
	}
}

func TestSendErrors(t *testing.T) {
	cases := map[string]struct {
		fails      []slacktest.Failure
		token      string
		temporary  bool
		retryAfter time.Duration
		code       string
		reason     string
	}{
		"rate limited": {fails: []slacktest.Failure{slacktest.RateLimit(30 * time.Second)},
			temporary: true, retryAfter: 30 * time.Second, code: "ratelimited"},
		"server error": {fails: []slacktest.Failure{slacktest.HTTPStatus(http.StatusServiceUnavailable)},
			temporary: true, reason: "HTTP 503"},
		"channel not found": {fails: []slacktest.Failure{slacktest.APIError("channel_not_found")},
			code: "channel_not_found", reason: "does not exist"},
		"not in channel": {fails: []slacktest.Failure{slacktest.APIError("not_in_channel")},
			code: "not_in_channel", reason: "invite it"},
		"bad token": {token: "xoxb-wrong", code: "invalid_auth", reason: "token is invalid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := slacktest.New(token)
			defer s.Close()
			for _, f := range tc.fails {
				s.FailNext("chat.postMessage", f)
			}
			clientToken := token
			if tc.token != "" {
				clientToken = tc.token
			}
			_, err := New(clientToken, s.URL()).Post(context.Background(), "C1", "", "hi")
			se := sendError(t, err)
			if se.Temporary != tc.temporary || se.RetryAfter != tc.retryAfter || se.Code != tc.code ||
				!strings.Contains(se.Reason, tc.reason) {
				t.Fatalf("send error = %+v", se)
			}
			if !strings.HasPrefix(err.Error(), "slack: post: ") {
				t.Fatalf("error text = %q", err.Error())
			}
		})
	}
}

func TestSendErrorWhenSlackIsUnreachable(t *testing.T) {
	s := slacktest.New(token)
	url := s.URL()
	s.Close()
	_, err := New(token, url).Post(context.Background(), "C1", "", "hi")
	if se := sendError(t, err); !se.Temporary || se.Code != "" {
		t.Fatalf("send error = %+v", se)
	}
}

func TestSendErrorWhenCancelled(t *testing.T) {
	_, c := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Post(ctx, "C1", "", "hi")
	if se := sendError(t, err); !se.Temporary || !errors.Is(err, context.Canceled) {
		t.Fatalf("send error = %+v", se)
	}
}
