package web

import (
	"time"

	"github.com/gorilla/websocket"
)

// queued is a frame waiting to be written, and the delivery it belongs to.
type queued struct {
	pm *websocket.PreparedMessage
	d  *delivery
}

// push queues a frame of delivery d (nil: a frame of this socket's own, such as join's) and
// starts the socket's writer unless one runs. It never blocks, and reports false when the queue
// is full: the socket is too slow and is dropped.
func (c *client) push(pm *websocket.PreparedMessage, d *delivery) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return true
	}
	if len(c.queue) >= sendQueue {
		return false
	}
	d.add()
	c.queue = append(c.queue, queued{pm: pm, d: d})
	if !c.writing {
		c.writing = true
		go c.writeQueued()
	}
	return true
}

// writeQueued is the socket's only writer of data frames: it writes the queued frames in order
// and ends when the queue is empty, so an idle socket has no writer. A failed write closes the
// socket (its read loop then ends and removes it from the hub).
func (c *client) writeQueued() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		q := c.queue[0]
		c.queue[0] = queued{}
		c.queue = c.queue[1:]
		c.mu.Unlock()
		_ = c.conn.SetWriteDeadline(time.Now().Add(writeWait))
		err := c.conn.WritePreparedMessage(q.pm)
		q.d.written()
		if err != nil {
			c.close()
			return
		}
	}
}

// every calls fn each interval until the socket closes; a timer, not a goroutine, waits. A
// socket has one such timer: a later call replaces the earlier one.
func (c *client) every(interval time.Duration, fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = time.AfterFunc(interval, func() {
		if c.closed.Load() {
			return
		}
		fn()
		c.mu.Lock()
		c.timer.Reset(interval)
		c.mu.Unlock()
	})
}

// ping sends a ping (beside a running writer: gorilla/websocket allows it); a socket that
// cannot take it is closed.
func (c *client) ping() {
	if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
		c.close()
	}
}

// readPump reads until the socket closes, handing each frame the agent sends to onFrame on a
// short-lived goroutine: the database work a frame causes grows a stack, and the read loop's
// stays small while the socket idles. Pongs keep the socket alive.
func (c *client) readPump(onFrame func([]byte)) {
	c.conn.SetReadLimit(readLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		handled := make(chan struct{})
		go func() {
			defer close(handled)
			onFrame(msg)
		}()
		<-handled
	}
}
