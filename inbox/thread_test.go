package inbox

import "testing"

func TestDecideThread(t *testing.T) {
	open := candidate{id: 7, status: StatusOpen, reason: ThreadedByContactOpen}
	tests := []struct {
		name  string
		cands []candidate
		auto  bool
		want  threadDecision
	}{
		{"nothing matches: new", nil, false, threadDecision{reason: ThreadedByNew}},
		{"contact's open conversation", []candidate{open}, false,
			threadDecision{conversationID: 7, reason: ThreadedByContactOpen}},
		{"new status joins too", []candidate{{id: 3, status: StatusNew, reason: ThreadedByContactOpen}}, false,
			threadDecision{conversationID: 3, reason: ThreadedByContactOpen}},
		{"reference beats contact", []candidate{{id: 9, status: StatusOpen, reason: ThreadedByReference}, open}, false,
			threadDecision{conversationID: 9, reason: ThreadedByReference}},
		{"resolved is reopened", []candidate{{id: 4, status: StatusResolved, reason: ThreadedByContactOpen}}, false,
			threadDecision{conversationID: 4, reopen: true, reason: ThreadedByReopened}},
		{"resolved referenced is reopened", []candidate{{id: 4, status: StatusResolved, reason: ThreadedByReference}}, false,
			threadDecision{conversationID: 4, reopen: true, reason: ThreadedByReference}},
		{"auto-reply does not reopen", []candidate{{id: 4, status: StatusResolved, reason: ThreadedByReference}}, true,
			threadDecision{conversationID: 4, reason: ThreadedByReference}},
		{"pending wakes up", []candidate{{id: 5, status: StatusPending, reason: ThreadedByContactOpen}}, false,
			threadDecision{conversationID: 5, wake: true, reason: ThreadedByContactOpen}},
		{"auto mail leaves pending asleep", []candidate{{id: 5, status: StatusPending, reason: ThreadedByContactOpen}}, true,
			threadDecision{conversationID: 5, reason: ThreadedByContactOpen}},
		{"closed starts a linked conversation", []candidate{{id: 2, status: StatusClosed, reason: ThreadedByReference}, open}, false,
			threadDecision{previousID: 2, reason: ThreadedByAfterClosed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideThread(tt.cands, tt.auto); got != tt.want {
				t.Errorf("decideThread() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
