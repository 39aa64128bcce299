package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/channels/sms/smstest"
)

// load drives one scenario's traffic at both servers: API posters, signed Twilio webhooks,
// chat visitors, agent sockets and an agent replying. Generation stops with gen; clients go on
// resending what is not yet acknowledged (and sockets stay open) until hard ends.
type load struct {
	h      *harness
	l      *ledger
	prefix string

	gen, hard       context.Context
	stopGen, stopHd context.CancelFunc
	wg              sync.WaitGroup
	inflight        atomic.Int64 // messages sent and not yet acknowledged

	visitors []*visitor
	agents   []*agentSocket
}

// loadShape is how many clients of each kind a load runs.
type loadShape struct {
	api, sms, visitors, agents int
	replies                    bool
}

func (h *harness) startLoad(prefix string, shape loadShape) *load {
	ld := &load{h: h, l: newLedger(), prefix: prefix}
	ld.gen, ld.stopGen = context.WithCancel(context.Background())
	ld.hard, ld.stopHd = context.WithCancel(context.Background())
	for i := range shape.api {
		ld.spawn(func() { ld.apiClient(i) })
	}
	for i := range shape.sms {
		ld.spawn(func() { ld.smsClient(i) })
	}
	for i := range shape.visitors {
		v := &visitor{ld: ld, n: i, seen: map[int64]bool{}, pending: map[string]time.Time{}}
		ld.visitors = append(ld.visitors, v)
		ld.spawn(v.run)
	}
	for i := range shape.agents {
		a := &agentSocket{ld: ld, n: i, seen: map[int64]bool{}}
		ld.agents = append(ld.agents, a)
		ld.spawn(a.run)
	}
	if shape.replies {
		ld.spawn(ld.replier)
	}
	return ld
}

func (ld *load) spawn(f func()) {
	ld.wg.Add(1)
	go func() {
		defer ld.wg.Done()
		f()
	}()
}

// finish stops generating, lets the clients resend what is unacknowledged for up to grace, then
// closes everything and waits for the clients.
func (ld *load) finish(grace time.Duration) {
	ld.stopGen()
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && ld.unsettled() {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // the last replies reach the sockets
	ld.stopHd()
	ld.wg.Wait()
}

// unsettled reports whether a visitor still waits for an acknowledgement.
func (ld *load) unsettled() bool {
	for _, v := range ld.visitors {
		if v.waiting() {
			return true
		}
	}
	return ld.inflight.Load() > 0
}

// apiClient posts inbound messages through the API, each resent (same external_id, to whichever
// server is up) until acknowledged, as an integration behind a load balancer does.
func (ld *load) apiClient(n int) {
	for seq := 0; ld.gen.Err() == nil; seq++ {
		key := fmt.Sprintf("%s-api-%d-%d", ld.prefix, n, seq)
		// A new customer every fifth message: new conversations keep coming, for the workflow
		// to triage while servers die (checkWorkflow).
		body, _ := json.Marshal(map[string]any{"external_id": key, "text": key + " help please",
			"contact": map[string]string{"email": fmt.Sprintf("%s-api-%d-%d@example.com", ld.prefix, n, seq/5)}})
		ld.deliver("api", key, n, func(s *server) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPost, s.url+"/api/v1/inbound", bytes.NewReader(body))
			if err == nil {
				req.Header.Set("Authorization", "Bearer "+ld.h.integrationToken)
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		})
		time.Sleep(50 * time.Millisecond)
	}
}

// smsClient posts signed Twilio webhooks, each resent until answered 200 (Twilio's fallback URL
// points at the other server).
func (ld *load) smsClient(n int) {
	from := fmt.Sprintf("+1555%03d%04d", ld.h.phoneBlock(ld.prefix), n)
	for seq := 0; ld.gen.Err() == nil; seq++ {
		sid := smstest.NewSID("SM")
		form := smstest.InboundForm(smstest.SMS{MessageSID: sid, AccountSID: ld.h.twilio.fake.AccountSID,
			From: from, To: smsNumber, Body: fmt.Sprintf("%s-sms-%d-%d hello", ld.prefix, n, seq)})
		ld.deliver("sms", sid, n, func(s *server) (*http.Request, error) {
			return ld.h.twilioRequest(s, form)
		})
		time.Sleep(100 * time.Millisecond)
	}
}

// twilioRequest is the webhook Twilio posts for form, signed for the public URL (which both
// servers share), sent to s.
func (h *harness) twilioRequest(s *server, form url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, s.url+"/webhooks/twilio/sms", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(smsSignatureHeader, smstest.Sign(h.twilio.fake.AuthToken, h.publicURL+"/webhooks/twilio/sms", form))
	return req, nil
}

const smsSignatureHeader = "X-Twilio-Signature"

// deliver sends one message until a server acknowledges it (2xx) or the load ends for good,
// trying the servers in turn; every other answer is recorded with how long it took.
func (ld *load) deliver(channel, key string, n int, build func(*server) (*http.Request, error)) {
	ld.l.try(channel, key)
	ld.inflight.Add(1)
	defer ld.inflight.Add(-1)
	var down time.Time
	for try := 0; ld.hard.Err() == nil; try++ {
		s := ld.h.pick(n + try)
		if s == nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		req, err := build(s)
		if err != nil {
			return
		}
		start := time.Now()
		resp, err := ld.h.client.Do(req.WithContext(ld.hard))
		took := time.Since(start)
		if err == nil && resp.StatusCode/100 == 2 {
			var ids struct {
				MessageID int64 `json:"message_id"`
			}
			raw, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			_ = json.Unmarshal(raw, &ids)
			ld.l.ack(channel, key, ids.MessageID)
			if !down.IsZero() {
				ld.l.outage(time.Since(down))
			}
			return
		}
		if down.IsZero() {
			down = start
		}
		wait := 100 * time.Millisecond
		if err != nil {
			if ld.hard.Err() != nil {
				return
			}
			ld.l.refused(channel+" "+errKind(err), took)
		} else {
			kind := fmt.Sprintf("%s %d", channel, resp.StatusCode)
			if ra := resp.Header.Get("Retry-After"); ra != "" {
				kind += " with Retry-After"
				wait = 500 * time.Millisecond
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			ld.l.refused(kind, took)
		}
		time.Sleep(wait)
	}
}

// errKind names a transport error briefly: refused, reset, timeout, eof.
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout (no answer in 15 s)"
	case strings.Contains(err.Error(), "refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "reset"), errors.Is(err, io.EOF), strings.Contains(err.Error(), "EOF"):
		return "connection reset"
	}
	return "error"
}

// replier answers customers as an agent would: a reply with a unique text to a random
// conversation of this load's SMS and chat customers, through the API of a server that is up.
// A reply whose answer is lost is not resent (the API has no idempotency key for replies);
// the checks count what was stored.
func (ld *load) replier() {
	for seq := 0; ld.gen.Err() == nil; seq++ {
		time.Sleep(250 * time.Millisecond)
		channel := "sms"
		if seq%2 == 1 {
			channel = "chat"
		}
		var conv int64
		err := ld.h.db.QueryRow(ld.gen, `SELECT conversation_id FROM messages
			WHERE channel = $1 AND direction = 'inbound' AND text LIKE $2 || '-%'
			ORDER BY id DESC LIMIT 1 OFFSET (random() * 5)::int`, channel, ld.prefix).Scan(&conv)
		if err != nil {
			continue
		}
		text := fmt.Sprintf("%s-reply-%d", ld.prefix, seq)
		s := ld.h.pick(seq)
		if s == nil {
			continue
		}
		body, _ := json.Marshal(map[string]string{"type": "reply", "text": text})
		req, _ := http.NewRequestWithContext(ld.hard, http.MethodPost,
			fmt.Sprintf("%s/api/v1/conversations/%d/messages", s.url, conv), bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+ld.h.agentToken)
		req.Header.Set("Content-Type", "application/json")
		ld.l.try("reply", text)
		start := time.Now()
		resp, err := ld.h.client.Do(req)
		if err != nil {
			ld.l.refused("reply "+errKind(err), time.Since(start))
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		switch kind := fmt.Sprintf("reply %d", resp.StatusCode); {
		case resp.StatusCode/100 == 2:
			ld.l.ack("reply", text, 0)
		case resp.Header.Get("Retry-After") != "":
			ld.l.refused(kind+" with Retry-After", time.Since(start))
		default:
			ld.l.refused(kind, time.Since(start))
		}
	}
}
