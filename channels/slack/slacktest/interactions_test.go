package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestBlockActionsIsASignedFormWithSlacksPayload(t *testing.T) {
	body := BlockActions(Click{User: "U1", UserTeam: "T9", Channel: "C1", MessageTS: "1700000000.000100",
		ThreadTS: "1699999999.000001", ActionID: "a1", Value: "v1", ResponseURL: "https://hooks.slack.com/actions/T/1/x"})
	r := FormRequest("/webhooks/slack/interactions", docSecret, time.Unix(docTS, 0), body)
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		r.Header.Get("X-Slack-Signature") != Signature(docSecret, time.Unix(docTS, 0), body) {
		t.Fatalf("headers = %v", r.Header)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Type string `json:"type"`
		User struct {
			ID     string `json:"id"`
			TeamID string `json:"team_id"`
		} `json:"user"`
		Team        struct{ ID string } `json:"team"`
		ResponseURL string              `json:"response_url"`
		Container   map[string]any      `json:"container"`
		Actions     []map[string]any    `json:"actions"`
	}
	if err := json.Unmarshal([]byte(form.Get("payload")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "block_actions" || p.User.ID != "U1" || p.User.TeamID != "T9" || p.Team.ID != DefaultIdentity().TeamID ||
		p.ResponseURL == "" || p.Container["thread_ts"] != "1699999999.000001" ||
		len(p.Actions) != 1 || p.Actions[0]["action_id"] != "a1" || p.Actions[0]["value"] != "v1" {
		t.Fatalf("payload = %+v", p)
	}
}

func TestResponseURLRecordsWhatIsPosted(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	u := s.ResponseURL()
	if u == s.ResponseURL() || !strings.HasPrefix(u, strings.TrimSuffix(s.URL(), "api/")+"actions/") {
		t.Fatalf("response_url %s is not a fresh /actions/ URL of the server", u)
	}
	resp, err := http.Post(u, "application/json", strings.NewReader(`{"text":"closed","response_type":"ephemeral"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := s.Responses()
	if resp.StatusCode != http.StatusOK || len(got) != 1 || got[0].URL != u || got[0].Text != "closed" ||
		got[0].ResponseType != "ephemeral" || got[0].ReplaceOriginal {
		t.Fatalf("status %d, responses %+v", resp.StatusCode, got)
	}
}
