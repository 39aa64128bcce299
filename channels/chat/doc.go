// Package chat is the website chat channel: the widget a site embeds, the visitor wire
// protocol it speaks, and the server-side rules that guard it (visitor tokens, identity
// verification, per-visitor rate limits, allowed origins).
//
// # Embedding
//
// A site adds one tag; the widget finds its server from its own src:
//
//	<script src="https://parley.example.com/chat/widget.js" data-inbox="ID" async></script>
//
// Optional attributes: data-title, data-greeting, data-color (accent, a CSS colour). The
// page may call window.Parley.open(), .close(), .toggle(), .reset() (forget the visitor
// on this browser, for sign-out) and .identify({user_id, user_hash, name, email, attributes,
// attributes_hash}), where user_hash is UserHash(inbox secret, user_id) computed by the site's
// server, attributes the user's contact attributes as JSON text and attributes_hash
// AttributesHash(inbox secret, user_id, attributes), computed there too. Calls made
// before the script has loaded may be queued: window.Parley = {q: [["identify", {...}]]}.
// A site with a Content-Security-Policy must allow the script from, and a WebSocket and a
// fetch (connect-src wss:// and https://) to, the Parley origin.
//
// # Protocol
//
// Before it draws anything the widget asks GET /chat/texts?inbox=ID&lang=TAGS (TAGS: the
// browser's navigator.languages, comma-separated), which any page may read: 200 {lang, texts},
// the widget's words (the customer texts of internal/custtext under "widget.", keys without the
// prefix, placeholders as {name}) in the first shipped language of TAGS when the inbox follows
// the visitor's browser, in the inbox's language otherwise, with the inbox's own wording where
// it has one (browsers may keep it a minute). A 404 or 400 stops the widget; anything else is
// retried with backoff. The widget ships no words of its own, so it weighs the same in every
// language.
//
// The widget opens a WebSocket at GET /chat/ws?inbox=ID. The server refuses the upgrade
// with 403 unless the Origin header passes AllowedOrigin for that inbox (404 for an unknown or
// disabled inbox). A browser hides a refused handshake from scripts (the socket just closes,
// 1006), so when a socket closes without having opened the widget asks GET
// /chat/check?inbox=ID, which any page may read: 200 {inbox_id, origin} when the page may
// chat, else the socket's refusal as JSON {error, code}. On 403 (code "origin_not_allowed"),
// 404 or 400 the widget stops for good and tells the visitor chat is not available on the
// site (and the console names the origin to allow); on anything else it backs off and
// retries. Every frame is one
// JSON object in a text message with a "type" member; other members depend on the type.
// Members a receiver does not know are ignored; an unknown type from a client is
// answered with an error frame (code "unknown_type").
//
// Client to server:
//
//	hello   {token?, last_id, name?, email?, user_id?, user_hash?, attributes?, attributes_hash?, languages?}
//	message {client_id, text, files?}
//	typing  {on}
//	rating  {survey_id, score, comment?}
//
// Server to client:
//
//	welcome {token, visitor_id, conversation: {id, status, agent_name} | null}
//	message {id, client_id?, direction: "inbound"|"outbound", author_name, text, created_at, files?}
//	typing  {agent_name, on}
//	status  {status}
//	survey  {survey_id, prompt}
//	error   {code, message, client_id?, retry_after?}
//
// Files. A visitor attaches a file with POST /chat/upload?inbox=ID from an allowed origin: a
// multipart form of the welcome's token, then one file (at most MaxUploadBytes, a picture, PDF
// or text file by its sniffed bytes, at most MaxUploadsPerHour a visitor). The answer, 201
// {id, filename, content_type, size}, names the upload; a message frame's files (at most
// MaxFilesPerMessage upload ids; the text may then be empty) carries it to the agents as the
// message's attachment. Refusals store nothing: 413 too_large, 415 file_type, 429 too_many
// (Retry-After), 401 bad_token, 400 invalid_file. A server message frame lists its files as
// {name, type, size, url}: url is a path on the chat's server, FilePath and a signed token good
// for FileLinkTTL, which serves the bytes (pictures inline, the rest as downloads).
//
// Session. hello is the first frame of every connection and of every reconnection, and
// only the first. languages are the browser's (at most 10): when the inbox follows them, the
// first shipped one becomes the language of the conversations the visitor's messages start
// (inbox.Inbound.Language), which later texts to them (the survey, by any channel) use, and of
// the error frames the socket tells them. token is the one from an earlier welcome, absent for a new visitor;
// last_id is the id of the last message the client holds, 0 for none. The server answers
// welcome, then every chat message of the visitor's conversations with an id above last_id, and
// every agent reply below it that no socket has shown yet, in id order (it may cap the backlog
// to the most recent ones), then live frames. (A client's last_id can pass a reply it never got:
// its own messages are acknowledged at once, while a reply's live push may have been missed.) Around a
// (re)connection a message may come twice, replayed and live: a client keeps one per id. A missing
// or invalid token (see Tokens) makes a new visitor: welcome carries a new token and
// visitor_id, and a client that sees its visitor_id change drops what it had stored.
// user_id and user_hash come together; when the hash verifies (VerifyUserHash) the
// visitor is the site's signed-in user, otherwise the server sends an error (code
// "identity") and goes on with an anonymous visitor.
// attributes (a JSON object as text, at most MaxAttributesBytes) set contact attributes of a
// verified user only, and only when attributes_hash is hex(HMAC-SHA256(identity secret,
// user_id + "\n" + attributes)) (VerifyAttributesHash): the signature covers the exact text
// and the user, so a visitor can neither forge attributes nor move another user's onto
// themselves. Verified and accepted by the attribute definitions, they are set on the contact
// with the visitor's next message, in its transaction (the routing rules see them);
// otherwise the server sends an error (code "attributes", saying why, which the widget logs
// to the console) before the welcome and ignores them. A signature does not expire: a user can
// replay their own older signed attributes, so sign only what the user may see. A first frame that is not a valid
// hello gets an error frame, then a close with status 1008 (policy violation): the
// widget does not reconnect after 1008, so the server keeps that status for refusals
// that retrying cannot cure.
//
// Close codes, and what the widget does on each:
//
//	1001 going away        the server is shutting down: reconnect at once (another process
//	                       takes the socket); after a socket that was never welcomed, back off
//	1008 policy violation  refused for good (a bad hello): stop; the messages sent on that
//	                       socket and not acknowledged are dropped and shown "Not sent"
//	1009 message too big   the frame exceeded MaxFrameBytes: as 1008 for the messages sent on
//	                       the socket, then reconnect (stop when the hello itself was too big)
//	1011 internal error    the server could not store a message: reconnect and resend, but a
//	                       message resent after five welcomes without an answer is given up
//	4429 limited           a limit of the visitor's address (CloseLimited): the error frame
//	                       before it (too_many_sockets, too_many_visitors) carries retry_after;
//	                       wait that long (30 s without one), plus up to a fifth of jitter,
//	                       and not earlier when the tab or the network comes back
//	other                  retry with exponential backoff and jitter (0.5-1 s up to 15-30 s)
//
// Messages. client_id is a random id the client picks (1 to 64 letters, digits, '-' or
// '_') and keeps when it resends; text is 1 to 5,000 characters after trimming. The
// server stores a message once per visitor and client_id and acknowledges it by sending
// it back as a message frame carrying the client_id; a resent client_id is acknowledged
// with the message first stored. So a client queues every message until its
// acknowledgement arrives and resends the queue after each welcome. A message the server
// refuses gets an error frame with its client_id: code "rate_limited" (send it again after
// retry_after seconds) or any other code, such as "invalid" (drop it for good and show the
// visitor the error's message: a client never sends a refused frame again by itself). The
// server sends no acknowledgement for typing or rating frames.
//
// Typing. A client sends typing{on: true} when the visitor starts typing and at most
// every 3 s while they go on, and typing{on: false} when they stop or send; a receiver
// hides an indicator that has not been refreshed for 6 s. The server sends an agent's
// typing the same way, with the agent's name.
//
// Status and surveys. status carries the conversation's new status (new, open, pending,
// resolved, closed); a visitor writing to a resolved conversation reopens it or starts a
// new one, as the inbox threads it. survey asks for a rating; the answer is
// rating{survey_id, score 1-5, comment up to 2,000 characters}, idempotent on survey_id.
//
// Errors. error{code, message}: bad_frame, unknown_type, invalid, hello_first,
// rate_limited, identity, attributes, internal, too_many_sockets, too_many_visitors (the Code
// constants). message is English for the widget to show; client_id names the refused
// message; retry_after (whole seconds) comes with the limit codes.
//
// Limits. The server reads frames of at most MaxFrameBytes and rate-limits each visitor
// with a Limiter (by default 5 frames a second, bursts of 10): a message over it gets
// rate_limited with retry_after. Per source address (the web layer's client address, behind
// trusted proxies the forwarded one; an IPv6 /64 counts as one), Limits caps the sockets
// held at once (default 30) and the new visitors started a minute (a hello without a valid
// token; default 20): a socket over either is upgraded, told why in an error frame
// (too_many_sockets, too_many_visitors, with retry_after) and closed with 4429.
//
// # Server
//
// Server serves GET /chat/widget.js (cached an hour, revalidated by ETag), GET /chat/demo
// (a pretend shop embedding the widget of the chat inbox that allows the origin the page is
// served from, or a page saying how to allow it), GET /chat/ws, GET /chat/check, GET
// /chat/texts, POST /chat/upload and GET /chat/file/{token}. Each chat inbox
// keeps its allowed origins and email fallback in its Settings and a sealed identity secret
// in its Secrets; `parley inbox add chat` creates one and prints the secret once.
//
// Visitors. A visitor is one browser of one inbox: a random visitor id, carried by the
// token, which is the address of a verified "chat" identity of their contact. The contact
// is created by their first message (store.Ingest, external id "VISITOR_ID:CLIENT_ID", so a
// resend is the stored message). A typed email is attached as a claimed identity, never
// merged on. A user_hash that verifies makes the visitor the site's user: the email
// identity when the site's user id is an email address (the hash proves it), otherwise a
// chat identity "user:INBOX:ID". When another contact holds that identity (verified, or it
// is a "user:" identity, which only verified sessions attach) the visitor's contact is merged
// into it (store.Merge): one timeline across browsers and channels for the agents. An address
// only claimed by someone else is never merged into: anyone can type an address. The widget
// shows the chat's own messages only, never the contact's mail, SMS or Slack messages: an
// identity is matched by its address, so a contact may hold an email someone only claimed.
//
// Live delivery. Every parley process subscribes its Server to its inbox.Feed. The hub
// indexes the process's sockets by contact; the events of a contact's conversations reach
// its sockets here: message.created of a chat message (not a note) is fetched and pushed, conversation.status becomes a status frame, a message marked
// "survey" becomes a survey frame whose rating is recorded through the channels.Surveys of its Config. A socket
// whose queue (SocketConfig.SendQueue) is full is dropped; a feed reconnect closes every
// socket. Either way the widget reconnects and the replay fills the gap. After its last id
// alone it would not: while a process's feed is down (its LISTEN connection reconnects with
// backoff after a PostgreSQL restart) a reply is not pushed, but the visitor's own messages
// are still acknowledged on the socket, so the widget's last id moves past the reply. Hence
// the replay also brings the replies up to last_id that are not delivered. The process that
// pushes an agent's chat reply marks it delivered and records the visitor's last seen message
// (chat_visitors), group-committed; a reply replayed again for want of that mark is kept once
// by the widget, by id. A conversation's messages get their ids in commit order, so what
// comes after last_id has no gap. Delivered is a mark of the message, not of each browser: a
// contact with two browsers on two processes, only one of whose feeds was down, may still
// miss in the other browser a reply the first one showed.
//
// Sending. A chat reply needs no provider: its commit published the event that pushes it.
// Sender.Send reports it sent and, when the inbox has an email fallback and the visitor left
// an email, schedules the channel's chat_fallback job (FallbackArgs) at the reply's time plus
// the inbox's delay; the job emails the reply through the fallback inbox unless the visitor
// saw it.
//
// Typing is presence: ephemeral, never stored, kept off the inbox's change events on the web
// inbox's presence channel ("parley_presence", one inbox.Event per notification). A
// visitor's typing frame is announced there as presence.typing (presence.left when they stop)
// with AgentID 0 and Data {"name", "customer": true}; every process's web relay hands it to
// the agents who may see the conversation, and their page shows "NAME is typing…". Agents'
// own presence.typing events come the other way: the Server listens to the channel on the
// process's one LISTEN connection (Config.Relay, a pgrelay.Relay) and the visitors of that
// conversation's customer see a typing frame.
//
// # Plugged in
//
// Channel implements the channels contract: Open builds the process's Server on env.Events
// and env.Relay and returns Server.Parts (the three routes, the sender, the fallback job's
// worker). The package imports no other channel, nor workflow, nor web.
package chat
