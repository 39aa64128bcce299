// Package teamtest helps tests give agents the teams they need.
package teamtest

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
)

// FrontDeskName is the name of the default-queue team FrontDesk makes.
const FrontDeskName = "Front desk"

// FrontDesk puts an agent in the team "Front desk", the default queue (made on first use), so
// that they see the conversations no rule has routed, as most tests' customers' are.
func FrontDesk(t testing.TB, store *inbox.Store, agentID int64) inbox.Team {
	t.Helper()
	ctx := context.Background()
	team, err := store.TeamByName(ctx, FrontDeskName)
	if errors.Is(err, inbox.ErrNotFound) {
		team, err = store.CreateTeam(ctx, FrontDeskName, nil)
		if err == nil {
			err = store.SetDefaultQueue(ctx, team.ID, true)
		}
	}
	if err == nil {
		err = store.AddTeamMember(ctx, team.ID, agentID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// Move puts conversation id in team teamID, as a routing rule would.
func Move(t testing.TB, store *inbox.Store, id, teamID int64) {
	t.Helper()
	if err := store.InTx(context.Background(), func(tx pgx.Tx) error {
		return store.SetTeamTx(context.Background(), tx, id, teamID, inbox.Actor{})
	}); err != nil {
		t.Fatalf("conversation %d to team %d: %v", id, teamID, err)
	}
}
