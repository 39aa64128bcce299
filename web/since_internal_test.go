package web

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/inbox"
)

// TestTheHubKeepsRecentEventsWithinItsWindowAndCap: delivered events are kept for late sockets
// (presence aside) for replayWindow and up to maxRecent, and recentFrom moves to the newest
// event let go, so a socket whose page is older is told to catch up instead.
func TestTheHubKeepsRecentEventsWithinItsWindowAndCap(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	now := time.Now()
	ev := func(typ string, at time.Time) outEvent { return outEvent{e: inbox.Event{Type: typ}, at: at} }

	old := now.Add(-replayWindow - time.Second)
	h.remember([]outEvent{ev(inbox.EventMessageCreated, old), ev(EventPresenceViewing, now), ev(inbox.EventMessageCreated, now)})
	if kept := h.kept(); len(kept) != 1 || !kept[0].at.Equal(now) {
		t.Fatalf("kept %d events, want the one within the window and not presence", len(kept))
	}
	if !h.recentFrom.Equal(old) {
		t.Fatalf("recentFrom = %v, want the event let go (%v)", h.recentFrom, old)
	}

	batch := make([]outEvent, maxRecent+10)
	for i := range batch {
		batch[i] = ev(inbox.EventMessageCreated, now.Add(time.Duration(i+1)*time.Microsecond))
	}
	h.remember(batch)
	kept := h.kept()
	if len(kept) != maxRecent {
		t.Fatalf("kept %d events, want the cap %d", len(kept), maxRecent)
	}
	if want := batch[10].at; !kept[0].at.Equal(want) || !h.recentFrom.Equal(batch[9].at) {
		t.Fatalf("oldest kept %v, recentFrom %v; want %v and the one before it", kept[0].at, h.recentFrom, want)
	}
	// Many small deliveries past the cap: the slice stays within twice the cap.
	for i := range 3 * maxRecent {
		h.remember([]outEvent{ev(inbox.EventMessageCreated, now.Add(time.Millisecond+time.Duration(i)*time.Microsecond))})
	}
	if len(h.kept()) != maxRecent || cap(h.recent) > 4*maxRecent {
		t.Fatalf("after many deliveries: kept %d, holding room for %d", len(h.kept()), cap(h.recent))
	}
}

// TestALateSocketClosedBeforeItsReplayIsWrittenClosesCleanly: the replay is a frame of the
// socket's own (no delivery); dropped with the socket, it counts against no delivery, and the
// next delivery still reaches the other sockets.
func TestALateSocketClosedBeforeItsReplayIsWrittenClosesCleanly(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	h.wait = 0 // the test delivers by hand
	h.recentFrom = time.Now().Add(-time.Minute)
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 1})
	h.flush()

	lateSrv, _ := socketPair(t)
	late := testClient(t, lateSrv, inbox.Everyone())
	late.writing = true // its writer is busy: the replay stays queued
	h.join(late, time.Now().Add(-time.Second))
	if len(late.queue) != 1 || late.queue[0].d != nil {
		t.Fatalf("queued for the late socket: %+v, want its replay alone", late.queue)
	}
	h.remove(late) // closes it with the replay unwritten

	otherSrv, otherClient := socketPair(t)
	h.add(testClient(t, otherSrv, inbox.Everyone()))
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 2})
	h.flush()
	if got, _ := readEvents(t, otherClient, 1); got[0].ConversationID != 2 {
		t.Fatalf("after the late socket closed, the next socket got %+v", got[0])
	}
}

// TestALateSocketThatMissedTooMuchIsToldToCatchUp: more than maxReplay events since its page
// was read, and the socket gets one feed.resumed instead of them; as many as maxReplay are
// replayed.
func TestALateSocketThatMissedTooMuchIsToldToCatchUp(t *testing.T) {
	for _, tc := range []struct {
		events int
		want   string
	}{{maxReplay, inbox.EventMessageCreated}, {maxReplay + 1, inbox.EventFeedResumed}} {
		h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
		h.wait = 0 // the test delivers by hand
		h.recentFrom = time.Now().Add(-time.Minute)
		for i := range tc.events {
			h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: int64(i + 1)})
		}
		h.flush()
		srv, client := socketPair(t)
		h.join(testClient(t, srv, inbox.Everyone()), time.Now().Add(-time.Second))
		got, _ := readEvents(t, client, 1)
		if got[0].Type != tc.want {
			t.Fatalf("%d events missed: the first is %s, want %s", tc.events, got[0].Type, tc.want)
		}
	}
}
