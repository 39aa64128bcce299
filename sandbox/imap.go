package sandbox

import (
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// mailboxes is the sandbox's IMAP side: any login opens an empty INBOX of that user name, so
// that the email inboxes' polls succeed and find nothing (no mail reaches a sandbox).
type mailboxes struct {
	mu    sync.Mutex
	users map[string]*imapmemserver.User
}

// user returns the user name's mailbox owner, made on first login.
func (m *mailboxes) user(name string) (*imapmemserver.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if u, ok := m.users[name]; ok {
		return u, nil
	}
	u := imapmemserver.NewUser(name, "")
	if err := u.Create("INBOX", nil); err != nil {
		return nil, err
	}
	m.users[name] = u
	return u, nil
}

// imapSession is one IMAP connection: before its login it answers nothing else (imapserver
// asks only Login of an unauthenticated session); after it, the user's memory session.
type imapSession struct {
	*imapmemserver.UserSession
	boxes *mailboxes
}

// Login implements imapserver.Session: every user name and password is taken.
func (s *imapSession) Login(username, _ string) error {
	u, err := s.boxes.user(username)
	if err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// Close implements imapserver.Session.
func (s *imapSession) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

// newIMAPServer is the sandbox's IMAP server (plain, for loopback).
func newIMAPServer(boxes *mailboxes, logger imapserver.Logger) *imapserver.Server {
	return imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{boxes: boxes}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       logger,
	})
}

var _ imapserver.Session = (*imapSession)(nil)
