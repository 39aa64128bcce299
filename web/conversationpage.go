package web

import (
	"net/http"
	"slices"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/workflow"
)

// inboxView is the inbox page: the list, and the open conversation when there is one.
type inboxView struct {
	List listView
	Conv *convView
	Bulk bulkBar // the bulk actions' choices (the whole page only)
	// NewConv is the "New conversation" dialog's choices (the whole page only).
	NewConv newConvForm
}

// convView is one conversation with everything shown beside it.
type convView struct {
	Conv           inbox.Conversation
	Items          []timelineItem
	Contact        inbox.Contact
	Fields         []attrField          // the contact's custom attributes, for the panel's profile form
	Past           []inbox.Conversation // the customer's other conversations, on any channel
	Agents         []inbox.Agent
	Names          map[int64]string
	ReplyChannels  []inbox.Channel
	DefaultChannel inbox.Channel
	Statuses       []inbox.Status
	Priorities     []inbox.Priority
	Query          listQuery
	Category       categoryPanel // the category and resolution code selects
	Followups      []workflow.Followup
	Outcomes       []workflow.RecoveryOutcome
	CanClose       bool // the viewer may record a follow-up's outcome (supervisors and admins)
	// Recipients are the composer's address fields for an email reply (reply-all by default).
	Recipients composerRecipients
}

// conversationPage is GET /inbox/{id}: the inbox with a conversation open. With partial=parts it
// answers only the conversation's parts (header, timeline, customer panel) for the script that
// refreshes them on live events; with partial=rows only the list's rows.
func (s *Server) conversationPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pageID(r, "id")
	if err != nil {
		return err
	}
	return s.inboxWith(w, r, id)
}

func (s *Server) inboxWith(w http.ResponseWriter, r *http.Request, id int64) error {
	v, err := s.viewerOf(r)
	if err != nil {
		return err
	}
	agents, names, err := s.agentNames(r)
	if err != nil {
		return err
	}
	p := page{Title: s.words(r).t("title.inbox"), Agent: v.agent, Nav: "inbox"}
	view := inboxView{}
	partial := r.URL.Query().Get("partial")
	if partial != "parts" {
		if view.List, err = s.listOf(r, v, names); err != nil {
			return err
		}
		view.List.OpenID = id
		if partial == "rows" {
			p.Body = view
			s.renderPart(w, r, "inbox", "rows", p)
			return nil
		}
	}
	if id != 0 {
		cv, err := s.convOf(r, v, id, agents, names)
		if err != nil {
			return err
		}
		cv.Query = view.List.Query
		view.Conv = &cv
		// Opening a conversation answers what the bell said about it.
		if err := v.scope.MarkConversationNotificationsRead(r.Context(), id); err != nil {
			return err
		}
		p.Title = s.words(r).t("title.conversation", "name", cv.Conv.ContactName)
	}
	if partial == "" {
		if view.Bulk, err = s.bulkBarOf(r.Context(), agents); err != nil {
			return err
		}
		if view.NewConv, err = newConvFormOf(r.Context(), v.scope, nil); err != nil {
			return err
		}
	}
	p.Body = view
	if partial == "parts" {
		s.renderPart(w, r, "inbox", "parts", p)
		return nil
	}
	s.render(w, r, http.StatusOK, "inbox", p)
	return nil
}

// convOf loads a conversation the viewer may see, its timeline and its customer.
func (s *Server) convOf(r *http.Request, v viewer, id int64, agents []inbox.Agent, names map[int64]string) (convView, error) {
	ctx := r.Context()
	c, err := v.scope.GetConversation(ctx, id)
	if err != nil {
		return convView{}, err
	}
	msgs, err := v.scope.Messages(ctx, id, 0, 0)
	if err != nil {
		return convView{}, err
	}
	s.inlineImages(msgs)
	audit, err := v.scope.Audit(ctx, id)
	if err != nil {
		return convView{}, err
	}
	contact, err := v.scope.GetContact(ctx, c.ContactID)
	if err != nil {
		return convView{}, err
	}
	past, err := v.scope.ListConversations(ctx, inbox.ConversationQuery{ContactID: contact.ID, Limit: 20})
	if err != nil {
		return convView{}, err
	}
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return convView{}, err
	}
	tn := timelineNames{agents: names, teams: make(map[int64]string, len(teams)), w: s.words(r)}
	for _, t := range teams {
		tn.teams[t.ID] = t.Name
	}
	cv := convView{Conv: c, Contact: contact, Agents: agents, Names: names,
		Items:      timeline(msgs, audit, tn),
		Statuses:   []inbox.Status{inbox.StatusOpen, inbox.StatusPending, inbox.StatusResolved, inbox.StatusClosed},
		Priorities: []inbox.Priority{inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}}
	for _, pc := range past.Conversations {
		if pc.ID != c.ID {
			cv.Past = append(cv.Past, pc)
		}
	}
	defs, err := s.store.AttributeDefs(ctx, inbox.AttrContact)
	if err != nil {
		return convView{}, err
	}
	cv.Fields = attrFields(defs, contact.Attributes)
	if cv.Category, err = s.categoryPanelOf(ctx, c); err != nil {
		return convView{}, err
	}
	cv.ReplyChannels, cv.DefaultChannel = replyChannels(c, contact, msgs)
	if cv.Recipients, err = s.composerRecipientsOf(r, c.ID, cv.ReplyChannels); err != nil {
		return convView{}, err
	}
	if s.sla != nil {
		if cv.Followups, err = s.sla.Followups(ctx, v.scope.Viewer(), workflow.FollowupFilter{ConversationID: id}); err != nil {
			return convView{}, err
		}
		cv.Outcomes, cv.CanClose = workflow.Outcomes(), v.agent.Role.AtLeast(inbox.RoleSupervisor)
	}
	return cv, nil
}

// replyChannels lists the channels a reply can take (those the customer is known on, and the
// conversation's own) and the default: the channel of the customer's latest message.
func replyChannels(c inbox.Conversation, k inbox.Contact, msgs []inbox.Message) ([]inbox.Channel, inbox.Channel) {
	def := c.Channel
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Direction == inbox.DirectionInbound {
			def = msgs[i].Channel
			break
		}
	}
	out := []inbox.Channel{def}
	add := func(ch inbox.Channel) {
		if !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	add(c.Channel)
	for _, id := range k.Identities {
		if ch := id.Kind.Channel(); ch != "" {
			add(ch)
		}
	}
	return out, def
}
