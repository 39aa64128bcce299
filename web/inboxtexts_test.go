package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestInboxTextsAPI: an admin sets an inbox's language and its own wording of customer texts;
// an unknown language or key and a wording that drops or adds a placeholder are 400s naming
// them and change nothing; every change is audited; agents are refused.
func TestInboxTextsAPI(t *testing.T) {
	t.Parallel()
	e := setup(t)
	ctx := context.Background()
	_, admin := e.newAgent(t, "root", inbox.RoleAdmin)
	in, err := e.store.CreateInbox(ctx, inbox.NewInbox{Kind: inbox.ChannelChat, Name: "Web"})
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/inboxes/" + strconv.FormatInt(in.ID, 10)

	var lang struct {
		Language  string `json:"language"`
		Follow    bool   `json:"follow_browser_language"`
		Languages []struct{ Code, Name string }
	}
	if st := e.doAs(t, admin, "GET", base+"/language", "", &lang); st != http.StatusOK || lang.Language != "en" || lang.Follow || len(lang.Languages) != 5 {
		t.Fatalf("GET language: %d %+v", st, lang)
	}
	var bad apiErr
	if st := e.doAs(t, admin, "PUT", base+"/language", `{"language":"nl"}`, &bad); st != http.StatusBadRequest || !strings.Contains(bad.Error, `"nl"`) {
		t.Fatalf("PUT nl: %d %+v", st, bad)
	}
	if st := e.doAs(t, admin, "PUT", base+"/language", `{"language":"fr","follow_browser_language":true}`, &lang); st != http.StatusOK || lang.Language != "fr" || !lang.Follow {
		t.Fatalf("PUT fr: %d %+v", st, lang)
	}
	if st := e.doAs(t, admin, "PUT", "/api/v1/inboxes/999999/language", `{"language":"fr"}`, nil); st != http.StatusNotFound {
		t.Fatalf("PUT on a missing inbox: %d", st)
	}

	for _, c := range []struct{ path, body, says string }{
		{"/texts/nl/widget.send", `{"body":"Stuur"}`, `unknown language "nl"`},
		{"/texts/fr/widget.nosuch", `{"body":"x"}`, `unknown text key "widget.nosuch"`},
		{"/texts/fr/widget.chatting_with", `{"body":"Avec nous"}`, "must keep the placeholder {agent}"},
		{"/texts/fr/widget.send", `{"body":"Envoyer à {agent}"}`, "has the placeholder {agent}"},
		{"/texts/fr/widget.send", `{"body":""}`, "must not be empty"},
		{"/texts/fr/widget.send", `{"text":"x"}`, "unknown field"},
	} {
		var got apiErr
		if st := e.doAs(t, admin, "PUT", base+c.path, c.body, &got); st != http.StatusBadRequest || !strings.Contains(got.Error, c.says) {
			t.Errorf("PUT %s %s: %d %q, want 400 saying %q", c.path, c.body, st, got.Error, c.says)
		}
	}
	if n := auditCount(t, e, in.ID); n != 1 {
		t.Fatalf("%d audit entries after the refusals, want 1 (the language)", n)
	}
	if st := e.doAs(t, admin, "PUT", base+"/texts/fr/widget.chatting_with", `{"body":"Vous parlez avec {agent}"}`, nil); st != http.StatusOK {
		t.Fatalf("PUT override: %d", st)
	}
	var list struct {
		Texts []struct {
			Key          string            `json:"key"`
			Placeholders []string          `json:"placeholders"`
			Catalogue    map[string]string `json:"catalogue"`
			Overrides    map[string]string `json:"overrides"`
		} `json:"texts"`
	}
	if st := e.doAs(t, admin, "GET", base+"/texts", "", &list); st != http.StatusOK || len(list.Texts) < 50 {
		t.Fatalf("GET texts: %d, %d texts", st, len(list.Texts))
	}
	found := false
	for _, x := range list.Texts {
		if x.Key == "widget.chatting_with" {
			found = true
			if x.Overrides["fr"] != "Vous parlez avec {agent}" || x.Catalogue["de"] != "Im Chat mit {agent}" || len(x.Placeholders) != 1 || x.Placeholders[0] != "agent" {
				t.Fatalf("widget.chatting_with: %+v", x)
			}
		}
	}
	if !found {
		t.Fatal("widget.chatting_with is not listed")
	}
	texts, err := e.store.InboxTexts(ctx, in.ID, "")
	if err != nil || texts.Get("widget.chatting_with", "agent", "Léa") != "Vous parlez avec Léa" {
		t.Fatalf("the override does not reach the customer: %q %v", texts.Get("widget.chatting_with", "agent", "Léa"), err)
	}
	if st := e.doAs(t, admin, "DELETE", base+"/texts/fr/widget.chatting_with", "", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE: %d", st)
	}
	if st := e.doAs(t, admin, "DELETE", base+"/texts/fr/widget.chatting_with", "", nil); st != http.StatusNotFound {
		t.Fatalf("DELETE again: %d", st)
	}
	if st := e.doAs(t, admin, "DELETE", base+"/texts/xx/widget.send", "", &bad); st != http.StatusBadRequest || !strings.Contains(bad.Error, `"xx"`) {
		t.Fatalf("DELETE unknown language: %d %+v", st, bad)
	}
	if n := auditCount(t, e, in.ID); n != 3 {
		t.Fatalf("%d audit entries, want 3: language, set, delete", n)
	}
	var data string
	if err := e.pool.QueryRow(ctx, `SELECT data::text FROM audit_log WHERE target = $1 ORDER BY id DESC LIMIT 1`,
		inbox.AuditTarget("inbox", in.ID)).Scan(&data); err != nil || !strings.Contains(data, "text_deleted") || !strings.Contains(data, "Vous parlez avec {agent}") {
		t.Fatalf("last audit entry %s %v", data, err)
	}
	if st := e.do(t, "GET", base+"/texts", "", nil); st != http.StatusForbidden {
		t.Fatalf("an agent: %d, want 403", st)
	}
}

func auditCount(t *testing.T, e *apiEnv, inboxID int64) int {
	t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE kind = $1 AND target = $2`,
		inbox.AuditInboxChanged, inbox.AuditTarget("inbox", inboxID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
