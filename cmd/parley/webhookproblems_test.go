package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
	"github.com/parleyhq/parley/webhook"
	"github.com/parleyhq/parley/workflow"
)

// TestDisabledWebhooksAreProblems: an endpoint disabled after failing for good is on the
// Problems page with its reason and what to do; an enabled one is not.
func TestDisabledWebhooksAreProblems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	key := base64.StdEncoding.EncodeToString(raw)
	jobs, err := workflow.NewEnqueuer(pool)
	if err != nil {
		t.Fatal(err)
	}
	store := inbox.New(pool, inbox.Options{Jobs: jobs, SecretKey: key})
	hooks, err := webhook.New(webhook.Config{Pool: pool, Store: store, SecretKey: key, Jobs: jobs})
	if err != nil {
		t.Fatal(err)
	}
	events := []string{"message.created"}
	var ids []int64
	for _, u := range []string{"https://crm.example.com/hook", "https://ok.example.com/hook"} {
		e, _, err := hooks.Create(ctx, inbox.CLIActor(), webhook.EndpointInput{URL: &u, Events: &events})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	if _, err := pool.Exec(ctx, `UPDATE webhook_endpoints SET disabled_at = now(), disabled_reason = 'HTTP 500 for 24 hours' WHERE id = $1`, ids[0]); err != nil {
		t.Fatal(err)
	}
	got, err := webhookProblems(hooks)(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d problems, want the disabled endpoint's only: %+v", len(got), got)
	}
	p := got[0]
	if p.Kind != channels.ProblemWebhookDisabled || p.Inbox != "https://crm.example.com/hook" || p.Detail != "HTTP 500 for 24 hours" ||
		p.Since.IsZero() || !strings.Contains(p.Do, "Admin → Webhooks") {
		t.Fatalf("problem %+v", p)
	}
}
