package web

import (
	"context"

	"github.com/parleyhq/parley/inbox"
)

// bulkBar is what the inbox list's bulk actions offer (partials/bulkbar.html): the active
// agents to assign to, the statuses and priorities, and the categories that are not archived.
type bulkBar struct {
	Agents     []inbox.Agent
	Statuses   []inbox.Status
	Priorities []inbox.Priority
	Categories []inbox.Category
}

// bulkBarOf loads the bulk bar's choices; agents is every agent, the deactivated included.
func (s *Server) bulkBarOf(ctx context.Context, agents []inbox.Agent) (bulkBar, error) {
	b := bulkBar{Statuses: []inbox.Status{inbox.StatusOpen, inbox.StatusPending, inbox.StatusResolved, inbox.StatusClosed},
		Priorities: []inbox.Priority{inbox.PriorityLow, inbox.PriorityNormal, inbox.PriorityHigh, inbox.PriorityUrgent}}
	for _, a := range agents {
		if a.Active {
			b.Agents = append(b.Agents, a)
		}
	}
	cats, err := s.store.Categories(ctx)
	if err != nil {
		return b, err
	}
	for _, k := range cats {
		if !k.Archived {
			b.Categories = append(b.Categories, k)
		}
	}
	return b, nil
}
