package web

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley/inbox"
)

// TestHubWindowFollowsTheCostOfDeliveries: the time between deliveries is gatherWait while
// deliveries are cheap, gatherRatio times the last one's cost when they are not, never more
// than maxGather, and it grows while a delivery is still being written.
func TestHubWindowFollowsTheCostOfDeliveries(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	if got := h.window(); got != gatherWait {
		t.Fatalf("window before any delivery: %v, want %v", got, gatherWait)
	}
	for _, tc := range []struct{ cost, want time.Duration }{
		{time.Millisecond, gatherWait},
		{10 * time.Millisecond, gatherRatio * 10 * time.Millisecond},
		{time.Second, maxGather},
	} {
		h.cost.Store(int64(tc.cost))
		if got := h.window(); got != tc.want {
			t.Errorf("window after a delivery of %v: %v, want %v", tc.cost, got, tc.want)
		}
	}

	// A delivery still being written counts for its time so far.
	h.cost.Store(int64(time.Millisecond))
	d := h.startDelivery()
	d.add()
	d.queuedAll(1)
	d.start = d.start.Add(-maxGather) // it began as long ago as the longest window
	if got := h.window(); got != maxGather {
		t.Errorf("window while a %v delivery is unwritten: %v, want %v", maxGather, got, maxGather)
	}
	d.written()
	if got := time.Duration(h.cost.Load()); got < maxGather {
		t.Errorf("cost recorded %v, want at least %v", got, maxGather)
	}

	h.wait = 0 // the tests that flush by hand never wait
	if got := h.window(); got != 0 {
		t.Errorf("window without gathering: %v, want 0", got)
	}
}

// TestDeliveryIsDoneBeforeItsStragglers: a delivery's cost is recorded once all but a
// thirty-second of its frames are written or dropped, and only after the flush queued them all.
func TestDeliveryIsDoneBeforeItsStragglers(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	d := h.startDelivery()
	const frames = 64 // slack: 2
	for range frames {
		d.add()
	}
	for range frames {
		d.written() // all written while the flush still holds the delivery
	}
	if d.done.Load() {
		t.Fatal("the delivery was done before the flush queued every frame")
	}
	d.queuedAll(frames)
	if !d.done.Load() || h.cost.Load() <= 0 {
		t.Fatalf("done %v, cost %v after every frame was written", d.done.Load(), h.cost.Load())
	}

	d = h.startDelivery()
	for range frames {
		d.add()
	}
	d.queuedAll(frames)
	for range frames - 3 {
		d.written()
	}
	if d.done.Load() {
		t.Fatal("the delivery was done with three frames of 64 unwritten")
	}
	d.written()
	if !d.done.Load() {
		t.Fatal("the delivery was not done with two frames of 64 unwritten")
	}
}

// TestHubClosedSocketReleasesItsFrames: the frames a socket still held when it closed count as
// dropped, so its delivery ends.
func TestHubClosedSocketReleasesItsFrames(t *testing.T) {
	h := newHub(nil, discardLogger(), newMetrics(prometheus.NewRegistry()))
	h.wait = 0
	srv, _ := socketPair(t)
	c := testClient(t, srv, inbox.Everyone())
	c.writing = true // its frames stay queued
	h.add(c)
	h.publish(inbox.Event{Type: inbox.EventMessageCreated, ConversationID: 1})
	h.flush()
	d := h.current.Load()
	if d == nil || d.done.Load() {
		t.Fatalf("delivery %+v: want one waiting for its frame", d)
	}
	h.remove(c)
	if !d.done.Load() {
		t.Fatal("the delivery still waits for the closed socket's frame")
	}
}
