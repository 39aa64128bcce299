package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// sampleSockets is how many of the sockets decode every frame to time its events; the others
// only count their message.created events, so the socket process keeps up on a small machine.
const sampleSockets = 100

// benchSocketClients is the socket process of `parley bench sockets`: it opens one agent event
// socket per token in file on url, prints "ready", then answers each "report" line on stdin
// with "report SAMPLES P50 P99 MAX COUNT..." (nanoseconds; COUNT per socket, in file order).
func benchSocketClients(ctx context.Context, c *cli, url, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	tokens := strings.Fields(string(raw))
	counts := make([]atomic.Int64, len(tokens))
	var mu sync.Mutex
	var lat []time.Duration
	every := max(1, len(tokens)/sampleSockets)
	// A large read buffer: a frame of gathered events is read in a few calls, not one per 4 KB.
	dialer := websocket.Dialer{HandshakeTimeout: time.Minute, ReadBufferSize: 32 << 10, WriteBufferSize: 256}
	conns := make([]*websocket.Conn, len(tokens))
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(tokens)) && failed.Load() == nil; i = next.Add(1) - 1 {
				conn, resp, err := dialer.DialContext(ctx, url, http.Header{"Authorization": {"Bearer " + tokens[i]}})
				if err != nil {
					status := 0
					if resp != nil {
						status = resp.StatusCode
					}
					err = fmt.Errorf("socket %d: %w (HTTP status %d)", i, err, status)
					failed.Store(&err)
					return
				}
				conns[i] = conn
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		return *p
	}
	var closing atomic.Bool // set when this process closes its sockets itself, at the end
	for i, conn := range conns {
		go func() {
			sample := i%every == 0
			// Each frame is read into the socket's one buffer: the process allocates nothing
			// per frame, and keeps up with thousands of sockets on a small machine.
			var buf bytes.Buffer
			for {
				_, r, err := conn.NextReader()
				if err == nil {
					buf.Reset()
					_, err = buf.ReadFrom(r)
				}
				if err != nil {
					if !closing.Load() {
						fmt.Fprintf(os.Stderr, "socket %d closed: %v\n", i, err)
					}
					return
				}
				frame := buf.Bytes()
				if !sample {
					counts[i].Add(int64(bytes.Count(frame, []byte(`"type":"message.created"`))))
					continue
				}
				got, d := eventsOf(frame, time.Now())
				counts[i].Add(int64(got))
				mu.Lock()
				lat = append(lat, d...)
				mu.Unlock()
			}
		}()
	}
	fmt.Println("ready")
	ask := bufio.NewScanner(os.Stdin)
	for ask.Scan() {
		mu.Lock()
		sorted := slices.Clone(lat)
		mu.Unlock()
		slices.Sort(sorted)
		pct := func(p float64) time.Duration {
			if len(sorted) == 0 {
				return 0
			}
			return sorted[int(p*float64(len(sorted)-1))]
		}
		var b strings.Builder
		fmt.Fprintf(&b, "report %d %d %d %d", len(sorted), pct(0.5), pct(0.99), pct(1))
		for i := range counts {
			fmt.Fprintf(&b, " %d", counts[i].Load())
		}
		fmt.Println(b.String())
	}
	closing.Store(true)
	for _, conn := range conns {
		_ = conn.Close()
	}
	return nil
}

// eventsOf decodes one frame of the agent socket (one event, or an array of them) and returns
// how many message.created events it carried and each one's delay from its time to now.
func eventsOf(frame []byte, now time.Time) (int, []time.Duration) {
	type event struct {
		Type string    `json:"type"`
		At   time.Time `json:"at"`
	}
	var events []event
	if len(frame) > 0 && frame[0] == '[' {
		if json.Unmarshal(frame, &events) != nil {
			return 0, nil
		}
	} else {
		var e event
		if json.Unmarshal(frame, &e) != nil {
			return 0, nil
		}
		events = []event{e}
	}
	var d []time.Duration
	for _, e := range events {
		if e.Type == "message.created" {
			d = append(d, now.Sub(e.At))
		}
	}
	return len(d), d
}
