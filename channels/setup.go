package channels

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// OpenSealed is the part every `parley inbox add KIND` shares once its flags parsed: it
// connects (env.Open), requires PARLEY_SECRET_KEY, which seals the inbox's secrets (seals
// names them for the error: "the auth token"), and finds the team named team (--team; 0 for
// none). Its errors name the verb ("inbox add sms: ...").
func (env SetupEnv) OpenSealed(ctx context.Context, kind inbox.Channel, seals, team string) (Setup, int64, error) {
	set, err := env.Open(ctx)
	if err != nil {
		return Setup{}, 0, err
	}
	if set.SecretKey == "" {
		return Setup{}, 0, fmt.Errorf("inbox add %s: PARLEY_SECRET_KEY is not set; it seals %s", kind, seals)
	}
	teamID, err := set.TeamID(ctx, team)
	if err != nil {
		return Setup{}, 0, fmt.Errorf("inbox add %s: team %q: %w", kind, team, err)
	}
	return set, teamID, nil
}
