package main

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// ledger is what the load clients of one scenario saw: every message acknowledged (by channel
// and idempotency key), every answer that was not an acknowledgement, and the longest time any
// client went without one.
type ledger struct {
	mu       sync.Mutex
	acked    map[string]map[string]time.Time // channel -> key -> when acknowledged
	tried    map[string]map[string]bool      // channel -> key -> sent at least once
	answers  map[string]int                  // "api 503 retry-after" -> count
	longest  time.Duration                   // longest unavailability a client saw
	slowest  time.Duration                   // the slowest refusal (a hanging request shows here)
	messages map[int64]time.Time             // message ids acknowledged (API and chat) -> when
}

func newLedger() *ledger {
	return &ledger{acked: map[string]map[string]time.Time{}, tried: map[string]map[string]bool{},
		answers: map[string]int{}, messages: map[int64]time.Time{}}
}

// try records that key was sent on channel.
func (l *ledger) try(channel, key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tried[channel] == nil {
		l.tried[channel] = map[string]bool{}
	}
	l.tried[channel][key] = true
}

// ack records an acknowledgement of key on channel (message id when the answer named one).
func (l *ledger) ack(channel, key string, messageID int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.acked[channel] == nil {
		l.acked[channel] = map[string]time.Time{}
	}
	now := time.Now()
	if _, ok := l.acked[channel][key]; !ok {
		l.acked[channel][key] = now
	}
	if messageID > 0 {
		l.messages[messageID] = now
	}
}

// refused records an answer that was not an acknowledgement and how long it took.
func (l *ledger) refused(kind string, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.answers[kind]++
	l.slowest = max(l.slowest, took)
}

// outage records a client's time without an acknowledgement.
func (l *ledger) outage(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.longest = max(l.longest, d)
}

// keys returns the acknowledged keys of channel.
func (l *ledger) keys(channel string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.acked[channel]))
	for k := range l.acked[channel] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// counts returns how many keys were sent and acknowledged over all channels.
func (l *ledger) counts() (sent, acked int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.tried {
		sent += len(m)
	}
	for _, m := range l.acked {
		acked += len(m)
	}
	return sent, acked
}

// answerSummary lists the refusals, most frequent first ("api 503+RA ×12, ...").
func (l *ledger) answerSummary() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := make([]string, 0, len(l.answers))
	for k := range l.answers {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return l.answers[kinds[i]] > l.answers[kinds[j]] })
	var b strings.Builder
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteString(" ×")
		b.WriteString(itoa(l.answers[k]))
	}
	return b.String()
}

// answersMatching counts the refusals whose kind contains s.
func (l *ledger) answersMatching(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for k, c := range l.answers {
		if strings.Contains(k, s) {
			n += c
		}
	}
	return n
}

// messageTimes returns the message ids acknowledged and when.
func (l *ledger) messageTimes() map[int64]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int64]time.Time, len(l.messages))
	for id, at := range l.messages {
		out[id] = at
	}
	return out
}
