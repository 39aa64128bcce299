package chat

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// recentConversations is how many of a contact's conversations, most recently active first,
// a (re)connection replays from.
const recentConversations = 10

// welcome answers the hello: an identity error if the user_hash failed, the welcome, then
// every chat message of the visitor's conversations after lastID (none of the agents' notes)
// and every reply up to it that no socket showed (see backlog), oldest first. It runs before the socket's queue is opened (socket.opened), so it writes directly; the replayed
// messages are recorded as seen.
//
// Replaying by id leaves no gap: a conversation's messages get their ids in commit order,
// because both an ingest and an agent's reply lock the conversation's row before inserting.
func (s *Server) welcome(c *socket, ss session, lastID int64) error {
	if ss.identityRefused {
		if err := s.writeFrame(c, Error{Code: CodeIdentity, Message: s.text(c, "chat.identity_refused")}); err != nil {
			return err
		}
	}
	if ss.attributesRefused != "" {
		if err := s.writeFrame(c, Error{Code: CodeAttributes, Message: ss.attributesRefused}); err != nil {
			return err
		}
	}
	w := Welcome{Token: ss.token, VisitorID: ss.visitorID}
	var backlog []inbox.Message
	if ss.contactID != 0 {
		page, err := s.store.ListConversations(c.ctx, inbox.ConversationQuery{ContactID: ss.contactID, Limit: recentConversations})
		if err != nil {
			return err
		}
		if len(page.Conversations) > 0 {
			conv := page.Conversations[0]
			c.setConversation(refOf(conv))
			w.Conversation = &Conversation{ID: conv.ID, Status: string(conv.Status)}
			if conv.AssigneeID != nil {
				w.Conversation.AgentName = s.agentName(c.ctx, conv.AssigneeID)
			}
		}
		if backlog, err = s.backlog(c.ctx, page.Conversations, lastID); err != nil {
			return err
		}
	}
	if err := s.writeFrame(c, w); err != nil {
		return err
	}
	c.replayed = make(map[int64]struct{}, len(backlog))
	for _, m := range backlog {
		if err := s.writeFrame(c, s.frameOf(c.ctx, m, c.visitorID)); err != nil {
			return err
		}
		c.replayed[m.ID] = struct{}{}
	}
	if len(backlog) == 0 {
		c.replayed = nil
	}
	s.visitors.markSeen(c.ctx, c.inboxID, c.visitorID, backlog)
	return nil
}

func (s *Server) writeFrame(c *socket, f ServerFrame) error {
	b, err := Encode(f)
	if err != nil {
		return err
	}
	return c.writeNow(b)
}

// backlog returns the visible messages of convs after afterID, and the agents' replies up to
// afterID that no socket has shown yet, oldest first, at most the sockets' MaxReplay most
// recent.
//
// afterID alone would leave a gap: a visitor's own message is acknowledged straight to its
// socket, so the widget's last id moves past a reply committed just before it whose live
// push was missed (the feed was down: it reconnects with backoff after a PostgreSQL restart,
// then drops every socket). No socket pushed that reply, so it is not delivered, and it comes
// back here.
func (s *Server) backlog(ctx context.Context, convs []inbox.Conversation, afterID int64) ([]inbox.Message, error) {
	const page = 500
	var out []inbox.Message
	if afterID > 0 && len(convs) > 0 {
		ids := make([]int64, len(convs))
		for i, conv := range convs {
			ids[i] = conv.ID
		}
		missed, err := s.store.UndeliveredReplies(ctx, ids, inbox.ChannelChat, afterID, s.sock.MaxReplay)
		if err != nil {
			return nil, err
		}
		out = append(out, missed...)
	}
	for _, conv := range convs {
		after := afterID
		for {
			msgs, err := s.store.Messages(ctx, conv.ID, after, page)
			if err != nil {
				return nil, err
			}
			for _, m := range msgs {
				if visible(m) {
					out = append(out, m)
				}
			}
			if len(msgs) < page {
				break
			}
			after = msgs[len(msgs)-1].ID
		}
	}
	slices.SortFunc(out, func(a, b inbox.Message) int { return cmp.Compare(a.ID, b.ID) })
	if n := s.sock.MaxReplay; len(out) > n {
		out = out[len(out)-n:]
	}
	return out, nil
}

// visible reports whether the visitor sees a message: the chat's own messages, not notes.
// Messages of the contact's other channels stay out of the widget: an identity is matched by
// its address, so a contact may hold an email someone only claimed (typed into a chat), and
// the mail its real owner sends later must not show in the claimer's browser. (So neither
// does the email copy of a chat reply.)
func visible(m inbox.Message) bool {
	return m.Channel == inbox.ChannelChat && m.Direction != inbox.DirectionNote
}

// messageFrame shows message m to visitor visitorID. Their own chat messages carry the
// client_id they were sent with, so a reconnected widget recognizes its queued messages.
func (s *Server) messageFrame(ctx context.Context, m inbox.Message, visitorID string) Message {
	f := Message{ID: m.ID, Direction: string(m.Direction), Text: m.Text, CreatedAt: m.CreatedAt}
	if m.Direction == inbox.DirectionOutbound {
		f.AuthorName = s.agentName(ctx, m.AuthorAgentID)
	}
	if m.Channel == inbox.ChannelChat && m.ExternalID != nil {
		if id, ok := strings.CutPrefix(*m.ExternalID, visitorID+":"); ok {
			f.ClientID = id
		}
	}
	for _, a := range m.Attachments {
		f.Files = append(f.Files, FileLink{Name: a.Filename, Type: a.ContentType, Size: a.Size,
			URL: FilePath + s.files.Token(a.ID, FileLinkTTL)})
	}
	return f
}
