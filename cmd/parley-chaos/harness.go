package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels/slack/slacktest"
)

// The accounts the harness provisions.
const (
	adminEmail   = "chaos-admin@example.com"
	triageEmail  = "chaos-triage@example.com"
	triageTeam   = "Chaos"
	smsNumber    = "+15550100000"
	mailAddress  = "support@example.com"
	slackToken   = "xoxb-chaos-token"
	slackSecret  = "chaos-slack-signing-secret"
	slackChannel = "C0CHAOS01"
)

// harness is the stage: the cluster, the fakes, the servers and the credentials.
type harness struct {
	repo, dir string
	pg        *cluster
	db        *pgxpool.Pool
	p         *parley
	client    *http.Client
	publicURL string

	twilio *twilio
	slack  *slacktest.Server
	smtp   *smtpSink
	imap   *imapFake

	agentToken, integrationToken string
	chatInbox                    int64

	mu      sync.Mutex
	servers []*server
	blocks  map[string]int
}

// setUp builds bin/parley, starts the cluster and the fakes, provisions the inboxes and tokens
// and starts two servers. The survivor of scenario a (servers[1]) starts first, alone, so that it
// is River's leader (whose periodic jobs start the mailbox's polling); servers[0] is the one
// killed.
func setUp(ctx context.Context) (*harness, error) {
	repo, err := repoRoot()
	if err != nil {
		return nil, err
	}
	bin, err := build(ctx, repo)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "parley-chaos-")
	if err != nil {
		return nil, err
	}
	h := &harness{repo: repo, dir: dir, client: &http.Client{Timeout: 15 * time.Second}, blocks: map[string]int{}}
	pgDir := filepath.Join(repo, ".pg/test", "chaos-"+strconv.Itoa(os.Getpid()))
	if h.pg, err = startCluster(ctx, repo, pgDir); err != nil {
		return h, err
	}
	if h.db, err = pgxpool.New(ctx, h.pg.url); err != nil {
		return h, err
	}
	if err := h.startFakes(); err != nil {
		return h, err
	}
	addrs := [2]string{}
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return h, err
		}
	}
	h.publicURL = "http://" + addrs[0] // Twilio signs for this URL; both servers share it
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h.p = &parley{bin: bin, dir: dir, env: append(os.Environ(),
		"DATABASE_URL="+h.pg.url, "PARLEY_SECRET_KEY="+base64.StdEncoding.EncodeToString(key),
		"PARLEY_PUBLIC_URL="+h.publicURL, "PARLEY_TWILIO_API_URL="+h.twilio.srv.URL,
		"PARLEY_SLACK_API_URL="+h.slack.URL(), "PARLEY_LOG_LEVEL=warn",
		// Every client here comes from 127.0.0.1 and stands for many customers: no per-address caps.
		"PARLEY_MAX_CONNS_PER_IP=0", "PARLEY_CHAT_NEW_VISITORS_PER_MIN=0", "PARLEY_CHAT_SOCKETS_PER_IP=0")}
	if err := h.provision(ctx); err != nil {
		return h, err
	}
	survivor, err := h.p.startServer(ctx, "server-2", addrs[1])
	if err != nil {
		return h, err
	}
	h.servers = []*server{nil, survivor}
	if err := h.waitFor(ctx, time.Minute, "server-2 to lead River and start polling the mailbox", func() bool {
		var n int
		_ = h.db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'email_poll' AND attempted_at IS NOT NULL`).Scan(&n)
		return n > 0
	}); err != nil {
		return h, err
	}
	victim, err := h.p.startServer(ctx, "server-1", addrs[0])
	if err != nil {
		return h, err
	}
	h.setServers(victim, survivor)
	return h, nil
}

// startFakes starts fake Twilio, Slack, SMTP and IMAP.
func (h *harness) startFakes() error {
	h.twilio = newTwilio(150 * time.Millisecond)
	h.slack = slacktest.New(slackToken)
	var err error
	if h.smtp, err = newSMTPSink(); err != nil {
		return err
	}
	h.imap, err = newIMAP()
	return err
}

// provision migrates and adds, through the CLI, an admin with an agent and an integration
// token, the SMS, chat, email and Slack inboxes, and a routing rule, team and SLA policy.
func (h *harness) provision(ctx context.Context) error {
	steps := []struct {
		stdin string
		args  []string
		out   *string
	}{
		{"", []string{"migrate"}, nil},
		{"", []string{"agent", "add", "--email", adminEmail, "--name", "Chaos Admin", "--role", "admin",
			"--password", "chaos-admin-password-long-enough"}, nil},
		{"", []string{"token", "add", "--agent", adminEmail, "--name", "chaos-agent"}, &h.agentToken},
		{"", []string{"token", "add", "--agent", adminEmail, "--name", "chaos-integration", "--integration"}, &h.integrationToken},
		{"", []string{"inbox", "add", "sms", "--name", "Chaos SMS", "--from", smsNumber, "--account-sid",
			h.twilio.fake.AccountSID, "--auth-token", h.twilio.fake.AuthToken}, nil},
		{"", []string{"inbox", "add", "email", "--name", "Chaos Mail", "--address", mailAddress,
			"--imap-url", h.imap.url(), "--smtp-url", (&url.URL{Scheme: "smtp", Host: h.smtp.addr}).String()}, nil},
		{"", []string{"inbox", "add", "slack", "--name", "Chaos Slack", "--bot-token", slackToken,
			"--signing-secret", slackSecret}, nil},
		// The workflow the load's new conversations go through (checkWorkflow): a rule routes
		// them to a team whose one agent takes them all, and a policy starts their clocks.
		{"", []string{"agent", "add", "--email", triageEmail, "--name", "Chaos Triage", "--role", "agent",
			"--capacity", "1000000", "--password", "chaos-triage-password-long-enough"}, nil},
		{"", []string{"team", "add", "--name", triageTeam, "--members", triageEmail}, nil},
		{"", []string{"rule", "add", "--name", "Chaos routing", "--channel", "api", "--channel", "sms", "--channel", "chat",
			"--set-team", triageTeam, "--set-priority", "high"}, nil},
		{"", []string{"sla", "add", "--name", "Chaos clocks", "--first-response", "4h"}, nil},
	}
	for _, s := range steps {
		out, err := h.p.run(ctx, s.stdin, s.args...)
		if err != nil {
			return err
		}
		if s.out != nil {
			*s.out = lastLine(out)
		}
	}
	out, err := h.p.run(ctx, "", "inbox", "add", "chat", "--name", "Chaos Chat", "--origin", chatOrigin)
	if err != nil {
		return err
	}
	if h.chatInbox, err = strconv.ParseInt(lastLine(out), 10, 64); err != nil {
		return fmt.Errorf("inbox add chat printed %q", out)
	}
	return nil
}

// setServers replaces the set of servers the clients use.
func (h *harness) setServers(s ...*server) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.servers = s
}

// pick returns the n-th server that is up (modulo), as a load balancer that has noticed a dead
// backend would; nil when none is.
func (h *harness) pick(n int) *server {
	h.mu.Lock()
	all := append([]*server(nil), h.servers...)
	h.mu.Unlock()
	var up []*server
	for _, s := range all {
		if s != nil && s.alive() {
			up = append(up, s)
		}
	}
	if len(up) == 0 {
		return nil
	}
	return up[n%len(up)]
}

// phoneBlock numbers the phone ranges of each load, so customers differ between scenarios.
func (h *harness) phoneBlock(prefix string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.blocks[prefix]; !ok {
		h.blocks[prefix] = len(h.blocks) + 1
	}
	return h.blocks[prefix]
}

// waitFor polls cond every 200 ms until it holds or d passes.
func (h *harness) waitFor(ctx context.Context, d time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up waiting %s for %s", d, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

// tearDown stops the servers, the fakes and the cluster; the cluster stays when keep is set,
// the servers' logs when keep is set or a promise was broken (ok false).
func (h *harness) tearDown(keep, ok bool) {
	h.mu.Lock()
	all := append([]*server(nil), h.servers...)
	h.mu.Unlock()
	for _, s := range all {
		if s != nil {
			s.stop()
		}
	}
	if h.db != nil {
		h.db.Close()
	}
	h.closeFakes()
	if h.pg != nil && !keep {
		if err := h.pg.remove(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "parley-chaos:", err)
		}
	}
	if !keep && ok {
		_ = os.RemoveAll(h.dir)
	}
}

func (h *harness) closeFakes() {
	if h.twilio != nil {
		h.twilio.close()
	}
	if h.slack != nil {
		h.slack.Close()
	}
	if h.smtp != nil {
		_ = h.smtp.srv.Close()
	}
	if h.imap != nil {
		_ = h.imap.srv.Close()
	}
}

// sleep waits d or until ctx ends (an interrupted run hurries to its teardown).
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
