// Package smstest fakes Twilio for tests of the SMS channel: Server answers
// like Twilio's Messages API (create, list, media), Sign computes
// X-Twilio-Signature from Twilio's documented algorithm, and InboundForm,
// StatusForm and NewSignedRequest build the webhooks Twilio posts. It is written from Twilio's documentation
// and does not use twilio-go, so tests against it check the real client.
package smstest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// Message is one message the fake accepted.
type Message struct {
	// SID is the id the fake gave it ("SM" and 32 hex digits).
	SID string
	// AccountSID is the account in the request path.
	AccountSID string
	// From, MessagingServiceSID, To, Body and StatusCallback are the form
	// fields as posted.
	From, MessagingServiceSID, To, Body, StatusCallback string
	// Status is the status answered: "queued", or "accepted" when only a
	// messaging service was given.
	Status string
	// Form is the whole form as posted.
	Form url.Values
	// Created is when the fake accepted it (its date_created).
	Created time.Time
	// Media are the files fetched from its MediaUrl parameters, in order, as Twilio fetches
	// them before it sends an MMS.
	Media []Fetched
}

// Fetched is one file the fake fetched from a message's MediaUrl.
type Fetched struct {
	URL string
	// Status is the HTTP status the URL answered; Err is set when none came.
	Status int
	Err    error
	// ContentType and Disposition are the headers Twilio reads: the type it checks against its
	// accepted list, the inline filename it shows.
	ContentType, Disposition string
	Content                  []byte
}

// Server is a running fake of Twilio's Messages API. Its methods are safe
// for concurrent use.
type Server struct {
	// URL is the fake's base URL ("http://127.0.0.1:port"), to use as the
	// client's API URL.
	URL string
	// AccountSID and AuthToken are the only credentials it accepts.
	AccountSID, AuthToken string

	srv      *httptest.Server
	mu       sync.Mutex
	messages []Message
	failures []Failure
	requests int
	lists    int
	before   func(Message)
	media    map[string]media // by URL path
}

// media is a file the fake serves as a message's media.
type media struct {
	contentType string
	content     []byte
}

// NewServer starts a fake that accepts accountSID and authToken; Close stops
// it.
func NewServer(accountSID, authToken string) *Server {
	s := &Server{AccountSID: accountSID, AuthToken: authToken, media: map[string]media{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages.json", s.createMessage)
	mux.HandleFunc("GET /2010-04-01/Accounts/{AccountSid}/Messages.json", s.listMessages)
	mux.HandleFunc("GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}", s.getMedia)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound(r.URL.Path))
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// BeforeAnswer makes the fake call f with each message it accepts before it
// answers the request, as Twilio may post a status callback before its API
// answer reaches the sender. f runs on the request's goroutine.
func (s *Server) BeforeAnswer(f func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = f
}

// AddMedia stores a file as a media item of message messageSID and returns its URL as Twilio
// names it in a webhook (https://api.twilio.com/2010-04-01/Accounts/AC.../Messages/MM.../Media/ME...):
// a client pointed at the fake (PARLEY_TWILIO_API_URL) fetches it from here, with the account's
// credentials, as Twilio requires by default.
func (s *Server) AddMedia(messageSID, contentType string, content []byte) string {
	path := "/2010-04-01/Accounts/" + s.AccountSID + "/Messages/" + messageSID + "/Media/" + NewSID("ME")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[path] = media{contentType: contentType, content: content}
	return "https://api.twilio.com" + path
}

// getMedia serves a media item added with AddMedia.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	m, ok := s.media[r.URL.Path]
	s.mu.Unlock()
	user, pass, authed := r.BasicAuth()
	if !authed || user != s.AccountSID || pass != s.AuthToken {
		writeError(w, errAuthenticate())
		return
	}
	if f, failed := s.nextFailure(); failed {
		f.answer(w)
		return
	}
	if !ok {
		writeError(w, errNotFound(r.URL.Path))
		return
	}
	w.Header().Set("Content-Type", m.contentType)
	_, _ = w.Write(m.content)
}

// Close stops the server and waits for its requests to finish.
func (s *Server) Close() { s.srv.Close() }

// Messages returns a copy of the messages accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests returns how many requests to create a message or fetch a media
// item reached the fake, answered or refused. Lists of messages are counted
// apart (Lists).
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailNext makes the next n authenticated requests to create a message or
// fetch a media item fail with f, after any failures already scheduled. Lists
// of messages are not affected.
func (s *Server) FailNext(n int, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, f)
	}
}

// nextFailure counts a request and takes the next scheduled failure, if any.
func (s *Server) nextFailure() (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) == 0 {
		return 0, false
	}
	f := s.failures[0]
	s.failures = s.failures[1:]
	return f, true
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()

	if !s.authorized(w, r) {
		return
	}
	if f, ok := s.nextFailure(); ok {
		f.answer(w)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, apiError{Status: http.StatusBadRequest, Message: "Malformed request body."})
		return
	}
	msg, apiErr := newMessage(s.AccountSID, r.PostForm)
	if apiErr != nil {
		writeError(w, *apiErr)
		return
	}
	msg.Media = fetchMedia(r.Context(), r.PostForm["MediaUrl"])
	s.mu.Lock()
	s.messages = append(s.messages, msg)
	before := s.before
	s.mu.Unlock()
	if before != nil {
		before(msg)
	}
	writeJSON(w, http.StatusCreated, messageResource(msg))
}

// authorized checks a request to the account's Messages resource as Twilio
// does, answering 401 for wrong credentials and 404 for another account.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != s.AccountSID || pass != s.AuthToken {
		writeError(w, errAuthenticate())
		return false
	}
	if r.PathValue("AccountSid") != s.AccountSID {
		writeError(w, errNotFound(r.URL.Path))
		return false
	}
	return true
}
