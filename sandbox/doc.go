// Package sandbox stands in for the providers when `parley serve --sandbox` asks for it (`make
// run` does): replies on every channel reach fakes in the server process instead of Twilio,
// Slack or a mail server, and what each provider would have received is kept for admins to
// read at /admin/sandbox.
//
// The fakes speak the providers' wire formats, so the channels' own send code runs unchanged:
// an HTTP listener on a loopback port answers Twilio's Messages API (the form POSTed to
// Messages.json) and Slack's Web API (chat.postMessage and the few methods the channel calls
// besides), and an SMTP server on another loopback port (go-smtp) takes the MIME messages. An
// IMAP server on a third (go-imap's) lets any login read an empty INBOX, so that the email
// inboxes' polls succeed. cmd points PARLEY_TWILIO_API_URL, PARLEY_SLACK_API_URL and the email
// channel's SMTP and IMAP relays at them.
//
// Entries are stored in sandbox_entries (migration 125), so every process shows what any of
// them sent, and pruned on insert to the newest Keep.
package sandbox
