package web_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/internal/pgrelay"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// apiEnv is a running API on its own database, with an agent token.
type apiEnv struct {
	pool   *pgxpool.Pool
	store  *inbox.Store
	feed   *inbox.Feed
	server *web.Server
	hooks  *webhook.Service
	srv    *httptest.Server
	agent  inbox.Agent
	token  string
	// integration is an integration token of agent: the inbound API takes no agent token, so
	// do and doAs post inbound messages with it when asked to use token.
	integration string
}

func setup(t testing.TB) *apiEnv {
	t.Helper()
	return setupOn(t, dbtest.Pool(t))
}

// setupOn starts a server process (store, event feed, HTTP) on an existing database.
func setupOn(t testing.TB, pool *pgxpool.Pool) *apiEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secretKey := base64.StdEncoding.EncodeToString(key)
	e := &apiEnv{pool: pool, store: inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: secretKey, PasswordCost: bcrypt.MinCost})}
	e.hooks, err = webhook.New(webhook.Config{Pool: pool, Store: e.store, SecretKey: secretKey, Jobs: jobs, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	relay := pgrelay.New(pool, nil)
	e.feed = inbox.NewFeed(relay, nil)
	done := make(chan struct{})
	go func() { _ = relay.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-e.feed.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("event feed did not start listening")
	}
	e.server = web.New(web.Config{Store: e.store, Pool: pool, Events: e.feed, Rules: workflow.NewRules(pool, e.store),
		SLA: workflow.NewSLA(pool, e.store), Surveys: workflow.NewSurveys(e.store), Webhooks: e.hooks})
	e.srv = httptest.NewServer(e.server.Handler())
	t.Cleanup(e.srv.Close)
	e.agent, e.token = e.newAgent(t, "agent", inbox.RoleAgent)
	teamtest.FrontDesk(t, e.store, e.agent.ID)
	e.integration, _, err = e.store.IssueToken(ctx, inbox.NewToken{AgentID: e.agent.ID, Name: "integration",
		Kind: inbox.TokenIntegration}, inbox.CLIActor())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *apiEnv) newAgent(t testing.TB, name string, role inbox.Role) (inbox.Agent, string) {
	t.Helper()
	ctx := context.Background()
	a, err := e.store.AgentByEmail(ctx, name+"@example.com")
	if err != nil {
		a, err = e.store.CreateAgent(ctx, inbox.NewAgent{Email: name + "@example.com", Name: name, Role: role, Password: "correct-horse-battery"})
		if err != nil {
			t.Fatal(err)
		}
	}
	tok, err := e.store.CreateToken(ctx, a.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return a, tok
}

// do sends a request with the agent's token and decodes a JSON answer into out (if not nil).
func (e *apiEnv) do(t *testing.T, method, path, body string, out any) int {
	t.Helper()
	return e.doAs(t, e.token, method, path, body, out)
}

func (e *apiEnv) doAs(t *testing.T, token, method, path, body string, out any) int {
	t.Helper()
	if path == "/api/v1/inbound" && token == e.token {
		token = e.integration
	}
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkResponse(t, req, resp, raw)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

type ids struct {
	ConversationID int64 `json:"conversation_id"`
	MessageID      int64 `json:"message_id"`
	ContactID      int64 `json:"contact_id"`
}

type apiErr struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func TestInboundCreatesThenDeduplicates(t *testing.T) {
	t.Parallel()
	e := setup(t)
	body := `{"external_id":"crm-1","contact":{"name":"Jane","email":"Jane@Example.com","phone":"+1 555 010 0200"},"subject":"Refund","text":"Where is my refund?"}`
	var first, again ids
	if st := e.do(t, "POST", "/api/v1/inbound", body, &first); st != http.StatusCreated {
		t.Fatalf("first status = %d", st)
	}
	if st := e.do(t, "POST", "/api/v1/inbound", body, &again); st != http.StatusOK || again != first {
		t.Fatalf("replay = %d %+v, want 200 %+v", st, again, first)
	}
	var contact struct {
		Identities    []inbox.Identity     `json:"identities"`
		Conversations []inbox.Conversation `json:"conversations"`
	}
	if st := e.do(t, "GET", "/api/v1/contacts/"+itoa(first.ContactID), "", &contact); st != http.StatusOK {
		t.Fatalf("contact status = %d", st)
	}
	if len(contact.Identities) != 2 || len(contact.Conversations) != 1 {
		t.Fatalf("contact = %+v", contact)
	}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tests := []struct {
		name, token, body string
		status            int
		code, contains    string
	}{
		{"no token", "", `{}`, 401, "unauthorized", "Bearer"},
		{"wrong token", "pk_nope", `{}`, 401, "unauthorized", "token"},
		{"malformed JSON", e.token, `{"external_id":`, 400, "bad_request", "malformed"},
		{"empty body", e.token, ``, 400, "bad_request", "empty"},
		{"unknown field", e.token, `{"external_id":"a","contact":{"email":"a@b.co"},"text":"x","colour":"red"}`, 400, "bad_request", "colour"},
		{"wrong type", e.token, `{"external_id":5}`, 400, "bad_request", "external_id"},
		{"no contact", e.token, `{"external_id":"a","contact":{},"text":"x"}`, 400, "bad_request", "email or a phone"},
		{"bad email", e.token, `{"external_id":"a","contact":{"email":"nope"},"text":"x"}`, 400, "invalid", "email"},
		{"no external id", e.token, `{"contact":{"email":"a@b.co"},"text":"x"}`, 400, "invalid", "external_id"},
		{"empty text", e.token, `{"external_id":"a","contact":{"email":"a@b.co"},"text":"  "}`, 400, "invalid", "text"},
		{"oversized", e.token, `{"external_id":"a","contact":{"email":"a@b.co"},"text":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "too_large", "too large"},
	}
	for _, tt := range tests {
		var got apiErr
		if st := e.doAs(t, tt.token, "POST", "/api/v1/inbound", tt.body, &got); st != tt.status || got.Code != tt.code || !strings.Contains(got.Error, tt.contains) {
			t.Errorf("%s: %d %+v; want %d %s containing %q", tt.name, st, got, tt.status, tt.code, tt.contains)
		}
	}
	var n int
	if err := e.pool.QueryRow(context.Background(), "SELECT count(*) FROM messages").Scan(&n); err != nil || n != 0 {
		t.Fatalf("messages stored by bad requests: %d, %v", n, err)
	}
}

func TestWalkThrough(t *testing.T) {
	t.Parallel()
	e := setup(t)
	var in ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"w1","contact":{"name":"Li","email":"li@example.org"},"subject":"Login","text":"Reset link expired"}`, &in)
	conv := "/api/v1/conversations/" + itoa(in.ConversationID)

	var reply inbox.Message
	if st := e.do(t, "POST", conv+"/messages", `{"type":"reply","text":"Sending a new link now."}`, &reply); st != 201 ||
		reply.Direction != inbox.DirectionOutbound || reply.DeliveryStatus != inbox.DeliveryQueued {
		t.Fatalf("reply = %d %+v", st, reply)
	}
	// The delivery job was enqueued with the reply.
	var jobs int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'deliver' AND args->>'message_id' = $1`,
		itoa(reply.ID)).Scan(&jobs); err != nil || jobs != 1 {
		t.Fatalf("deliver jobs = %d, %v", jobs, err)
	}
	var note inbox.Message
	if st := e.do(t, "POST", conv+"/messages", `{"type":"note","text":"VIP customer"}`, &note); st != 201 || note.Direction != inbox.DirectionNote {
		t.Fatalf("note = %d %+v", st, note)
	}
	var c inbox.Conversation
	if st := e.do(t, "POST", conv+"/assign", `{"agent":"me"}`, &c); st != 200 || c.AssigneeID == nil || *c.AssigneeID != e.agent.ID {
		t.Fatalf("assign = %d %+v", st, c)
	}
	if st := e.do(t, "POST", conv+"/priority", `{"priority":"urgent"}`, &c); st != 200 || c.Priority != inbox.PriorityUrgent {
		t.Fatalf("priority = %d %+v", st, c)
	}
	if st := e.do(t, "POST", conv+"/tags", `{"add":["Billing"," vip "]}`, &c); st != 200 || strings.Join(c.Tags, ",") != "billing,vip" {
		t.Fatalf("tags = %d %+v", st, c)
	}
	if st := e.do(t, "POST", conv+"/status", `{"status":"resolved"}`, &c); st != 200 || c.Status != inbox.StatusResolved || c.FirstResponseAt == nil {
		t.Fatalf("status = %d %+v", st, c)
	}
	var bad apiErr
	if st := e.do(t, "POST", conv+"/status", `{"status":"done"}`, &bad); st != 400 || !strings.Contains(bad.Error, "status") {
		t.Fatalf("bad status = %d %+v", st, bad)
	}
	if st := e.do(t, "GET", "/api/v1/conversations/999999", "", &bad); st != 404 || bad.Code != "not_found" {
		t.Fatalf("missing = %d %+v", st, bad)
	}
	var detail struct {
		inbox.Conversation
		Messages []inbox.Message `json:"messages"`
	}
	if st := e.do(t, "GET", conv, "", &detail); st != 200 || len(detail.Messages) != 3 {
		t.Fatalf("detail = %d with %d messages", st, len(detail.Messages))
	}
	// Merge a second contact into the first.
	var other ids
	e.do(t, "POST", "/api/v1/inbound", `{"external_id":"w2","contact":{"phone":"+15550100777"},"text":"it's Li from my phone"}`, &other)
	var merged inbox.Contact
	if st := e.do(t, "POST", "/api/v1/contacts/"+itoa(in.ContactID)+"/merge", `{"other_id":`+itoa(other.ContactID)+`}`, &merged); st != 200 || len(merged.Identities) != 2 {
		t.Fatalf("merge = %d %+v", st, merged)
	}
	if st := e.do(t, "POST", "/api/v1/contacts/"+itoa(in.ContactID)+"/merge", `{"other_id":`+itoa(in.ContactID)+`}`, &bad); st != 409 {
		t.Fatalf("self merge = %d %+v", st, bad)
	}
}

func TestListKeysetPages(t *testing.T) {
	t.Parallel()
	e := setup(t)
	for i := range 7 {
		e.do(t, "POST", "/api/v1/inbound", `{"external_id":"p`+itoa(int64(i))+`","contact":{"email":"c`+itoa(int64(i))+`@example.com"},"text":"hi"}`, nil)
	}
	seen := map[int64]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page inbox.ConversationPage
		if st := e.do(t, "GET", "/api/v1/conversations?status=new&limit=3&cursor="+cursor, "", &page); st != 200 {
			t.Fatalf("page status %d", st)
		}
		for _, c := range page.Conversations {
			if seen[c.ID] {
				t.Fatalf("conversation %d on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if page.Next == "" {
			if pages != 2 {
				t.Fatalf("pages = %d, want 3", pages+1)
			}
			break
		}
		cursor = page.Next
	}
	if len(seen) != 7 {
		t.Fatalf("saw %d conversations, want 7", len(seen))
	}
	var bad apiErr
	if st := e.do(t, "GET", "/api/v1/conversations?cursor=zzz", "", &bad); st != 400 || !strings.Contains(bad.Error, "cursor") {
		t.Fatalf("bad cursor = %d %+v", st, bad)
	}
	if st := e.do(t, "GET", "/api/v1/conversations?assignee=bob", "", &bad); st != 400 {
		t.Fatalf("bad assignee = %d", st)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
