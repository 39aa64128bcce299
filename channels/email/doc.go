// Package email is Parley's email channel.
//
// This first part is the parsing layer: [Parse] turns one raw RFC 5322
// message into a [Parsed] value that the inbox can store. It decodes MIME
// (nested multiparts, transfer encodings, legacy charsets such as
// ISO-8859-1, Windows-1252, ISO-2022-JP and GB18030), sanitizes HTML so that
// nothing a customer wrote can run in an agent's page, derives plain text
// from HTML-only mail, strips the quoted history from replies while keeping
// the full original, collects attachments and inline images under a size
// cap, recognizes auto-replies, bounces and bulk mail, and extracts the
// threading keys (Message-ID, In-Reply-To, References, plus-address and
// subject tokens).
//
// Parsing never fails on bad mail: a malformed or undecodable message comes
// back with [Parsed.ParseError] set, the raw bytes kept and whatever could be
// recovered filled in. Only an I/O error of the reader is returned as an
// error.
//
// The rest of the package connects an email inbox (see [NewInbox], and
// [ParseIMAPURL] and [ParseSMTPURL] for the server URLs) to the inbox.
//
// In: a [Fetcher] reads a mailbox over IMAP; the channel's email_poll job
// ([PollArgs], one per inbox, in its own queue [QueueMailbox], started by the
// periodic [PollSweepArgs]) calls [Fetcher.Poll] for one inbox at a time,
// under a PostgreSQL advisory lock
// ([MailboxLockKey]) so that one process reads a mailbox. A run is bounded:
// it waits in IDLE for at most [FetcherConfig.IdleFor] (15 s) and the job
// times out after [PollTimeout] (channels.JobTimeout), under River's rescue
// interval (channels.RescueAfter), then snoozes to run again. So River never
// rescues a poll that is still alive, and the poll of a process that died is
// run by another within about a minute. Should a run outlive its timeout in
// its sync (a hung connection), a rescued copy finds the lock held and ends at
// once, without connecting to IMAP. It resumes at the
// UID after the last one stored (email_mailbox_state, written in each
// message's ingest transaction), re-reads the mailbox when its UIDVALIDITY
// changes (Message-IDs, the messages' external ids, make re-read mail a
// no-op), leaves out the mail already read when it first connected,
// marks a message \Seen only after its ingest committed, waits for
// new mail with IDLE when the server has it, and records a message that
// cannot be stored (email_failures), skipping it after a few attempts. Each
// message keeps its source (email_sources, see [LoadSource]): the raw bytes
// and the full text and HTML before the quoted history was stripped. Mail
// threads by its References, then by the plus-address token of its
// recipients ([ThreadTokens]), then by a "[#id]" subject token when the
// sender is that conversation's customer. Auto-replies and bounces are
// stored with Inbound.Auto set; a bounce marks the reply it returns failed.
// The sender's address is verified when a valid DKIM signature of its domain
// (or a parent domain) covers the From header, and only claimed otherwise.
//
// Out: a [Sender] sends replies over SMTP with our own Message-ID (stored
// before the send, so a retry resends the same one), In-Reply-To and
// References chained to the thread, Reply-To with the conversation's
// token and "[#id]" in the subject; a 5xx answer is a permanent
// [SendError].
//
// Sign-in: with passwords, or with OAuth2 ([OAuth]: Google, Microsoft or a custom token
// endpoint), where IMAP and SMTP get the SASL XOAUTH2 mechanism with an access token obtained
// with the inbox's sealed refresh token, cached sealed in email_oauth_tokens and refreshed
// once, shortly before it expires; a refresh token the provider refuses ([RefusedError]) is not
// tried again and shows on the Problems page ([NewOAuthInbox], `parley inbox add email
// --oauth`).
//
// [Channel] plugs email into Parley (the channels contract): its Open gives a
// server the sender and the two mailbox jobs, or, without PARLEY_SECRET_KEY,
// only jobs that end at once. The package imports no other channel, nor
// workflow, nor web.
//
// Package emailtest provides the IMAP server and SMTP sink the tests use.
package email
