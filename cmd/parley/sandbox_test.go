package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/internal/dbtest"
)

// `parley demo` seeds customers of all four channels, each through its channel's intake, with an
// agent, a supervisor, an SLA policy, categories, a complaint and rated chats; under `parley
// serve --sandbox` a reply on email, SMS and Slack reaches the sandbox in its provider's wire
// format (the MIME message, Twilio's form, chat.postMessage's arguments).
func TestDemoChannelsRepliedInTheSandbox(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	dbURL := dbtest.URL(t)
	env := map[string]string{"DATABASE_URL": dbURL, "PARLEY_LOG_LEVEL": "warn", "PARLEY_SECRET_KEY": base64.StdEncoding.EncodeToString(key)}
	out, err := parley(t, env, "", "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	for _, want := range []string{"sign in:   admin@parley.local / ", "agent:      riley@parley.local / ", "supervisor: morgan@parley.local / "} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo does not print %q:\n%s", want, out)
		}
	}
	token := field(t, out, "API token:")
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	conv := func(channel string) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `SELECT min(id) FROM conversations WHERE channel = $1`, channel).Scan(&id); err != nil {
			t.Fatalf("no %s conversation: %v", channel, err)
		}
		return id
	}
	// Every channel, through its own intake: the email's source kept, its HTML sanitized and
	// its photo attached; the SMS with Twilio's message id; the Slack thread's two messages.
	email, text, slack := conv("email"), conv("sms"), conv("slack")
	_ = conv("chat")
	if n := count(`SELECT count(*) FROM email_sources s JOIN messages m ON m.id = s.message_id WHERE m.conversation_id = $1`, email); n != 1 {
		t.Errorf("email sources = %d", n)
	}
	if n := count(`SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.conversation_id = $1 AND a.filename = 'cracked-jar.png'`, email); n != 1 {
		t.Errorf("attachments of the email = %d", n)
	}
	if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1 AND html <> '' AND html NOT ILIKE '%<script%'`, email); n != 1 {
		t.Errorf("sanitized HTML messages of the email = %d", n)
	}
	if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1 AND external_id LIKE 'SM%'`, text); n != 1 {
		t.Errorf("Twilio messages = %d", n)
	}
	if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1 AND direction = 'inbound'`, slack); n != 2 {
		t.Errorf("Slack thread messages = %d", n)
	}
	// The people, the SLA examples (written two hours and fifty minutes ago), the triage and CSAT.
	if n := count(`SELECT count(*) FROM agents WHERE (email, role) IN (('riley@parley.local', 'agent'), ('morgan@parley.local', 'supervisor'))`); n != 2 {
		t.Errorf("agent and supervisor = %d", n)
	}
	if n := count(`SELECT count(*) FROM sla_policies`); n != 1 {
		t.Errorf("SLA policies = %d", n)
	}
	if n := count(`SELECT count(*) FROM conversations WHERE id = $1 AND created_at < now() - interval '1 hour'`, text); n != 1 {
		t.Error("the SMS is not past its first-response target")
	}
	if n := count(`SELECT count(*) FROM conversations WHERE id = $1 AND created_at < now() - interval '48 minutes' AND created_at > now() - interval '1 hour'`, slack); n != 1 {
		t.Error("the Slack thread is not at risk")
	}
	if n := count(`SELECT count(*) FROM conversations c JOIN categories k ON k.id = c.category_id WHERE k.complaint`); n != 1 {
		t.Errorf("complaints = %d", n)
	}
	if n := count(`SELECT count(DISTINCT category_id) FROM conversations`); n < 4 {
		t.Errorf("categories = %d", n)
	}
	if n := count(`SELECT count(*) FROM surveys WHERE score IS NOT NULL AND comment <> ''`); n != 3 {
		t.Errorf("answered surveys with comments = %d", n)
	}
	// Run again, it seeds nothing twice.
	if out, err := parley(t, env, "", "demo"); err != nil {
		t.Fatalf("demo again: %v\n%s", err, out)
	}
	if n := count(`SELECT count(*) FROM conversations`); n != 9 {
		t.Errorf("conversations after a second demo = %d, want 9", n)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	started := time.Now()
	serveInBackground(t, env, ln, withSandbox)
	for _, id := range []int64{email, text, slack} {
		body := `{"text":"On it, conversation ` + strconv.FormatInt(id, 10) + `"}`
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/conversations/"+strconv.FormatInt(id, 10)+"/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("reply to %d: %d", id, res.StatusCode)
		}
	}
	payload := func(channel string) string {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			var p string
			err := pool.QueryRow(ctx, `SELECT payload FROM sandbox_entries WHERE channel = $1
				AND (summary LIKE '%On it%' OR payload LIKE '%On it%') ORDER BY id DESC LIMIT 1`, channel).Scan(&p)
			if err == nil {
				return p
			}
		}
		t.Fatalf("no %s reply reached the sandbox", channel)
		return ""
	}
	mime := payload("email")
	for _, want := range []string{"Mime-Version: 1.0", "Subject: Re: Order #1042 arrived damaged [#", "To: \"Maria Lopez\" <maria@example.com>", "On it, conversation"} {
		if !strings.Contains(mime, want) {
			t.Errorf("the MIME message lacks %q:\n%s", want, mime)
		}
	}
	form, err := url.ParseQuery(payload("sms"))
	if err != nil || form.Get("To") != "+15550100200" || form.Get("From") != demoSMSNumber || !strings.HasPrefix(form.Get("Body"), "On it") ||
		!strings.HasSuffix(form.Get("StatusCallback"), "/webhooks/twilio/status") {
		t.Errorf("Twilio's form: %v %v", form, err)
	}
	// The demo's email inbox names a made-up IMAP server: the sandbox's is read in its place.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if count(`SELECT count(*) FROM email_mailbox_state WHERE synced_at > $1`, started) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the email inbox was not polled through the sandbox")
		}
	}
	post, err := url.ParseQuery(payload("slack"))
	if err != nil || post.Get("channel") != "C0DEMOHELP" || post.Get("thread_ts") == "" || !strings.HasPrefix(post.Get("text"), "On it") ||
		post.Get("token") != "" {
		t.Errorf("chat.postMessage's arguments: %v %v", post, err)
	}
}
