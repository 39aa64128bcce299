package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

// The timing of scenario c.
var (
	deliverBound = 90 * time.Second // how long a delivery may take to get through the faults
	noRetryWatch = 10 * time.Second // how long a permanent failure is watched for a retry
	retryAfter   = 2 * time.Second  // the Retry-After the fakes ask for
)

// providerRun is what scenario c and d leave for their checks.
type providerRun struct {
	results  []*result
	poisonAt time.Time
	poison   int
	err      error
}

// runProviders is scenario c (provider faults, each case on its own goroutine) with scenario
// d's poison jobs failing in the default queue meanwhile.
func (h *harness) runProviders(ctx context.Context) *providerRun {
	run := &providerRun{poisonAt: time.Now(), poison: 200}
	_, run.err = h.db.Exec(ctx, `INSERT INTO river_job (args, kind, max_attempts, queue, priority, state, scheduled_at)
		SELECT '{}', 'chaos_poison', 3, 'default', 1, 'available', now() FROM generate_series(1, $1)`, run.poison)
	cases := []func(context.Context) *result{h.twilioRetry, h.twilioPermanent, h.slackRateLimit, h.emailFaults}
	run.results = make([]*result, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.results[i] = c(ctx)
		}()
	}
	wg.Wait()
	return run
}

// smsConversation makes a conversation of a new SMS customer and returns its id.
func (h *harness) smsConversation(ctx context.Context, from, text string) (int64, error) {
	sid := smstest.NewSID("SM")
	form := smstest.InboundForm(smstest.SMS{MessageSID: sid, AccountSID: h.twilio.fake.AccountSID, From: from, To: smsNumber, Body: text})
	req, err := h.twilioRequest(h.pick(0), form)
	if err != nil {
		return 0, err
	}
	if err := h.expect2xx(req); err != nil {
		return 0, err
	}
	return h.conversationOf(ctx, "sms", sid)
}

// conversationOf waits for the message (channel, external id) and returns its conversation.
func (h *harness) conversationOf(ctx context.Context, channel, externalID string) (int64, error) {
	var conv int64
	err := h.waitFor(ctx, deliverBound, channel+" message "+externalID, func() bool {
		return h.db.QueryRow(ctx, `SELECT conversation_id FROM messages WHERE channel = $1 AND external_id = $2`,
			channel, externalID).Scan(&conv) == nil
	})
	return conv, err
}

func (h *harness) expect2xx(req *http.Request) error {
	resp, err := h.client.Do(req)
	if err != nil {
		return err
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return nil
}

// reply posts an agent's reply to conv through the API and returns when it was acknowledged.
func (h *harness) reply(conv int64, text string) (time.Time, error) {
	body, _ := json.Marshal(map[string]string{"type": "reply", "text": text})
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/conversations/%d/messages", h.pick(0).url, conv), bytes.NewReader(body))
	if err != nil {
		return time.Time{}, err
	}
	req.Header.Set("Authorization", "Bearer "+h.agentToken)
	req.Header.Set("Content-Type", "application/json")
	return time.Now(), h.expect2xx(req)
}

// outcome waits for the reply with this text to leave queued and sending, and returns its status,
// reason and when it was seen settled.
func (h *harness) outcome(ctx context.Context, text string) (status, reason string, at time.Time) {
	_ = h.waitFor(ctx, deliverBound, "the delivery of "+text, func() bool {
		err := h.db.QueryRow(ctx, `SELECT delivery_status, delivery_error FROM messages WHERE text = $1 AND direction = 'outbound'`,
			text).Scan(&status, &reason)
		return err == nil && status != "queued" && status != "sending"
	})
	return status, reason, time.Now()
}

// delivered fills r for a delivery that must get through: status sent, accepted once after
// the given number of attempts, the wait after a Retry-After at least that long.
func delivered(r *result, status string, accepted int, attempts []time.Time, want int, after int) {
	r.acked, r.stored = 1, min(accepted, 1)
	if len(attempts) > 1 {
		r.unavailable = attempts[len(attempts)-1].Sub(attempts[0])
	}
	r.note("status %s, %d attempts, accepted %d time(s)", status, len(attempts), accepted)
	switch {
	case accepted == 0:
		r.lost = 1
		r.fail("never delivered (status %q after %s)", status, deliverBound)
	case accepted > 1:
		r.dups = accepted - 1
		r.fail("delivered %d times", accepted)
	}
	if status != "sent" && status != "delivered" {
		r.fail("status %q, want sent", status)
	}
	if accepted > 0 && len(attempts) != want {
		r.fail("%d attempts, want %d (one per fault, then the success)", len(attempts), want)
	}
	if after > 0 && len(attempts) > after {
		if gap := attempts[after].Sub(attempts[after-1]); gap < retryAfter {
			r.fail("retried %s after a Retry-After of %s", gap.Round(time.Millisecond), retryAfter)
		} else {
			r.note("retried %s after a Retry-After of %s", gap.Round(time.Millisecond), retryAfter)
		}
	}
}

// refusedOnce fills r for a permanent failure: failed with the reason, tried once.
func refusedOnce(r *result, status, reason string, attempts int, wantReason ...string) {
	r.acked, r.stored = 1, 1
	r.note("status %s (%q), %d attempt(s)", status, reason, attempts)
	if status != "failed" {
		r.fail("status %q, want failed", status)
	}
	shown := false
	for _, w := range wantReason {
		shown = shown || strings.Contains(strings.ToLower(reason), w)
	}
	if !shown {
		r.fail("the reason %q does not name the provider's refusal (%s)", reason, strings.Join(wantReason, " or "))
	}
	if attempts != 1 {
		r.fail("tried %d times; a permanent failure must not be retried", attempts)
	}
}

// smsReplyWithFaults makes a conversation of a new SMS customer (from), scripts Twilio's answers
// to the reply text, posts the reply and waits for its outcome; false when r records a failure.
func (h *harness) smsReplyWithFaults(ctx context.Context, r *result, from, text string, faults ...twilioFault) (status, reason string, ok bool) {
	conv, err := h.smsConversation(ctx, from, text+" (customer)")
	if err != nil {
		r.fail("setup: %v", err)
		return "", "", false
	}
	h.twilio.script(text, faults...)
	if _, err := h.reply(conv, text); err != nil {
		r.fail("reply: %v", err)
		return "", "", false
	}
	status, reason, _ = h.outcome(ctx, text)
	return status, reason, true
}

// twilioRetry: Twilio answers 500, then 429 with Retry-After, then accepts.
func (h *harness) twilioRetry(ctx context.Context) *result {
	r := &result{name: "c. Twilio 500, then 429 Retry-After 2s"}
	const text = "c-twilio-retry agent reply"
	status, _, ok := h.smsReplyWithFaults(ctx, r, "+15550009001", text,
		twilioFault{status: 500, code: 20500}, twilioFault{status: 429, code: 20429, retryAfter: retryAfter})
	if ok {
		delivered(r, status, h.twilio.accepted(text), h.twilio.attempts(text), 3, 2)
	}
	return r
}

// twilioPermanent: Twilio answers 21610 (the customer texted STOP).
func (h *harness) twilioPermanent(ctx context.Context) *result {
	r := &result{name: "c. Twilio 21610 (unsubscribed): permanent"}
	const text = "c-twilio-stop agent reply"
	status, reason, ok := h.smsReplyWithFaults(ctx, r, "+15550009002", text, twilioFault{status: 400, code: 21610})
	if ok {
		sleep(ctx, noRetryWatch)
		refusedOnce(r, status, reason, len(h.twilio.attempts(text)), "21610", "unsubscribed", "opted out")
	}
	return r
}

// slackRateLimit: chat.postMessage answers 429 ratelimited with Retry-After, then posts.
func (h *harness) slackRateLimit(ctx context.Context) *result {
	r := &result{name: "c. Slack 429 ratelimited, Retry-After 2s"}
	h.slack.AddUser(slacktest.User{ID: "U0CHAOSCUST", Name: "cust", RealName: "Chaos Customer"})
	ts := fmt.Sprintf("%d.000100", time.Now().Unix())
	body := slacktest.MessageEvent(slacktest.Message{Channel: slackChannel, User: "U0CHAOSCUST", Text: "c-slack customer", TS: ts})
	req, _ := http.NewRequest(http.MethodPost, h.pick(0).url+"/webhooks/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	slacktest.Sign(req.Header, slackSecret, time.Now(), body)
	if err := h.expect2xx(req); err != nil {
		r.fail("setup: %v", err)
		return r
	}
	var conv int64
	err := h.waitFor(ctx, deliverBound, "the Slack message", func() bool {
		return h.db.QueryRow(ctx, `SELECT conversation_id FROM messages WHERE channel = 'slack' AND text = 'c-slack customer'`).Scan(&conv) == nil
	})
	if err != nil {
		r.fail("setup: %v", err)
		return r
	}
	const text = "c-slack agent reply"
	calls := h.slack.Calls("chat.postMessage")
	h.slack.FailNext("chat.postMessage", slacktest.RateLimit(retryAfter))
	at, err := h.reply(conv, text)
	if err != nil {
		r.fail("reply: %v", err)
		return r
	}
	status, _, settled := h.outcome(ctx, text)
	posted := 0
	for _, p := range h.slack.Posts() {
		if p.Text == text {
			posted++
		}
	}
	tries := h.slack.Calls("chat.postMessage") - calls
	attempts := make([]time.Time, tries) // slacktest keeps counts, not times: the span is the reply's
	if tries > 0 {
		attempts[0], attempts[tries-1] = at, settled
	}
	delivered(r, status, posted, attempts, 2, 0)
	if took := settled.Sub(at); status == "sent" && took < retryAfter {
		r.fail("posted %s after the reply, before the Retry-After of %s", took.Round(time.Millisecond), retryAfter)
	}
	return r
}

// emailFaults: the IMAP connection dropped in the middle of fetching a customer's mail (stored
// once all the same), then SMTP 421 and 451 before a reply is accepted, and 550 for another.
func (h *harness) emailFaults(ctx context.Context) *result {
	r := &result{name: "c. IMAP drop mid-fetch; SMTP 421, 451; SMTP 550"}
	h.imap.armDrop()
	raw := "From: Chaos Customer <customer@example.net>\r\nTo: " + mailAddress + "\r\nSubject: c-imap-drop\r\n" +
		"Message-ID: <c-imap-drop@chaos.example.net>\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) +
		"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nc-imap-drop: my order never came.\r\n"
	if err := h.imap.appendMail([]byte(raw)); err != nil {
		r.fail("setup: %v", err)
		return r
	}
	var conv int64
	var stored int
	err := h.waitFor(ctx, deliverBound, "the mail fetched after the drop", func() bool {
		return h.db.QueryRow(ctx, `SELECT max(conversation_id), count(*) FROM messages WHERE channel = 'email'
			AND direction = 'inbound' AND text LIKE 'c-imap-drop%'`).Scan(&conv, &stored) == nil && stored > 0
	})
	r.acked, r.stored = 1, min(stored, 1)
	r.note("IMAP connections cut mid-fetch: %d; the mail stored %d time(s)", h.imap.dropped(), stored)
	if h.imap.dropped() == 0 {
		r.fail("imap: the fault was not injected (no fetch was cut)")
	}
	if err != nil {
		r.lost = 1
		r.fail("imap: the mail was not stored after the drop: %v", err)
		return r
	}
	if stored > 1 {
		r.dups += stored - 1
		r.fail("imap: the mail was stored %d times", stored)
	}
	const retryText, refusedText = "c-smtp-retry agent reply", "c-smtp-refused agent reply"
	h.smtp.script("c-smtp-retry", smtpError(421, smtp.EnhancedCode{4, 3, 2}, "Service not available, closing channel"),
		smtpError(451, smtp.EnhancedCode{4, 3, 0}, "Requested action aborted: local error"))
	h.smtp.script("c-smtp-refused", smtpError(550, smtp.EnhancedCode{5, 1, 1}, "Mailbox unavailable"))
	for _, text := range []string{retryText, refusedText} {
		if _, err := h.reply(conv, text); err != nil {
			r.fail("reply: %v", err)
			return r
		}
	}
	status, _, _ := h.outcome(ctx, retryText)
	accepted, attempts := h.smtp.count("c-smtp-retry")
	sub := &result{}
	delivered(sub, status, accepted, attempts, 3, 0)
	status, reason, _ := h.outcome(ctx, refusedText)
	sleep(ctx, noRetryWatch)
	_, refusedAttempts := h.smtp.count("c-smtp-refused")
	refused := &result{}
	refusedOnce(refused, status, reason, len(refusedAttempts), "550", "mailbox unavailable")
	for _, s := range []struct {
		label string
		res   *result
	}{{"smtp 421/451", sub}, {"smtp 550", refused}} {
		for _, n := range s.res.notes {
			r.note("%s: %s", s.label, n)
		}
		for _, b := range s.res.broken {
			r.fail("%s: %s", s.label, b)
		}
		r.acked += s.res.acked
		r.stored += s.res.stored
		r.lost += s.res.lost
		r.dups += s.res.dups
		r.unavailable = max(r.unavailable, s.res.unavailable)
	}
	return r
}

// checkProviders returns scenario c's results and checks scenario d: every poison job
// discarded after its attempts, and the other jobs that ran meanwhile not held up.
func (h *harness) checkProviders(ctx context.Context, run *providerRun) []*result {
	d := &result{name: "d. jobs that fail every time"}
	if run.err != nil {
		d.fail("inserting the poison jobs: %v", run.err)
		return append(run.results, d)
	}
	var discarded, full, other int
	_ = h.waitFor(ctx, deliverBound, "the poison jobs to be discarded", func() bool {
		_ = h.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'discarded'),
			count(*) FILTER (WHERE state = 'discarded' AND attempt = max_attempts AND cardinality(errors) = max_attempts),
			count(*) FILTER (WHERE state NOT IN ('discarded', 'available', 'retryable', 'running', 'scheduled'))
			FROM river_job WHERE kind = 'chaos_poison'`).Scan(&discarded, &full, &other)
		return discarded == run.poison
	})
	d.acked, d.stored = run.poison, discarded
	d.note("%d poison jobs (3 attempts each): %d discarded after all their attempts", run.poison, full)
	if discarded < run.poison || full < run.poison {
		d.fail("%d of %d poison jobs discarded after all their attempts", full, run.poison)
	}
	var ran int
	var slowest time.Duration
	_ = h.db.QueryRow(ctx, `SELECT count(*), coalesce(max(attempted_at - scheduled_at), '0') FROM river_job
		WHERE kind <> 'chaos_poison' AND created_at >= $1 AND attempted_at IS NOT NULL AND kind <> 'email_poll'`,
		run.poisonAt).Scan(&ran, &slowest)
	d.note("%d other jobs ran meanwhile, the longest wait from due to started %s", ran, slowest.Round(time.Millisecond))
	if slowest > 5*time.Second {
		d.fail("another job waited %s to start while the poison jobs failed", slowest.Round(time.Millisecond))
	}
	d.note("discarded jobs are listed for admins at /admin/jobs (River's UI); failed deliveries at /admin/problems")
	return append(run.results, d)
}
