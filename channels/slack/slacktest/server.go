// Package slacktest is an in-process stand-in for Slack: an HTTP server that
// answers the Web API methods Parley calls (auth.test, bots.info, users.info,
// chat.postMessage, the file upload's files.getUploadURLExternal, upload URL and
// files.completeUploadExternal) in Slack's own wire format and takes posts to the response_urls it
// hands out, and builders for Events API and interactivity requests signed exactly as Slack
// signs them.
//
// Nothing here imports Parley's packages, so any test, and the demo, can use it.
package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Identity is who the fake workspace says the app is: the answers of
// auth.test and bots.info.
type Identity struct {
	TeamID    string // the workspace, "T..."
	BotUserID string // the bot's user, "U..."
	BotID     string // the bot, "B..."
	AppID     string // the app, "A..."
}

// DefaultIdentity is the identity a new Server answers with.
func DefaultIdentity() Identity {
	return Identity{TeamID: "T0PARLEY", BotUserID: "U0PARLEYBOT", BotID: "B0PARLEY", AppID: "A0PARLEY"}
}

// User is a workspace member users.info can describe.
type User struct {
	ID       string
	TeamID   string // empty means the server's own team
	Name     string // the handle, "ada"
	RealName string
	Email    string
	IsBot    bool
}

// Post is one message chat.postMessage accepted.
type Post struct {
	Channel  string
	Text     string
	ThreadTS string          // empty for a top-level message
	Blocks   json.RawMessage // the Block Kit array as sent, nil when none
	TS       string          // the timestamp the server answered with
	Metadata *Metadata       // the message metadata sent, nil when none
}

// File is a file shared in Slack, served by the fake at URL to its bot token.
type File struct {
	ID, Name, Mimetype, URL string
	Size                    int
}

// Metadata is a message's metadata (chat.postMessage's metadata argument).
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Failure is a scripted answer that replaces the next call of one method.
// Build one with RateLimit, APIError or HTTPStatus.
type Failure struct {
	status     int
	retryAfter time.Duration
	code       string
}

// RateLimit answers 429 Too Many Requests with a Retry-After header in whole
// seconds, as Slack does when a method's rate tier is exceeded.
func RateLimit(retryAfter time.Duration) Failure {
	return Failure{status: http.StatusTooManyRequests, retryAfter: retryAfter, code: "ratelimited"}
}

// APIError answers 200 with {"ok":false,"error":code}, Slack's way of
// reporting a refused call, e.g. "channel_not_found" or "not_in_channel".
func APIError(code string) Failure {
	return Failure{status: http.StatusOK, code: code}
}

// HTTPStatus answers a bare HTTP status with an HTML body, as Slack's edge
// does on 5xx.
func HTTPStatus(status int) Failure {
	return Failure{status: status}
}

// Server is a fake Slack Web API. It is safe for concurrent use; Close it
// when done.
type Server struct {
	srv   *httptest.Server
	token string
	id    Identity

	mu    sync.Mutex
	users map[string]User
	posts []Post
	fails map[string][]Failure
	calls map[string]int

	hooks     int // response_urls handed out
	responses []Response
	files     map[string]fileContent // by URL path
	uploads   map[string]*Upload     // by file id
	shares    []Share
}

// fileContent is what the fake serves for a shared file.
type fileContent struct {
	mimetype string
	content  []byte
}

// New starts a Server that accepts only the bot token token.
func New(token string) *Server {
	s := &Server{
		token:   token,
		id:      DefaultIdentity(),
		users:   make(map[string]User),
		fails:   make(map[string][]Failure),
		calls:   make(map[string]int),
		files:   make(map[string]fileContent),
		uploads: make(map[string]*Upload),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddFile stores a file as shared in the workspace and returns it, its URL on the fake (as
// Slack's url_private is on files.slack.com), to put in a message's Files.
func (s *Server) AddFile(name, mimetype string, content []byte) File {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("F%08d", len(s.files)+1)
	path := "/files-pri/" + s.id.TeamID + "-" + id + "/" + name
	s.files[path] = fileContent{mimetype: mimetype, content: content}
	return File{ID: id, Name: name, Mimetype: mimetype, Size: len(content), URL: s.srv.URL + path}
}

// serveFile answers a file's URL to the bot token, as files.slack.com does: without it Slack
// answers a sign-in page, so the fake answers 403 with HTML.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls["files"]++
	f, ok := s.files[r.URL.Path]
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html>sign in</html>"))
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.mimetype)
	_, _ = w.Write(f.content)
}

// URL is the Web API base URL with its trailing slash, ready for
// slack.OptionAPIURL and PARLEY_SLACK_API_URL: "http://127.0.0.1:port/api/".
func (s *Server) URL() string { return s.srv.URL + "/api/" }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Identity is the app identity the server answers with.
func (s *Server) Identity() Identity { return s.id }

// AddUser registers a member users.info will describe.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// Posts returns the messages chat.postMessage accepted, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Calls reports how many requests reached method (e.g. "chat.postMessage"),
// failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// FailNext makes the next call of method answer f instead of succeeding.
// Calls queue up: FailNext twice fails the next two calls.
func (s *Server) FailNext(method string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[method] = append(s.fails[method], f)
}

// serve answers response_urls (/actions/...) and routes /api/{method} after counting the call, applying a scripted
// failure and checking the token.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/actions/") {
		s.respond(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/files-pri/") {
		s.serveFile(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, uploadPrefix) && r.Method == http.MethodPost {
		s.receiveUpload(w, r)
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok || r.Method != http.MethodPost && r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	args, err := readArgs(r)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	if f, failed := s.takeFailure(method); failed {
		writeFailure(w, f)
		return
	}
	if code := s.checkToken(r, args); code != "" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": code})
		return
	}
	switch method {
	case "auth.test":
		s.authTest(w)
	case "bots.info":
		s.botsInfo(w, args)
	case "users.info":
		s.usersInfo(w, args)
	case "chat.postMessage":
		s.postMessage(w, args)
	case "conversations.replies":
		s.replies(w, args)
	case "conversations.history":
		s.history(w, args)
	case "files.getUploadURLExternal":
		s.getUploadURL(w, args)
	case "files.completeUploadExternal":
		s.completeUpload(w, args)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// takeFailure counts the call and pops the method's next scripted failure.
func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[method]++
	queue := s.fails[method]
	if len(queue) == 0 {
		return Failure{}, false
	}
	s.fails[method] = queue[1:]
	return queue[0], true
}

// checkToken accepts the token as "Authorization: Bearer" or, as Slack still
// does for form bodies, a "token" field. It returns Slack's error code or "".
func (s *Server) checkToken(r *http.Request, args map[string]string) string {
	token, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !bearer {
		token = args["token"]
	}
	switch {
	case token == "":
		return "not_authed"
	case token != s.token:
		return "invalid_auth"
	}
	return ""
}

// writeFailure answers a scripted failure the way Slack would.
func writeFailure(w http.ResponseWriter, f Failure) {
	switch {
	case f.status == http.StatusTooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		writeJSON(w, f.status, map[string]any{"ok": false, "error": f.code})
	case f.code != "":
		writeJSON(w, f.status, map[string]any{"ok": false, "error": f.code})
	default:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.status)
		fmt.Fprintf(w, "<html><body>%d %s</body></html>", f.status, http.StatusText(f.status))
	}
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
