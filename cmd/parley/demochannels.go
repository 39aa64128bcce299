package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/slack/slacktest"
	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/filestore"
	"github.com/parleyhq/parley/workflow"
)

// How long ago the SLA examples wrote: the SMS past its hour (breached), the Slack thread past
// 80% of it (at risk); the email arrives now (on track).
const (
	demoBreachedAgo = 2 * time.Hour
	demoAtRiskAgo   = 50 * time.Minute
)

// seedChannels seeds customers who wrote through every channel, each through the channel's own
// intake where one can run in this process: the email through an IMAP mailbox the email
// channel's fetcher reads (an HTML email with an attachment, and a complaint), the SMS as a
// Twilio webhook signed with the inbox's token, the Slack thread as two Events API requests
// signed with the inbox's signing secret, the chat as the widget's socket stores it. Then
// categories, assignments, and three chats answered, resolved and rated with comments.
func seedChannels(ctx context.Context, a *app, sc showcase) error {
	if a.cfg.SecretKey != "" {
		if err := demoEmails(ctx, a); err != nil {
			return err
		}
		if err := demoSMS(ctx, a, demoBreachedAgo); err != nil {
			return err
		}
		if err := demoSlack(ctx, a, demoAtRiskAgo); err != nil {
			return err
		}
	}
	if err := demoChats(ctx, a, sc); err != nil {
		return err
	}
	if err := demoTriage(ctx, a, sc); err != nil {
		return err
	}
	for _, in := range demoMessages() {
		res, err := a.store.Ingest(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: message %s: %w", in.ExternalID, err)
		}
		category, err := demoCategory(ctx, a, "account")
		if err != nil {
			return err
		}
		if _, err := a.store.SetCategory(ctx, res.ConversationID, category, inbox.Actor{}); err != nil {
			return fmt.Errorf("demo: message %s: %w", in.ExternalID, err)
		}
	}
	return nil
}

// storeAt is a store like the app's whose clock runs ago behind: what it stores happened then.
func (a *app) storeAt(ago time.Duration) (*inbox.Store, error) {
	jobs, err := workflow.NewEnqueuer(a.pool)
	if err != nil {
		return nil, err
	}
	files, err := filestore.Open(a.cfg.Files.Store, a.pool)
	if err != nil {
		return nil, err
	}
	return inbox.New(a.pool, inbox.Options{Jobs: jobs, Router: jobs, Logger: a.log, SecretKey: a.cfg.SecretKey, PhoneRegion: a.cfg.PhoneRegion,
		Interceptor: workflow.SurveyInterceptor{}, ReplyChecker: sms.OptOutCheck{}, Files: files,
		MaxFileSize: a.cfg.Files.MaxFile, MaxMessageFiles: a.cfg.Files.MaxMessage,
		Clock: func() time.Time { return time.Now().Add(-ago) }}), nil
}

// demoSMS posts Sam's text to the SMS channel's webhook handler as Twilio would, signed.
func demoSMS(ctx context.Context, a *app, ago time.Duration) error {
	store, err := a.storeAt(ago)
	if err != nil {
		return err
	}
	tw, err := sms.NewTwilio(sms.TwilioConfig{Store: store, PublicURL: a.cfg.PublicURL, Logger: a.log})
	if err != nil {
		return err
	}
	form := smstest.InboundForm(smstest.SMS{AccountSID: demoSMSAccount, From: "+15550100200", To: demoSMSNumber,
		Body: "Hi, is my refund for order 977 processed yet? It has been two weeks."})
	return demoPost(ctx, tw.InboundHandler(), smstest.NewSignedRequest(demoSMSToken, a.cfg.PublicURL+sms.InboundPath, form), "SMS")
}

// demoSlack posts Priya's message and her reply in its thread to the Slack channel's events
// handler, signed as Slack signs them, then names her (Slack's users.info would, in the
// sandbox, give a made-up name).
func demoSlack(ctx context.Context, a *app, ago time.Duration) error {
	store, err := a.storeAt(ago)
	if err != nil {
		return err
	}
	jobs, err := workflow.NewEnqueuer(a.pool)
	if err != nil {
		return err
	}
	h := slack.NewHandler(slack.HandlerConfig{Store: store, Jobs: jobs, Logger: a.log})
	ts := time.Now().Add(-ago).Unix()
	parent := fmt.Sprintf("%d.000100", ts)
	first := slacktest.Message{Channel: "C0DEMOHELP", User: "U0DEMOPRIYA", TS: parent,
		Text: "Nobody on our team can sign in with SSO since this morning. Is something down?"}
	reply := slacktest.Message{Channel: "C0DEMOHELP", User: "U0DEMOPRIYA", TS: fmt.Sprintf("%d.000200", ts+60),
		Text: "The error page says \"SAML response expired\", if that helps."}
	for _, body := range [][]byte{slacktest.MessageEvent(first), slacktest.ThreadReply(reply, parent, "U0DEMOPRIYA")} {
		if err := demoPost(ctx, h, slacktest.Request(slack.EventsPath, demoSlackSecret, time.Now(), body), "Slack event"); err != nil {
			return err
		}
	}
	c, err := a.store.ContactByIdentity(ctx, inbox.IdentitySlack, slacktest.DefaultIdentity().TeamID+":U0DEMOPRIYA")
	if err != nil {
		return fmt.Errorf("demo: Slack contact: %w", err)
	}
	return a.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := a.store.CompleteContactTx(ctx, tx, c.ID, inbox.ContactProfile{Name: "Priya Natarajan"})
		return err
	})
}

// demoPost serves r with h and requires a 2xx answer.
func demoPost(ctx context.Context, h http.Handler, r *http.Request, what string) error {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r.WithContext(ctx))
	if w.Code/100 != 2 {
		return fmt.Errorf("demo: %s: the channel answered %d: %s", what, w.Code, w.Body.String())
	}
	return nil
}
