package slack

import (
	"context"
	"fmt"
	"strconv"
	"time"

	slackgo "github.com/slack-go/slack"
)

// deliveryEvent is the message-metadata event type that marks a post as the delivery of an
// inbox message; its payload's message_id names the message. Slack keeps metadata with the
// message, which makes it the idempotency key of a delivery: chat.postMessage has none.
const deliveryEvent = "parley_delivery"

// deliveryMetadata marks a post as the delivery of inbox message messageID.
func deliveryMetadata(messageID int64) slackgo.SlackMetadata {
	return slackgo.SlackMetadata{EventType: deliveryEvent,
		EventPayload: map[string]any{"message_id": strconv.FormatInt(messageID, 10)}}
}

// isDelivery reports whether m is this app's delivery of inbox message messageID.
func isDelivery(m slackgo.Message, messageID int64) bool {
	id, _ := m.Metadata.EventPayload["message_id"].(string)
	return m.Metadata.EventType == deliveryEvent && id == strconv.FormatInt(messageID, 10)
}

// FindDelivery looks for the post that delivered inbox message messageID (see PostReply): in
// the thread under threadTS, or, when threadTS is empty, among channel's top-level messages
// since the message was written (since). It returns the post's ts, or false when there is none,
// which means an interrupted delivery never reached Slack.
//
// Errors wrap a *SendError.
func (c *Client) FindDelivery(ctx context.Context, channel, threadTS string, messageID int64, since time.Time) (string, bool, error) {
	var cursor string
	for {
		var msgs []slackgo.Message
		var more bool
		var err error
		if threadTS != "" {
			msgs, more, cursor, err = c.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: threadTS, Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
		} else {
			var h *slackgo.GetConversationHistoryResponse
			h, err = c.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: slackTS(since.Add(-time.Minute)), Cursor: cursor, Limit: 200, IncludeAllMetadata: true})
			if h != nil {
				msgs, more, cursor = h.Messages, h.HasMore, h.ResponseMetaData.NextCursor
			}
		}
		if err != nil {
			return "", false, fmt.Errorf("slack: find delivery of message %d: %w", messageID, classify(err))
		}
		for _, m := range msgs {
			if isDelivery(m, messageID) {
				return m.Timestamp, true, nil
			}
		}
		if !more || cursor == "" {
			return "", false, nil
		}
	}
}

// slackTS writes t as a Slack timestamp ("1700000000.000100").
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}
