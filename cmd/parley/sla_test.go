package main

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/internal/dbtest"
)

func TestSLAVerb(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "PARLEY_LOG_LEVEL": "warn"}
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"team", "add", "--name", "Support"}, "Support"},
		{[]string{"team", "add", "--name", "Tier 2"}, "Tier 2"},
		{[]string{"sla", "add", "--name", "Support urgent", "--team", "Support", "--priority", "urgent",
			"--first-response", "15m", "--next-response", "1h", "--resolution", "1d4h", "--timezone", "Europe/Berlin",
			"--hours", "mon-fri 09:00-12:00,13:00-17:00", "--hours", "sat 10:00-14:00", "--holiday", "2026-12-25",
			"--escalate-team", "Tier 2", "--warn-at", "0.75"},
			"Support urgent (team 1, urgent priority): first response 15m0s, next response 1h0m0s, resolution 28h0m0s"},
		{[]string{"sla", "add", "--name", "Default", "--first-response", "8h", "--pause-pending=false"}, "Default (any team)"},
		{[]string{"sla", "list"}, "Support urgent"},
	}
	for _, s := range steps {
		out, err := parley(t, env, "", s.args...)
		if err != nil || !strings.Contains(out, s.want) {
			t.Fatalf("parley %s: %q, %v; want output containing %q", strings.Join(s.args, " "), out, err, s.want)
		}
	}
	failures := []struct {
		args []string
		want string
	}{
		{[]string{"sla", "add", "--name", "No target"}, "first_response"},
		{[]string{"sla", "add", "--name", "Again", "--first-response", "1h"}, "exists"},
		{[]string{"sla", "add", "--name", "Bad hours", "--first-response", "1h", "--hours", "weekdays 9-5"}, "unknown day"},
		{[]string{"sla", "add", "--name", "Bad zone", "--first-response", "1h", "--timezone", "Mars/Olympus"}, "Mars/Olympus"},
		{[]string{"sla", "add", "--name", "Bad team", "--first-response", "1h", "--team", "Nobody"}, "not found"},
		{[]string{"sla", "add", "--name", "Bad span", "--first-response", "soon"}, "duration"},
		{[]string{"sla", "add", "--name", "Bad share", "--first-response", "1h", "--priority", "high", "--warn-at", "1.5"}, "warn_at"},
	}
	for _, f := range failures {
		out, err := parley(t, env, "", f.args...)
		if err == nil || !strings.Contains(err.Error()+out, f.want) {
			t.Errorf("parley %s: %q, %v; want an error mentioning %q", strings.Join(f.args, " "), out, err, f.want)
		}
	}
}
