package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// Profiles looks up Slack members for the profile job (ProfileArgs), with the bot token of the
// inbox the member wrote to.
type Profiles struct {
	store  *inbox.Store
	apiURL string
}

// NewProfiles returns a Profiles; apiURL is PARLEY_SLACK_API_URL ("" for Slack itself).
func NewProfiles(store *inbox.Store, apiURL string) *Profiles {
	return &Profiles{store: store, apiURL: apiURL}
}

// SlackProfile calls users.info. An inbox that is gone or not Slack, or a member Slack does not
// know, is a permanent error (Temporary false); a rate limit carries Slack's Retry-After.
func (p *Profiles) SlackProfile(ctx context.Context, inboxID int64, userID string) (Profile, error) {
	in, err := p.store.GetInbox(ctx, inboxID)
	if errors.Is(err, inbox.ErrNotFound) {
		return Profile{}, permanent(fmt.Errorf("slack: profile: %w", err))
	}
	if err != nil {
		return Profile{}, err
	}
	if in.Kind != inbox.ChannelSlack {
		return Profile{}, permanent(fmt.Errorf("slack: profile: inbox %d is a %s inbox", in.ID, in.Kind))
	}
	a, err := open(p.store, in)
	if err != nil {
		return Profile{}, permanent(fmt.Errorf("slack: profile: %w", err))
	}
	prof, err := a.client(p.apiURL).UserInfo(ctx, userID)
	if err != nil {
		return Profile{}, retryable(err)
	}
	return prof, nil
}
