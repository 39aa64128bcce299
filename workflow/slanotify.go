package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/sla"
)

// notifySLA tells the assignee of cc's conversation and the supervisors of its team, in their
// notification centres, that target is at risk or missed (kind inbox.NotifySLAWarning or
// NotifySLABreach), on tx.
func (e *engine) notifySLA(ctx context.Context, tx pgx.Tx, cc *convClocks, kind string, target sla.Target, due time.Time) error {
	who, err := e.store.TeamSupervisorsTx(ctx, tx, cc.teamID)
	if err != nil {
		return err
	}
	if cc.assigneeID != 0 {
		who = append(who, cc.assigneeID)
	}
	text := strings.ReplaceAll(string(target), "_", " ") + " due " + due.UTC().Format("2006-01-02 15:04 MST")
	ns := make([]inbox.Notice, 0, len(who))
	seen := map[int64]bool{}
	for _, id := range who {
		if !seen[id] {
			seen[id] = true
			ns = append(ns, inbox.Notice{AgentID: id, Kind: kind, ConversationID: cc.id, Text: text})
		}
	}
	return e.store.NotifyTx(ctx, tx, ns...)
}
