package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Sender delivers agents' replies to Slack customers: it implements channels.Sender for
// inbox.ChannelSlack. A reply goes into the Slack thread its conversation's customer wrote in
// last, posted by the bot of the reply's inbox. A satisfaction survey is posted with a button per
// score (see Client.PostSurvey), whose clicks come back to InteractionsPath.
type Sender struct {
	store  *inbox.Store
	apiURL string
}

// NewSender returns a Sender; apiURL is PARLEY_SLACK_API_URL ("" for Slack itself).
func NewSender(store *inbox.Store, apiURL string) *Sender {
	return &Sender{store: store, apiURL: apiURL}
}

// Send posts the message and returns its external id, "CHANNEL:TS", under which Slack's echo of
// the post is recognized as already stored. The post carries the message's id in its metadata;
// a retry of a delivery that was cut off (the message still "sending") first looks for that
// post, so a reply reaches the thread once. A reply without a Slack inbox or thread to go to, a
// bot removed from the channel, a revoked token: permanent errors (Temporary false), shown to
// the agent. A rate limit is temporary, with Slack's Retry-After (RetryAfter).
func (s *Sender) Send(ctx context.Context, out channels.Outgoing) (channels.Receipt, error) {
	if out.Inbox == nil || out.Inbox.Kind != inbox.ChannelSlack {
		return channels.Receipt{}, permanent(errors.New("slack: send: the reply names no Slack inbox to send from"))
	}
	a, err := open(s.store, *out.Inbox)
	if err != nil {
		return channels.Receipt{}, permanent(fmt.Errorf("slack: send: %w", err))
	}
	channel, root, ok, err := latestThread(ctx, s.store.Pool(), out.Conversation.ID)
	if err != nil {
		return channels.Receipt{}, err
	}
	if !ok {
		return channels.Receipt{}, permanent(errors.New("slack: send: the customer never wrote in Slack in this conversation, so there is no thread to reply in"))
	}
	client := a.client(s.apiURL)
	m := out.Message
	if m.DeliveryStatus == inbox.DeliverySending {
		// An earlier attempt began and was cut off, perhaps after Slack took the post: find it
		// rather than post twice.
		ts, found, err := client.FindDelivery(ctx, channel, root, m.ID, m.CreatedAt)
		if err != nil {
			return channels.Receipt{}, retryable(err)
		}
		if found {
			return channels.Receipt{ExternalID: externalID(channel, ts), Status: inbox.DeliverySent}, nil
		}
	}
	var ts string
	if sv, ok := surveyOf(m); ok {
		ts, err = client.PostSurvey(ctx, channel, root, sv)
	} else {
		ids, ferr := s.shareFiles(ctx, client, channel, root, m.ID, out.Files)
		if ferr != nil {
			return channels.Receipt{}, ferr
		}
		if strings.TrimSpace(m.Text) == "" && len(ids) > 0 {
			// The files alone: their share is the message.
			return channels.Receipt{ExternalID: externalID(channel, "files:"+strings.Join(ids, ",")), Status: inbox.DeliverySent}, nil
		}
		ts, err = client.PostReply(ctx, channel, root, m.ID, m.Text)
	}
	if err != nil {
		return channels.Receipt{}, retryable(err)
	}
	return channels.Receipt{ExternalID: externalID(channel, ts), Status: inbox.DeliverySent}, nil
}

// shareFiles shares the reply's files into the thread before its text, once: a share Slack
// accepted is recorded (slack_file_shares), so a retry after a failed text post does not share
// them again. It returns the ids of the files shared now or before.
func (s *Sender) shareFiles(ctx context.Context, client *Client, channel, root string, messageID int64, files []channels.File) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var ids []string
	err := s.store.Pool().QueryRow(ctx, `SELECT file_ids FROM slack_file_shares WHERE message_id = $1`, messageID).Scan(&ids)
	if err == nil {
		return ids, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, retryable(fmt.Errorf("slack: send: shared files: %w", err))
	}
	ids, err = client.ShareFiles(ctx, channel, root, files)
	if errors.Is(err, inbox.ErrNotFound) {
		return nil, permanent(fmt.Errorf("slack: send: %w", err))
	}
	if err != nil {
		return nil, retryable(err)
	}
	if _, err := s.store.Pool().Exec(ctx, `INSERT INTO slack_file_shares (message_id, file_ids) VALUES ($1, $2)
		ON CONFLICT (message_id) DO NOTHING`, messageID, ids); err != nil {
		return nil, retryable(fmt.Errorf("slack: send: the files were shared but could not be recorded: %w", err))
	}
	return ids, nil
}
