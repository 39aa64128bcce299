package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// call posts a Web API request to s and decodes Slack's JSON answer.
func call(t *testing.T, s *Server, method string, header http.Header, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("%s: decode answer: %v", method, err)
	}
	return resp, answer
}

func jsonHeader(token string) http.Header {
	return http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + token}}
}

func TestServerJSONBodyWithBearer(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()

	body := `{"channel":"C1","text":"hi","thread_ts":"1700000000.000001","blocks":[{"type":"divider"}]}`
	_, answer := call(t, s, "chat.postMessage", jsonHeader("xoxb-good"), body)
	if answer["ok"] != true || answer["ts"] != "1700000000.000100" {
		t.Fatalf("answer = %v", answer)
	}
	posts := s.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %v", posts)
	}
	got := posts[0]
	if got.Channel != "C1" || got.Text != "hi" || got.ThreadTS != "1700000000.000001" || string(got.Blocks) != `[{"type":"divider"}]` {
		t.Fatalf("post = %+v (blocks %s)", got, got.Blocks)
	}
}

func TestServerFormBodyWithTokenField(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

	for i, want := range []string{"1700000000.000100", "1700000000.000200"} {
		_, answer := call(t, s, "chat.postMessage", form, url.Values{
			"token": {"xoxb-good"}, "channel": {"C1"}, "text": {"n"},
		}.Encode())
		if answer["ts"] != want {
			t.Fatalf("post %d: ts = %v, want %s", i, answer["ts"], want)
		}
	}
}

func TestServerRefusesBadToken(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()

	for name, tc := range map[string]struct {
		header http.Header
		want   string
	}{
		"wrong bearer": {jsonHeader("xoxb-bad"), "invalid_auth"},
		"no token":     {http.Header{"Content-Type": {"application/json"}}, "not_authed"},
	} {
		_, answer := call(t, s, "auth.test", tc.header, `{}`)
		if answer["ok"] != false || answer["error"] != tc.want {
			t.Errorf("%s: answer = %v, want error %s", name, answer, tc.want)
		}
	}
}

func TestServerScriptedFailures(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	s.FailNext("chat.postMessage", RateLimit(30*time.Second))
	s.FailNext("chat.postMessage", APIError("channel_not_found"))
	post := `{"channel":"C1","text":"hi"}`

	resp, _ := call(t, s, "chat.postMessage", jsonHeader("xoxb-good"), post)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" {
		t.Fatalf("first: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	_, answer := call(t, s, "chat.postMessage", jsonHeader("xoxb-good"), post)
	if answer["error"] != "channel_not_found" {
		t.Fatalf("second: answer = %v", answer)
	}
	_, answer = call(t, s, "chat.postMessage", jsonHeader("xoxb-good"), post)
	if answer["ok"] != true {
		t.Fatalf("third: answer = %v", answer)
	}
	if n := s.Calls("chat.postMessage"); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
	if n := len(s.Posts()); n != 1 {
		t.Fatalf("recorded %d posts, want only the successful one", n)
	}
}

func TestServerUsersInfo(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	s.AddUser(User{ID: "U1", Name: "ada", RealName: "Ada Lovelace", Email: "ada@example.com"})

	_, answer := call(t, s, "users.info", jsonHeader("xoxb-good"), `{"user":"U1"}`)
	user, _ := answer["user"].(map[string]any)
	profile, _ := user["profile"].(map[string]any)
	if user["team_id"] != s.Identity().TeamID || profile["email"] != "ada@example.com" {
		t.Fatalf("answer = %v", answer)
	}
	_, answer = call(t, s, "users.info", jsonHeader("xoxb-good"), `{"user":"U2"}`)
	if answer["error"] != "user_not_found" {
		t.Fatalf("unknown user: answer = %v", answer)
	}
}

func TestServerRepliesAndHistoryShowMetadataWhenAsked(t *testing.T) {
	s := New("xoxb-good")
	defer s.Close()
	h := jsonHeader("xoxb-good")
	meta := `{"event_type":"parley_delivery","event_payload":{"message_id":"7"}}`
	call(t, s, "chat.postMessage", h, `{"channel":"C1","text":"in the thread","thread_ts":"1699999999.000001","metadata":`+strconvQuote(meta)+`}`)
	call(t, s, "chat.postMessage", h, `{"channel":"D1","text":"top level","metadata":`+strconvQuote(meta)+`}`)
	if _, answer := call(t, s, "chat.postMessage", h, `{"channel":"C1","text":"x","metadata":"{}"}`); answer["error"] != "invalid_metadata_format" {
		t.Fatalf("metadata without an event type: %v", answer)
	}

	_, answer := call(t, s, "conversations.replies", h, `{"channel":"C1","ts":"1699999999.000001","include_all_metadata":"1"}`)
	msgs, _ := answer["messages"].([]any)
	if answer["ok"] != true || len(msgs) != 2 {
		t.Fatalf("replies = %v, want the parent and the post", answer)
	}
	post, _ := msgs[1].(map[string]any)
	md, _ := post["metadata"].(map[string]any)
	if post["text"] != "in the thread" || md["event_type"] != "parley_delivery" {
		t.Fatalf("reply = %v", post)
	}
	_, answer = call(t, s, "conversations.history", h, `{"channel":"D1"}`)
	msgs, _ = answer["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("history = %v", answer)
	}
	if post, _ := msgs[0].(map[string]any); post["text"] != "top level" || post["metadata"] != nil {
		t.Fatalf("history without include_all_metadata = %v", post)
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
