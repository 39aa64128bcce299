package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/teamtest"
)

type bulkAnswer struct {
	Results []struct {
		ID    int64  `json:"id"`
		OK    bool   `json:"ok"`
		Error string `json:"error"`
		Code  string `json:"code"`
	} `json:"results"`
	Error string `json:"error"`
	Code  string `json:"code"`
}

// TestBulkAPI: POST /api/v1/conversations/bulk as an agent of the default queue, on ids that
// mix theirs with another team's (not_found, unchanged), repeats (answered once) and a
// complaint that cannot be resolved without its code (refused with the reason, the others
// resolved); input that is wrong whatever the conversation is 400 or 413 and changes nothing.
func TestBulkAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := setup(t)
	conv := func(n int) int64 {
		var in ids
		e.do(t, "POST", "/api/v1/inbound", fmt.Sprintf(`{"external_id":"bulk-%d","contact":{"email":"b%d@example.com"},"text":"help"}`, n, n), &in)
		return in.ConversationID
	}
	mine1, mine2, theirs, complaint := conv(1), conv(2), conv(3), conv(4)
	other, err := e.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	teamtest.Move(t, e.store, theirs, other.ID)
	if err := e.store.InTx(ctx, func(tx pgx.Tx) error {
		c, err := e.store.SaveCategoryTx(ctx, tx, inbox.CategoryInput{Name: "Broken", Complaint: true})
		if err == nil {
			err = e.store.SetCategoryTx(ctx, tx, complaint, c.ID, inbox.Actor{})
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	audit := func() int {
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM conversation_events`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	var got bulkAnswer
	body := fmt.Sprintf(`{"action":"assign","agent":"me","ids":[%d,%d,%d,%d,%d]}`, mine1, theirs, mine2, mine1, 999999)
	if st := e.do(t, "POST", "/api/v1/conversations/bulk", body, &got); st != 200 || len(got.Results) != 4 {
		t.Fatalf("bulk assign = %d %+v", st, got)
	}
	for i, w := range []struct {
		id   int64
		code string
	}{{mine1, ""}, {theirs, "not_found"}, {mine2, ""}, {999999, "not_found"}} {
		r := got.Results[i]
		if r.ID != w.id || r.OK != (w.code == "") || r.Code != w.code {
			t.Errorf("result %d = %+v, want id %d code %q", i, r, w.id, w.code)
		}
	}
	for id, want := range map[int64]bool{mine1: true, mine2: true, theirs: false} {
		c, err := e.store.GetConversation(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if (c.AssigneeID != nil && *c.AssigneeID == e.agent.ID) != want {
			t.Errorf("conversation %d assignee %v, assigned to the caller: want %v", id, c.AssigneeID, want)
		}
	}

	// A resolve: the complaint without a code is refused with the single action's words.
	body = fmt.Sprintf(`{"action":"status","status":"resolved","ids":[%d,%d,%d]}`, mine1, complaint, mine2)
	if st := e.do(t, "POST", "/api/v1/conversations/bulk", body, &got); st != 200 || len(got.Results) != 3 {
		t.Fatalf("bulk resolve = %d %+v", st, got)
	}
	if r := got.Results[1]; r.OK || r.Code != "invalid" || !strings.Contains(r.Error, "complaint") {
		t.Errorf("the complaint's result %+v, want refused for want of a resolution code", r)
	}
	if !got.Results[0].OK || !got.Results[2].OK {
		t.Errorf("results %+v: the others resolved", got.Results)
	}

	before := audit()
	many := strings.TrimSuffix(strings.Repeat(fmt.Sprint(mine1)+",", inbox.MaxBulk+1), ",")
	for _, c := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"unknown action", fmt.Sprintf(`{"action":"delete","ids":[%d]}`, mine1), 400, "action"},
		{"no action", fmt.Sprintf(`{"ids":[%d]}`, mine1), 400, "action"},
		{"no ids", `{"action":"priority","priority":"high","ids":[]}`, 400, "ids"},
		{"an id of 0", fmt.Sprintf(`{"action":"priority","priority":"high","ids":[%d,0]}`, mine1), 400, "ids"},
		{"an id that is not a number", `{"action":"priority","priority":"high","ids":["1"]}`, 400, "ids"},
		{"too many ids", `{"action":"priority","priority":"high","ids":[` + many + `]}`, 413, "at most 500"},
		{"a huge list", `{"action":"priority","priority":"high","ids":[` + strings.Repeat("1,", 600_000) + `1]}`, 413, "too large"},
		{"a bad priority", fmt.Sprintf(`{"action":"priority","priority":"asap","ids":[%d]}`, mine1), 400, "priority"},
		{"another action's field", fmt.Sprintf(`{"action":"priority","priority":"high","status":"closed","ids":[%d]}`, mine1), 400, "status"},
		{"assign to nobody named", fmt.Sprintf(`{"action":"assign","ids":[%d]}`, mine1), 400, "agent_id"},
		{"assign to an unknown agent", fmt.Sprintf(`{"action":"assign","agent_id":999999,"ids":[%d]}`, mine1), 400, "agent"},
		{"an unknown category", fmt.Sprintf(`{"action":"category","category":"Nowhere","ids":[%d]}`, mine1), 400, "category"},
		{"empty tags", fmt.Sprintf(`{"action":"tags","ids":[%d]}`, mine1), 400, "tags"},
		{"an unknown field", fmt.Sprintf(`{"action":"tags","add":["x"],"color":"red","ids":[%d]}`, mine1), 400, "color"},
		{"malformed", `{"action":`, 400, "malformed"},
	} {
		var bad bulkAnswer
		if st := e.do(t, "POST", "/api/v1/conversations/bulk", c.body, &bad); st != c.status || !strings.Contains(bad.Error, c.says) {
			t.Errorf("%s: %d %+v, want %d saying %q", c.name, st, bad, c.status, c.says)
		}
	}
	if n := audit(); n != before {
		t.Errorf("refused requests wrote %d audit entries", n-before)
	}

	// Tags and a category by path, on both at once, as a supervisor who sees every team.
	_, sup := e.newAgent(t, "sup", inbox.RoleSupervisor)
	body = fmt.Sprintf(`{"action":"tags","add":["VIP"],"ids":[%d,%d]}`, theirs, mine2)
	if st := e.doAs(t, sup, "POST", "/api/v1/conversations/bulk", body, &got); st != 200 || !got.Results[0].OK || !got.Results[1].OK {
		t.Fatalf("supervisor's bulk tags = %d %+v", st, got)
	}
	body = fmt.Sprintf(`{"action":"category","category":"Broken","ids":[%d]}`, theirs)
	if st := e.doAs(t, sup, "POST", "/api/v1/conversations/bulk", body, &got); st != 200 || !got.Results[0].OK {
		t.Fatalf("supervisor's bulk category = %d %+v", st, got)
	}
	c, err := e.store.GetConversation(ctx, theirs)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Tags, ",") != "vip" || c.Category != "Broken" {
		t.Errorf("the other team's conversation after the supervisor's bulk: tags %v, category %q", c.Tags, c.Category)
	}
}
