// Package sms is Parley's Twilio SMS channel: it sends messages through
// Twilio's Messages API and reads the webhooks Twilio posts back.
//
// Sending: a [Client] (see [NewClient]) wraps twilio-go. [Client.Send] posts
// one message and reports Twilio's message SID and initial status, or a
// [*SendError] that says whether retrying can help ([SendError.Temporary]):
// 429, 5xx and network failures are temporary (with Twilio's Retry-After in
// [SendError.RetryAfter] when it gives one), other refusals (an invalid
// number, an opted-out recipient) are permanent. A body may hold up to
// [MaxBody] characters, which Twilio segments itself; [Split] cuts longer
// text at word boundaries into numbered parts "(1/3) ...".
//
// Receiving: [VerifyRequest] reads a webhook's form and checks its
// X-Twilio-Signature against the public URL Twilio called; its failures are
// [*RequestError] values carrying the HTTP status to answer (403, 400, 413).
// [ParseInbound] turns an incoming-message webhook into an [Inbound] with
// E.164 numbers; [ParseStatus] turns a delivery status callback into a
// [Status]. Status callbacks arrive in any order, so [Advances] tells whether
// a new status may replace the recorded one. [Keyword] recognises the
// carrier opt-out, opt-in and help keywords. Webhook handlers answer with
// [EmptyTwiML] so Twilio sends nothing back by itself.
//
// Into the inbox: a [Twilio] (see [NewTwilio]) serves every SMS inbox, one
// Twilio number or messaging service each ([NewInbox] checks its [Settings]
// and seals its [Secrets]). [Twilio.InboundHandler] finds the inbox of a
// webhook by its AccountSid and number, verifies it with that inbox's auth
// token and stores the message with inbox.Store.IngestTx, keyed by its
// MessageSid; an opt-out or opt-in keyword changes the number's consent in
// the same transaction (tables sms_opt_outs and sms_keywords) and is stored
// as an automatic message that reopens nothing. [Twilio.Send] is the
// channels.Sender of SMS replies: it refuses opted-out numbers, sends long
// replies as numbered parts recorded one by one in sms_parts (so a retry
// sends only what is missing; a part whose send was interrupted before it was
// recorded, noted in sms_attempts, is looked up at Twilio with [Client.Find]
// before it is sent again), and [Twilio.StatusHandler] folds the parts'
// status callbacks into the message's delivery status (holding, in
// sms_early_statuses, those that arrive before their part is recorded). An
// MMS's media are fetched after the message is stored, by the workflow's
// fetch_attachment job through [Twilio.FetchAttachment], and attached to it.
//
// [Channel] plugs SMS into Parley (the channels contract): its Open gives a
// server the two webhooks and the Twilio connection as sender and fetcher, or
// nothing without PARLEY_PUBLIC_URL. The package imports no other channel,
// nor workflow, nor web.
//
// Package smstest provides a fake Twilio API and signed webhook requests for
// tests.
package sms
