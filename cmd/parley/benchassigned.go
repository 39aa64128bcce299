package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
)

// Bench assignment: every new conversation is routed to one team of benchAgents agents, each
// able to hold benchCapacity conversations, so that every message of a run is assigned.
const (
	benchTeam     = "Bench assignment"
	benchAgents   = 40
	benchCapacity = 1000
)

// prepareAssignment gives the in-process server what assigning takes: the team, its agents
// and a rule sending the API's conversations to it (through the rules API with the admin's
// token, as an admin would). Run again on the same database, it reuses them.
func prepareAssignment(ctx context.Context, a *app, url, token string) error {
	team, err := a.store.TeamByName(ctx, benchTeam)
	if errors.Is(err, inbox.ErrNotFound) {
		team, err = a.store.CreateTeam(ctx, benchTeam, nil)
	}
	if err != nil {
		return fmt.Errorf("bench ingest: team: %w", err)
	}
	for i := range benchAgents {
		email := fmt.Sprintf("bench-agent-%d@parley.local", i)
		ag, err := a.store.AgentByEmail(ctx, email)
		if errors.Is(err, inbox.ErrNotFound) {
			ag, err = a.store.CreateAgent(ctx, inbox.NewAgent{Email: email, Name: fmt.Sprintf("Bench agent %d", i),
				Role: inbox.RoleAgent, Password: randomPassword(), Capacity: benchCapacity})
		}
		if err == nil {
			err = a.store.AddTeamMember(ctx, team.ID, ag.ID)
		}
		if err != nil {
			return fmt.Errorf("bench ingest: agent: %w", err)
		}
	}
	var listed struct {
		RuleSets []struct {
			Rules []struct {
				Name string `json:"name"`
			} `json:"rules"`
		} `json:"rule_sets"`
	}
	if err := benchAPI(ctx, http.MethodGet, url+"/api/v1/rules", token, nil, &listed); err != nil {
		return err
	}
	for _, set := range listed.RuleSets {
		for _, r := range set.Rules {
			if r.Name == benchTeam {
				return nil
			}
		}
	}
	return benchAPI(ctx, http.MethodPost, url+"/api/v1/rules", token,
		map[string]any{"name": benchTeam, "channels": []string{"api"}, "set_team_id": team.ID}, nil)
}

// benchAPI sends one JSON request with token and decodes a 2xx answer into out (if not nil).
func benchAPI(ctx context.Context, method, url, token string, body, out any) error {
	var b bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&b).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, url, &b)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("bench ingest: %s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("bench ingest: %s %s: status %d", method, url, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// assignWatch times, on an admin's event socket, each new conversation from its message's
// commit (the inbound answer's arrival) to its conversation.assigned event.
type assignWatch struct {
	conn      *websocket.Conn
	mu        sync.Mutex
	committed map[int64]time.Time // by conversation, from the answers
	assigned  map[int64]time.Time // by conversation, from the socket
}

// watchAssignments opens the admin's event socket on url.
func watchAssignments(ctx context.Context, url, token string) (*assignWatch, error) {
	ws := "ws" + strings.TrimPrefix(url, "http") + "/api/v1/events"
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, ws, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		return nil, fmt.Errorf("bench ingest: event socket: %w", err)
	}
	w := &assignWatch{conn: conn, committed: map[int64]time.Time{}, assigned: map[int64]time.Time{}}
	go w.read()
	return w, nil
}

func (w *assignWatch) read() {
	type event struct {
		Type           string `json:"type"`
		ConversationID int64  `json:"conversation_id"`
	}
	for {
		_, frame, err := w.conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		if !bytes.Contains(frame, []byte(`"conversation.assigned"`)) {
			continue
		}
		var events []event
		if frame[0] == '[' {
			_ = json.Unmarshal(frame, &events)
		} else {
			var e event
			_ = json.Unmarshal(frame, &e)
			events = []event{e}
		}
		w.mu.Lock()
		for _, e := range events {
			if _, seen := w.assigned[e.ConversationID]; e.Type == "conversation.assigned" && !seen {
				w.assigned[e.ConversationID] = now
			}
		}
		w.mu.Unlock()
	}
}

// posted records an inbound answer: its conversation, new with every message of a --new run,
// was committed by now.
func (w *assignWatch) posted(answer []byte) {
	var r struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if json.Unmarshal(answer, &r) != nil {
		return
	}
	now := time.Now()
	w.mu.Lock()
	if _, seen := w.committed[r.ConversationID]; !seen {
		w.committed[r.ConversationID] = now
	}
	w.mu.Unlock()
}

// report waits up to grace for the stragglers, closes the socket and returns the latency
// percentiles of the conversations assigned and how many were not.
func (w *assignWatch) report(grace time.Duration) (p50, p99, slowest time.Duration, assigned, missing int) {
	deadline := time.Now().Add(grace)
	for {
		w.mu.Lock()
		missing = 0
		for id := range w.committed {
			if _, ok := w.assigned[id]; !ok {
				missing++
			}
		}
		w.mu.Unlock()
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = w.conn.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	var lat []time.Duration
	for id, at := range w.committed {
		if got, ok := w.assigned[id]; ok {
			lat = append(lat, max(got.Sub(at), 0))
		}
	}
	p := percentiles(lat)
	return p[0], p[1], p[2], len(lat), missing
}
