package email_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
)

// startThread ingests a customer's first mail and sends the agent's reply through the sink; it
// returns the conversation and the reply as stored.
func (e *env) startThread(t *testing.T) (int64, inbox.Message) {
	t.Helper()
	e.imap.Append(t, customerMail("start@customer.example", "carol@customer.example", "Help", "Please help."))
	e.poll()
	convID := e.messageByEmailID("start@customer.example").ConversationID
	r := e.reply(convID, "On it.")
	if err := e.deliver(r.ID, 1); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	sent, err := e.store.GetMessage(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sent.DeliveryStatus != inbox.DeliverySent || sent.EmailMessageID == nil {
		t.Fatalf("reply %+v not sent", sent)
	}
	return convID, sent
}

// TestBounceFailsTheReply: a delivery failure report for our reply marks it failed with the
// remote server's reason, and is filed in the conversation without reopening it.
func TestBounceFailsTheReply(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	convID, sent := e.startThread(t)
	if _, err := e.store.SetStatus(ctx, convID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.imap.Append(t, mail([]string{
		"From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>",
		"To: support@example.com",
		"Subject: Undelivered Mail Returned to Sender",
		"Message-ID: <bounce1@mx.customer.example>",
		"Auto-Submitted: auto-replied",
		"MIME-Version: 1.0",
		`Content-Type: multipart/report; report-type=delivery-status; boundary="b"`,
	},
		"--b",
		"Content-Type: text/plain",
		"",
		"Your message could not be delivered.",
		"--b",
		"Content-Type: message/delivery-status",
		"",
		"Reporting-MTA: dns; mx.customer.example",
		"",
		"Final-Recipient: rfc822; carol@customer.example",
		"Action: failed",
		"Status: 5.1.1",
		"Diagnostic-Code: smtp; 550 5.1.1 <carol@customer.example>: Recipient address rejected: User unknown",
		"",
		"--b",
		"Content-Type: text/rfc822-headers",
		"",
		"Message-ID: <"+*sent.EmailMessageID+">",
		"From: Acme Support <support@example.com>",
		"Subject: Re: Help",
		"",
		"--b--"))
	e.poll()
	failed, err := e.store.GetMessage(ctx, sent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if failed.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(failed.DeliveryError, "5.1.1") ||
		!strings.Contains(failed.DeliveryError, "User unknown") {
		t.Errorf("reply after the bounce: %q %q, want failed with the diagnostic", failed.DeliveryStatus, failed.DeliveryError)
	}
	b := e.messageByEmailID("bounce1@mx.customer.example")
	if b.Auto != "bounce" || b.ConversationID != convID {
		t.Errorf("bounce stored as auto %q in conversation %d, want bounce in %d", b.Auto, b.ConversationID, convID)
	}
	if conv, _ := e.store.GetConversation(ctx, convID); conv.Status != inbox.StatusResolved {
		t.Errorf("status after the bounce = %q, want still resolved", conv.Status)
	}
}

// TestAutoReplyDoesNotReopen: an out-of-office answer to our reply is recorded in the
// conversation, marked, and leaves a resolved conversation resolved.
func TestAutoReplyDoesNotReopen(t *testing.T) {
	e := setup(t, envOptions{})
	ctx := context.Background()
	convID, sent := e.startThread(t)
	if _, err := e.store.SetStatus(ctx, convID, inbox.StatusResolved, inbox.Actor{}); err != nil {
		t.Fatal(err)
	}
	e.imap.Append(t, customerMail("ooo@customer.example", "carol@customer.example", "Out of office: Re: Help",
		"I am away until Monday.", "Auto-Submitted: auto-replied", "In-Reply-To: <"+*sent.EmailMessageID+">"))
	e.poll()
	m := e.messageByEmailID("ooo@customer.example")
	if m.Auto != "auto-reply" || m.ConversationID != convID {
		t.Errorf("auto-reply stored as auto %q in %d, want auto-reply in %d", m.Auto, m.ConversationID, convID)
	}
	if conv, _ := e.store.GetConversation(ctx, convID); conv.Status != inbox.StatusResolved {
		t.Errorf("status after the auto-reply = %q, want still resolved", conv.Status)
	}
}

// TestPermanentSMTPFailure: a 5xx answer fails the message at once with the server's reason.
func TestPermanentSMTPFailure(t *testing.T) {
	e := setup(t, envOptions{})
	e.smtp.Reject(func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	})
	e.imap.Append(t, customerMail("p@customer.example", "carol@customer.example", "Hi", "Hi."))
	e.poll()
	r := e.reply(e.messageByEmailID("p@customer.example").ConversationID, "Hello Carol")
	err := e.deliver(r.ID, 1)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("deliver = %v, want the job cancelled (no retry)", err)
	}
	m, _ := e.store.GetMessage(context.Background(), r.ID)
	if m.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(m.DeliveryError, "550 5.1.1 No such user here") {
		t.Errorf("message %q %q, want failed with the server's reason", m.DeliveryStatus, m.DeliveryError)
	}
}

// TestTemporarySMTPFailureRetries: a 4xx answer (421 service unavailable, 451 local error)
// leaves the message to be retried; the retry sends it once, with the same Message-ID.
func TestTemporarySMTPFailureRetries(t *testing.T) {
	for _, refusal := range []*smtp.SMTPError{
		{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many connections, try later"},
		{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"},
	} {
		t.Run(strconv.Itoa(refusal.Code), func(t *testing.T) { temporarySMTPFailure(t, refusal) })
	}
}

func temporarySMTPFailure(t *testing.T, refusal *smtp.SMTPError) {
	e := setup(t, envOptions{})
	e.smtp.Reject(func(string) error { return refusal })
	e.imap.Append(t, customerMail("q@customer.example", "carol@customer.example", "Hi", "Hi."))
	e.poll()
	r := e.reply(e.messageByEmailID("q@customer.example").ConversationID, "Hello Carol")
	err := e.deliver(r.ID, 1)
	var cancel *river.JobCancelError
	var se *email.SendError
	if err == nil || errors.As(err, &cancel) || !errors.As(err, &se) || !se.Temporary() {
		t.Fatalf("deliver = %v, want a temporary error for River to retry", err)
	}
	first, _ := e.store.GetMessage(context.Background(), r.ID)
	if first.DeliveryStatus != inbox.DeliverySending || first.EmailMessageID == nil {
		t.Fatalf("after the %d: %q, Message-ID %v; want sending with its Message-ID stored", refusal.Code, first.DeliveryStatus, first.EmailMessageID)
	}
	e.smtp.Reject(nil)
	if err := e.deliver(r.ID, 2); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := e.smtp.Messages()
	if len(sent) != 1 || header(sent[0].Data, "Message-Id") != "<"+*first.EmailMessageID+">" {
		t.Errorf("retry sent %d messages; Message-ID must be the one stored before the first try (%s)", len(sent), *first.EmailMessageID)
	}
	if m, _ := e.store.GetMessage(context.Background(), r.ID); m.DeliveryStatus != inbox.DeliverySent {
		t.Errorf("after the retry: %q, want sent", m.DeliveryStatus)
	}
}

// TestTLSAndLogin reads over imaps and sends over SMTP with STARTTLS and a login, trusting only
// the test's CA; a wrong SMTP password fails the message with the server's answer.
func TestTLSAndLogin(t *testing.T) {
	srvTLS, cliTLS := emailtest.TLSConfigs(t)
	e := setup(t, envOptions{
		imap:    emailtest.IMAPOptions{TLS: srvTLS},
		smtp:    emailtest.SMTPOptions{Username: "sender", Password: "smtp-secret", TLS: srvTLS},
		fetcher: email.FetcherConfig{TLSConfig: cliTLS},
		sender:  email.SenderConfig{TLSConfig: cliTLS},
	})
	if !strings.HasPrefix(e.imap.URL(), "imaps://") {
		t.Fatalf("IMAP URL %s", e.imap.URL())
	}
	_, _ = e.startThread(t) // fails the test unless read over TLS and sent
	if got := e.smtp.Messages(); len(got) != 1 || !got[0].TLS {
		t.Errorf("sink got %d messages (TLS %v), want one over STARTTLS", len(got), len(got) == 1 && got[0].TLS)
	}

	// The same inbox with a wrong SMTP password.
	ni, err := email.NewInbox("Wrong", "wrong@example.com", e.imap.URL(),
		strings.Replace(e.smtp.URL(), "smtp-secret", "nope", 1), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ni.Settings = withIMAPMailbox(t, ni, "Elsewhere") // not the same mailbox as the first inbox
	bad, err := e.store.CreateInbox(context.Background(), ni)
	if err != nil {
		t.Fatal(err)
	}
	convID := e.messageByEmailID("start@customer.example").ConversationID
	m, err := e.store.Send(context.Background(), inbox.Reply{ConversationID: convID, Text: "via the other inbox",
		Channel: inbox.ChannelEmail, InboxID: bad.ID})
	if err != nil {
		t.Fatal(err)
	}
	var cancel *river.JobCancelError
	if err := e.deliver(m.ID, 1); !errors.As(err, &cancel) {
		t.Fatalf("deliver with a wrong password = %v, want failed at once", err)
	}
	got, _ := e.store.GetMessage(context.Background(), m.ID)
	if got.DeliveryStatus != inbox.DeliveryFailed || !strings.Contains(got.DeliveryError, "535") {
		t.Errorf("message %q %q, want failed with the 535", got.DeliveryStatus, got.DeliveryError)
	}
}

func withIMAPMailbox(t *testing.T, ni inbox.NewInbox, mailbox string) email.Settings {
	t.Helper()
	s, ok := ni.Settings.(email.Settings)
	if !ok {
		t.Fatalf("settings %T", ni.Settings)
	}
	s.IMAP.Mailbox = mailbox
	return s
}
