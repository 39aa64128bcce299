package main

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/sandbox"
)

// startSandbox starts the sandbox (`parley serve --sandbox`): the fake Twilio, Slack and SMTP
// on loopback ports of this process, and points the channels at them, so that no reply leaves
// for a provider. It says so loudly: the sandbox must never be on by accident.
func (a *app) startSandbox() error {
	sb, err := sandbox.Start(sandbox.Config{Pool: a.pool, Logger: a.log, Clock: a.store.Now})
	if err != nil {
		return err
	}
	a.sandbox = sb
	a.cfg.TwilioAPIURL, a.cfg.SlackAPIURL = sb.TwilioURL(), sb.SlackURL()
	if a.cfg.SMTPURL == "" {
		a.cfg.SMTPURL = sb.SMTPURL() // Parley's own mail (password resets) too, unless PARLEY_SMTP_URL says where
	}
	a.log.Warn("SANDBOX ON (--sandbox): replies on every channel go to fakes inside this server, never to Twilio, Slack or a mail server; see /admin/sandbox. Never run a real deployment with it",
		"twilio", sb.TwilioURL(), "slack", sb.SlackURL(), "smtp", sb.SMTPURL(), "imap", strings.TrimPrefix(sb.IMAPURL(), "imap://sandbox:sandbox@"))
	return nil
}

// stopSandbox closes the sandbox's listeners, if it runs.
func (a *app) stopSandbox() {
	if a.sandbox == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.sandbox.Close(ctx); err != nil {
		a.log.Warn("sandbox did not stop cleanly", "err", err)
	}
}

// sandboxRelays are the SMTP and IMAP relays the email channel sends through and reads from:
// the sandbox's, or none.
func (a *app) sandboxRelays() (smtp, imap string) {
	if a.sandbox == nil {
		return "", ""
	}
	return a.sandbox.SMTPURL(), a.sandbox.IMAPURL()
}
