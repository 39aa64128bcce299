package inbox_test

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

// TestAuditLogAppendOnly records an event (with a NUL byte, which is cleaned, not refused) and
// shows the table refuses both UPDATE and DELETE.
func TestAuditLogAppendOnly(t *testing.T) {
	ctx := context.Background()
	e := setup(t)
	err := e.store.RecordAudit(ctx, inbox.AuditRecord{Kind: inbox.AuditSignInFailed, Actor: "a\x00b@example.com",
		SourceIP: "192.0.2.1", Data: map[string]any{"reason": "bad\x00password"}})
	if err != nil {
		t.Fatal(err)
	}
	var actor, reason string
	if err := e.pool.QueryRow(ctx, `SELECT actor, data->>'reason' FROM audit_log`).Scan(&actor, &reason); err != nil {
		t.Fatal(err)
	}
	if actor != "ab@example.com" || reason != "badpassword" {
		t.Fatalf("stored actor %q reason %q, want NULs removed", actor, reason)
	}
	if _, err := e.pool.Exec(ctx, `UPDATE audit_log SET actor = 'x'`); err == nil {
		t.Fatal("UPDATE of audit_log succeeded; want it refused")
	}
	if _, err := e.pool.Exec(ctx, `DELETE FROM audit_log`); err == nil {
		t.Fatal("DELETE from audit_log succeeded; want it refused")
	}
}
