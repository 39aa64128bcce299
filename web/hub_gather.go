package web

import (
	"sync/atomic"
	"time"
)

// delivery is one flush's frames on their way to the sockets. It is done once all but a few
// stragglers (a thirty-second of them, at most) are written or dropped with their socket: a
// socket whose client stopped reading must not pin the hub's window. Then the hub learns what
// the delivery cost.
type delivery struct {
	h     *hub
	start time.Time
	// left counts the frames not yet written, plus one while the flush still queues them;
	// slack is how many may be left when the delivery is done, -1 while the flush queues.
	left  atomic.Int64
	slack atomic.Int64
	done  atomic.Bool
}

// startDelivery begins a delivery, held by the flush until it calls queuedAll.
func (h *hub) startDelivery() *delivery {
	d := &delivery{h: h, start: time.Now()}
	d.left.Store(1)
	d.slack.Store(-1)
	h.current.Store(d)
	return d
}

// add counts a frame queued for a socket. A nil delivery (a frame of one socket's own, such as
// the events a late socket missed) counts nothing, here and in written.
func (d *delivery) add() {
	if d != nil {
		d.left.Add(1)
	}
}

// queuedAll releases the flush's hold once it queued its n frames.
func (d *delivery) queuedAll(n int) {
	d.slack.Store(int64(n / 32))
	d.written()
}

// written counts a frame written or dropped (or the flush's hold released); the one that
// leaves no more than the slack records the delivery's cost.
func (d *delivery) written() {
	if d == nil {
		return
	}
	if d.left.Add(-1) <= d.slack.Load() && d.done.CompareAndSwap(false, true) {
		d.h.cost.Store(int64(time.Since(d.start)))
	}
}

// window is the least time from one delivery to the next: gatherWait, or under load
// gatherRatio times what writing the last delivery took (the current one's time so far, while
// it is still being written), up to maxGather. When a delivery's writes take long, because the
// sockets are many or the machine busy, the next gathers more events into each frame, so the
// writes per event shrink as the load grows and the time spent writing stays about a third
// of the hub's. Without gathering (wait 0, in tests) it is 0.
func (h *hub) window() time.Duration {
	if h.wait <= 0 {
		return 0
	}
	cost := time.Duration(h.cost.Load())
	if d := h.current.Load(); d != nil && !d.done.Load() {
		cost = max(cost, time.Since(d.start))
	}
	return min(max(h.wait, gatherRatio*cost), maxGather)
}
