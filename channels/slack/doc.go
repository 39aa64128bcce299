// Package slack is Parley's Slack channel: it takes customers' messages in
// through Slack's Events API and answers them, and posts staff alerts, through
// Slack's Web API (slack-go).
//
// Inbound, a webhook handler calls [Verify] on the request (body cap, the
// five-minute timestamp window, the v0 HMAC signature) and [Parse] on the
// verified body. Parse normalizes Slack's many message shapes into one
// [Event]: a new message or thread reply, an edit, a delete, the one-time
// url_verification challenge, or something to ignore (other event types,
// housekeeping subtypes, and the app's own messages echoed back, which would
// otherwise loop). Both return a [*RequestError] carrying the HTTP status to
// answer with: 413 for an oversized body, 401 for a stale or forged request,
// 400 for a malformed payload. Slack redelivers an event it thinks was not
// acknowledged ([RetryOf] reads its retry headers); Event.EventID and the
// message's channel and ts are the keys that make a redelivery a no-op.
//
// A Slack user is identified across workspaces by [Event.Address],
// "TEAMID:USERID": in a Slack Connect channel the author may belong to
// another workspace than the one the app is installed in (user_team).
//
// Files a customer shares are fetched after the message is stored, by the
// workflow's fetch_attachment job through [Files], with the bot token.
//
// Outbound, a [Client] posts replies ([Client.Post], threaded when a parent
// ts is given; [Client.PostReply] marks the post with the inbox message it
// delivers, which [Client.FindDelivery] finds again when a delivery is
// retried), Block Kit alerts ([Client.PostAlert]), and looks up user
// profiles ([Client.UserInfo]) and its own identity ([Client.AuthTest]).
// Every failure wraps a [*SendError] that says whether retrying can help and
// after how long (Slack's Retry-After on rate limits).
//
// Wired into Parley, [Handler] serves the one Events API URL ([EventsPath])
// of every Slack inbox: it finds the inbox by the envelope's app and
// workspace, verifies the request with that inbox's signing secret and, in
// one transaction with the event id (table slack_events), ingests a
// customer's message (identity "TEAM:USER", external id "CHANNEL:TS", the
// thread it belongs to in slack_threads, a slack_profile job for a new
// contact) or records an edit or deletion. [Sender] posts agents' replies
// into the customer's thread; the channel's slack_profile job ([ProfileArgs])
// completes a new contact through [Profiles] (users.info); [Alerter] posts
// SLA alerts to a team's alert channel.
//
// A satisfaction survey goes out with a button per score ([Client.PostSurvey]).
// [Interactions] serves Slack's interactivity URL ([InteractionsPath]): a
// form-encoded body whose "payload" is the click ([ParseInteraction]),
// verified like an event. A click on a survey button records the clicking
// member's score through the survey desk it is given (channels.Surveys; only the surveyed
// customer's counts); a note only the member sees ("This survey has closed")
// goes through the click's response_url in a slack_respond job ([RespondArgs],
// [Responder]). Other clicks, such as an alert's link button, are
// acknowledged. [EventLog] keeps the handled event ids, which the hourly
// slack_prune job ([PruneArgs]) deletes after [EventsKeep].
// slack_events and slack_threads are the package's own tables; everything
// else goes through the inbox.
// [Connect] checks a new inbox's bot token with auth.test.
//
// [Channel] plugs all of this into Parley (the channels contract): its Open
// gives a server the two webhooks, the sender, the file fetcher, the alerter
// and the three jobs above. The package imports no other channel, nor
// workflow, nor web.
//
// The slacktest package fakes Slack for the tests and the demo.
package slack
