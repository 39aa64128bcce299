package chat

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/websocket"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/netlimit"
)

// serveSocket is GET /chat/ws?inbox=ID, the visitor WebSocket (see the package doc for the
// protocol). Before upgrading it refuses as chatInbox does: 400 without a valid inbox id, 404
// for an unknown, disabled or non-chat inbox and 403 when the page's Origin is not one the
// inbox allows. A browser shows the widget none of these answers: the widget asks GET
// /chat/check when a socket fails before opening.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	in, ok := s.chatInbox(w, r)
	if !ok {
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader answered the client
	}
	conn.SetReadLimit(MaxFrameBytes)
	c := &socket{srv: s, conn: conn, ctx: s.ctx, inboxID: in.ID, source: netlimit.SourceKey(netlimit.Client(r)),
		done: make(chan struct{}), writing: true}
	if !s.enterSocket(c) {
		// Refused after the upgrade, so that the widget reads why and when to come back (a
		// browser shows a script nothing of a refused handshake).
		go c.refuseLimited(&limitedError{code: CodeTooManySockets, wait: socketsRetryAfter, text: "chat.too_many_sockets"})
		return
	}
	// The socket lives on in goroutines of its own: returning lets the HTTP server drop its
	// connection state and buffers, which would otherwise stay as long as the socket.
	go s.run(c, in)
}

// run opens a socket's session (the hello, the welcome and replay), then hands the socket to
// its long-lived reader, started on a fresh, small stack, and to its queue.
func (s *Server) run(c *socket, in inbox.Inbox) {
	ss, ok := s.open(c, in)
	if !ok {
		c.close()
		return
	}
	c.opened()
	go func() {
		defer c.close()
		defer s.hub.remove(c)
		s.read(c, &ss)
	}()
}

// open reads the hello, settles the session, registers the socket and sends the welcome and
// replay. It reports false when the socket is done.
func (s *Server) open(c *socket, in inbox.Inbox) (session, bool) {
	h, ok := c.readHello()
	if !ok {
		return session{}, false
	}
	ss, err := s.begin(c.ctx, in, h, c.source)
	c.lang = ss.lang // the visitor's language, known from the hello even when refused
	var limited *limitedError
	if errors.As(err, &limited) {
		c.refuseLimited(err)
		return ss, false
	}
	if err != nil {
		s.log.Error("chat: hello", "inbox", in.ID, "err", err)
		c.refuse(Error{Code: CodeInternal, Message: s.text(c, "chat.unavailable")}, websocket.CloseInternalServerErr)
		return ss, false
	}
	c.visitorID = ss.visitorID
	c.contactID = ss.contactID
	// Registered before the backlog is read, so nothing committed after the read is missed.
	if !s.hub.add(c) {
		c.shut(websocket.CloseServiceRestart, "server shutting down")
		return ss, false
	}
	if err := s.welcome(c, ss, h.LastID); err != nil {
		s.log.Warn("chat: welcome", "visitor", c.visitorID, "err", err)
		c.refuse(Error{Code: CodeInternal, Message: s.text(c, "chat.unavailable")}, websocket.CloseInternalServerErr)
		s.hub.remove(c)
		return ss, false
	}
	return ss, true
}

// onFreshStack runs fn on a short-lived goroutine and waits for it. A database call grows a
// goroutine's stack to tens of kilobytes, which a socket's long-lived reader or writer would
// keep while idle; grown there, it is freed when fn returns.
func onFreshStack(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// readHello reads the first frame, which must be a valid hello; otherwise the visitor is told
// why and the socket closes with 1008, which the widget does not retry.
func (c *socket) readHello() (*Hello, bool) {
	_ = c.conn.SetReadDeadline(time.Now().Add(c.srv.sock.HelloWait))
	_, data, err := c.conn.ReadMessage()
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			c.linger()
		}
		return nil, false
	}
	f, err := DecodeClient(data)
	var fe *FrameError
	switch h, ok := f.(*Hello); {
	case ok:
		return h, true
	case errors.As(err, &fe) && fe.Code != CodeUnknownType:
		c.refuse(fe.Frame(), websocket.ClosePolicyViolation)
	default:
		c.refuse(Error{Code: CodeHelloFirst, Message: "The first frame must be hello."}, websocket.ClosePolicyViolation)
	}
	return nil, false
}

// refuse sends an error frame, then closes with code.
func (c *socket) refuse(e Error, code int) {
	if b, err := Encode(e); err == nil {
		_ = c.writeNow(b)
	}
	c.shut(code, e.Message)
}

// read handles the visitor's frames until the socket closes. Pongs and frames keep it alive.
// Each frame is handled on a short-lived goroutine, so the long-lived reader's stack stays as
// small as waiting for a frame needs.
func (s *Server) read(c *socket, ss *session) {
	_ = c.conn.SetReadDeadline(time.Now().Add(s.sock.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(s.sock.PongWait))
	})
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.linger() // the 1009 close is sent; let the client read it
			}
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(s.sock.PongWait))
		ok := true
		onFreshStack(func() { ok = s.handle(c, ss, data) })
		if !ok {
			return
		}
	}
}

// handle answers one frame of the visitor; it reports false when the socket is done.
func (s *Server) handle(c *socket, ss *session, data []byte) bool {
	wait := s.limiter.Take(c.visitorID)
	allowed := wait == 0
	f, err := DecodeClient(data)
	var fe *FrameError
	switch f := f.(type) {
	case nil:
		if errors.As(err, &fe) && allowed {
			s.tell(c, fe.Frame())
		}
	case *Hello:
		if allowed {
			s.tell(c, Error{Code: CodeHelloFirst, Message: "hello comes once, first."})
		}
	case *Send:
		if wait > 0 {
			s.tell(c, Error{Code: CodeRateLimited, Message: s.text(c, "chat.too_many_messages"), ClientID: f.ClientID,
				RetryAfter: retrySeconds(wait)})
			return true
		}
		if !s.receive(c, ss, f) {
			c.shut(websocket.CloseInternalServerErr, "could not store the message; retrying")
			return false
		}
	case *Typing:
		if allowed {
			s.publishTyping(c, ss.name, f.On)
		}
	case *Rating:
		if allowed {
			s.rate(c, f)
		}
	}
	return true
}

// receive stores a visitor's message and acknowledges it with the stored message, whose id
// the visitor's client_id maps to once and for all. It reports false when storing failed for
// a reason the visitor cannot fix: the socket closes and the widget resends after reconnecting.
func (s *Server) receive(c *socket, ss *session, f *Send) bool {
	files, err := s.uploadedFiles(c.ctx, c.inboxID, c.visitorID, f.Files)
	if errors.Is(err, errMissingUpload) {
		s.tell(c, Error{Code: CodeInvalid, Message: s.text(c, "chat.file_gone"), ClientID: f.ClientID})
		return true
	}
	if err != nil {
		s.log.Error("chat: uploads", "visitor", c.visitorID, "err", err)
		return false
	}
	in := inbox.Inbound{
		InboxID:    c.inboxID,
		Channel:    inbox.ChannelChat,
		ExternalID: c.visitorID + ":" + f.ClientID,
		From:       ss.from,
		Also:       slices.Clone(ss.also),
		Name:       ss.name,
		Text:       f.Text,
		Metadata:   map[string]any{"visitor_id": c.visitorID},
		// The signed attributes of a verified user, with the first message of the connection.
		Attributes:   ss.attributes,
		AttributesBy: inbox.AuditActor{Name: "chat identity"},
		Language:     ss.lang,
		Attachments:  files,
	}
	res, err := s.store.Ingest(c.ctx, in)
	if errors.Is(err, inbox.ErrInvalid) && in.Attributes != nil {
		// The definitions changed since the hello: the message goes without the attributes.
		in.Attributes, ss.attributes = nil, nil
		res, err = s.store.Ingest(c.ctx, in)
	}
	if err == nil {
		ss.attributes = nil
	}
	if errors.Is(err, inbox.ErrInvalid) {
		var ve *inbox.ValidationError
		msg := "The message was refused."
		if errors.As(err, &ve) {
			msg = ve.Error()
		}
		s.tell(c, Error{Code: CodeInvalid, Message: msg, ClientID: f.ClientID})
		return true
	}
	if err != nil {
		s.log.Error("chat: ingest", "visitor", c.visitorID, "err", err)
		return false
	}
	if res.ContactID != c.contact() {
		ss.contactID = res.ContactID
		s.hub.index(c, res.ContactID)
	}
	if res.ConversationID != c.conversation().id {
		if conv, err := s.store.GetConversation(c.ctx, res.ConversationID); err == nil {
			c.setConversation(refOf(conv))
		}
	}
	m, err := s.store.GetMessage(c.ctx, res.MessageID)
	if err == nil && len(f.Files) > 0 {
		m.Attachments, err = s.store.MessageAttachments(c.ctx, m.ID)
	}
	if err != nil {
		s.log.Error("chat: ack", "message", res.MessageID, "err", err)
		return false
	}
	frame := s.messageFrame(c.ctx, m, c.visitorID)
	frame.ClientID = f.ClientID
	b, err := Encode(frame)
	if err != nil {
		return false
	}
	if !c.enqueue(outItem{frame: b, msgID: m.ID}) {
		s.hub.remove(c)
	}
	return true
}

// tell queues a frame for the visitor, dropping a socket too slow to take it.
func (s *Server) tell(c *socket, f ServerFrame) {
	if !c.enqueueFrame(f) {
		s.hub.remove(c)
	}
}

func refOf(conv inbox.Conversation) convRef {
	r := convRef{id: conv.ID}
	if conv.TeamID != nil {
		r.teamID = *conv.TeamID
	}
	if conv.AssigneeID != nil {
		r.assigneeID = *conv.AssigneeID
	}
	return r
}
