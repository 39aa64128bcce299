package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// result is one scenario's figures and the promises it found broken.
type result struct {
	name                      string
	acked, stored, lost, dups int
	unavailable               time.Duration
	notes, broken             []string
}

func (r *result) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}
func (r *result) fail(format string, args ...any) {
	r.broken = append(r.broken, fmt.Sprintf(format, args...))
}

// checkStored counts, in the database, the messages a load's clients saw acknowledged: each
// must be stored exactly once (by its idempotency key, and by its text, which is unique per
// message, so a copy stored under another key counts too).
func (h *harness) checkStored(ctx context.Context, ld *load, r *result) {
	for _, channel := range []string{"api", "sms", "chat"} {
		keys := ld.l.keys(channel)
		var stored int
		err := h.db.QueryRow(ctx, `SELECT count(DISTINCT external_id) FROM messages
			WHERE channel = $1 AND external_id = ANY($2)`, channel, keys).Scan(&stored)
		if err != nil {
			r.fail("%s: counting stored messages: %v", channel, err)
			continue
		}
		r.acked += len(keys)
		r.stored += stored
		if lost := len(keys) - stored; lost > 0 {
			r.lost += lost
			r.fail("%s: %d of %d acknowledged messages are not stored", channel, lost, len(keys))
		}
	}
	var dups int
	err := h.db.QueryRow(ctx, `SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM messages
		WHERE direction = 'inbound' AND text LIKE $1 || '-%' GROUP BY text HAVING count(*) > 1) d`, ld.prefix).Scan(&dups)
	if err != nil {
		r.fail("counting duplicates: %v", err)
	}
	r.dups += dups
	if dups > 0 {
		r.fail("%d inbound messages stored more than once", dups)
	}
	sent, acked := ld.l.counts()
	r.note("clients sent %d messages and replies, %d acknowledged; refusals: %s", sent, acked, orNone(ld.l.answerSummary()))
	r.unavailable = max(r.unavailable, ld.l.longest)
	if n := ld.l.answersMatching(" 500"); n > 0 {
		r.fail("%d requests were answered 500 (a provider that does not retry, such as Twilio, loses the message)", n)
	}
}

// checkVisitors compares what each chat visitor received with its conversations' chat messages
// in the database (the customer's and the agents' replies): a message stored and never received
// is a gap.
func (h *harness) checkVisitors(ctx context.Context, ld *load, r *result) {
	gaps, newIDs, received, reconnects := 0, 0, 0, 0
	var examples []string
	for _, v := range ld.visitors {
		v.mu.Lock()
		vid, seen := v.visitorID, v.seen
		newIDs += v.newIDs
		received += len(seen)
		reconnects += max(v.sessions-1, 0)
		v.mu.Unlock()
		if vid == "" {
			continue
		}
		rows, err := h.db.Query(ctx, `SELECT m.id, m.direction, m.created_at FROM messages m WHERE m.channel = 'chat'
			AND m.direction IN ('inbound', 'outbound') AND m.conversation_id IN
			(SELECT conversation_id FROM messages WHERE channel = 'chat' AND external_id LIKE $1 || ':%')`, vid)
		if err != nil {
			r.fail("chat: reading a visitor's messages: %v", err)
			return
		}
		for rows.Next() {
			var id int64
			var direction string
			var at time.Time
			if rows.Scan(&id, &direction, &at) == nil && !seen[id] {
				gaps++
				if len(examples) < 5 {
					examples = append(examples, fmt.Sprintf("%s %d stored at %s", direction, id, clock(at)))
				}
			}
		}
		rows.Close()
	}
	r.note("chat visitors received %d messages and reconnected %d times", received, reconnects)
	if gaps > 0 {
		r.fail("chat: %d stored messages never reached their visitor (a gap after reconnecting), such as %s",
			gaps, strings.Join(examples, ", "))
	}
	if newIDs > 0 {
		r.fail("chat: %d reconnections were answered with a new visitor (the token was not honoured)", newIDs)
	}
}

// checkAgents counts the acknowledged messages an agent socket was connected for but never got.
func (h *harness) checkAgents(ctx context.Context, ld *load, r *result) {
	acked := ld.l.messageTimes()
	ids := make([]int64, 0, len(acked))
	for id := range acked {
		ids = append(ids, id)
	}
	created := map[int64]time.Time{}
	rows, err := h.db.Query(ctx, `SELECT id, created_at FROM messages WHERE id = ANY($1)`, ids)
	if err != nil {
		r.fail("agents: reading the messages: %v", err)
		return
	}
	for rows.Next() {
		var id int64
		var at time.Time
		if rows.Scan(&id, &at) == nil {
			created[id] = at
		}
	}
	rows.Close()
	missed, resumed := 0, 0
	var examples []string
	for _, a := range ld.agents {
		lost := a.missed(acked, created)
		missed += len(lost)
		for _, id := range lost[:min(len(lost), 3)] {
			examples = append(examples, fmt.Sprintf("%d stored at %s, acknowledged at %s", id, clock(created[id]), clock(acked[id])))
		}
		if len(lost) > 0 {
			examples = append(examples, "(that socket: "+a.describe()+")")
		}
		a.mu.Lock()
		resumed += len(a.resumes)
		a.mu.Unlock()
	}
	r.note("agent sockets: %d message.created missed while connected, %d feed.resumed", missed, resumed)
	if missed > 0 {
		r.fail("agents: %d message.created events missed by sockets that were connected, such as %s", missed,
			strings.Join(examples, ", "))
	}
}

// checkReplies checks that every SMS reply the database holds reached Twilio exactly once, after
// waiting up to wait for the deliveries still queued.
func (h *harness) checkReplies(ctx context.Context, ld *load, r *result, wait time.Duration) {
	_ = h.waitFor(ctx, wait, "SMS replies to leave the queue", func() bool {
		var n int
		_ = h.db.QueryRow(ctx, `SELECT count(*) FROM messages WHERE direction = 'outbound' AND channel = 'sms'
			AND text LIKE $1 || '-reply-%' AND delivery_status IN ('queued', 'sending')`, ld.prefix).Scan(&n)
		return n == 0
	})
	rows, err := h.db.Query(ctx, `SELECT text, channel, delivery_status FROM messages
		WHERE direction = 'outbound' AND text LIKE $1 || '-reply-%'`, ld.prefix)
	if err != nil {
		r.fail("replies: %v", err)
		return
	}
	defer rows.Close()
	stored := map[string]bool{}
	var sms, once, never, twice, stuck, failed int
	var doubled []string
	for rows.Next() {
		var text, channel, status string
		if err := rows.Scan(&text, &channel, &status); err != nil {
			r.fail("replies: %v", err)
			return
		}
		stored[text] = true
		if channel != "sms" {
			continue // chat replies need no provider; the visitors' check covers them
		}
		sms++
		switch n := h.twilio.accepted(text); {
		case status == "queued" || status == "sending":
			stuck++
		case status == "failed":
			failed++
		case n == 1:
			once++
		case n == 0:
			never++
		default:
			twice++
			var at []string
			for _, t := range h.twilio.attempts(text) {
				at = append(at, clock(t))
			}
			doubled = append(doubled, fmt.Sprintf("%q sent at %s", text, strings.Join(at, ", ")))
		}
	}
	lost := 0
	for _, t := range ld.l.keys("reply") {
		if !stored[t] {
			lost++
		}
	}
	r.note("SMS replies: %d stored, %d sent once, %d still queued, %d failed", sms, once, stuck, failed)
	if lost > 0 {
		r.fail("replies: %d acknowledged replies are not stored", lost)
	}
	if stuck > 0 {
		r.fail("replies: %d SMS replies still queued or sending %s after the load", stuck, wait)
	}
	if failed > 0 {
		r.fail("replies: %d SMS replies failed", failed)
	}
	if never > 0 {
		r.fail("replies: %d SMS replies marked sent never reached Twilio", never)
	}
	if twice > 0 {
		r.fail("replies: %d SMS replies reached Twilio more than once: %s", twice, strings.Join(doubled, "; "))
		r.dups += twice
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func itoa(n int) string { return fmt.Sprint(n) }
