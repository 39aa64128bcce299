package chat

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/inbox"
)

// Settings are a chat inbox's settings, stored as the inbox's settings JSON (shown to admins).
type Settings struct {
	// Origins are the pages allowed to open a visitor socket (see AllowedOrigin), such as
	// "https://shop.example.com".
	Origins []string `json:"origins"`
	// FallbackInboxID is the email inbox that carries a reply to a visitor who left an email
	// and did not see the reply in the chat within FallbackAfter; 0 turns the fallback off.
	FallbackInboxID int64 `json:"email_fallback_inbox_id,omitempty"`
	// FallbackAfter is a Go duration ("10m"): how long a reply waits unseen before it is
	// emailed.
	FallbackAfter string `json:"fallback_after,omitempty"`
	// Title, Greeting and Color are the widget's looks, set on the admin page and written into
	// the embed snippet it gives (data-title, data-greeting, data-color).
	Title    string `json:"title,omitempty"`
	Greeting string `json:"greeting,omitempty"`
	Color    string `json:"color,omitempty"`
}

// DefaultFallbackAfter is how long an unseen reply waits before it is emailed, when an
// inbox names a fallback inbox without a delay.
const DefaultFallbackAfter = 10 * time.Minute

// Fallback returns the email fallback route of the inbox: the email inbox and the delay, or
// 0 and 0 when the fallback is off.
func (s Settings) Fallback() (int64, time.Duration) {
	if s.FallbackInboxID == 0 {
		return 0, 0
	}
	if s.FallbackAfter == "" {
		return s.FallbackInboxID, DefaultFallbackAfter
	}
	d, err := time.ParseDuration(s.FallbackAfter)
	if err != nil || d <= 0 {
		return 0, 0
	}
	return s.FallbackInboxID, d
}

// Validate reports a *inbox.ValidationError when an origin is malformed or the fallback
// delay is not a positive duration.
func (s Settings) Validate() error {
	for _, o := range s.Origins {
		if _, ok := canonicalOrigin(o); !ok && o != "*" {
			return &inbox.ValidationError{Field: "origin", Reason: fmt.Sprintf("%q is not an origin like https://shop.example.com", o)}
		}
	}
	if s.FallbackAfter != "" {
		if d, err := time.ParseDuration(s.FallbackAfter); err != nil || d <= 0 {
			return &inbox.ValidationError{Field: "fallback_after", Reason: fmt.Sprintf("%q is not a positive duration like 10m", s.FallbackAfter)}
		}
	}
	if s.Color != "" && !isColor(s.Color) {
		return &inbox.ValidationError{Field: "color", Reason: fmt.Sprintf("%q is not a colour like #1f6feb", s.Color)}
	}
	if utf8.RuneCountInString(s.Title) > maxTitle {
		return &inbox.ValidationError{Field: "title", Reason: fmt.Sprintf("is longer than %d characters", maxTitle)}
	}
	if utf8.RuneCountInString(s.Greeting) > maxGreeting {
		return &inbox.ValidationError{Field: "greeting", Reason: fmt.Sprintf("is longer than %d characters", maxGreeting)}
	}
	return nil
}

// isColor reports whether c is a widget colour: #rgb or #rrggbb.
func isColor(c string) bool {
	if len(c) != 4 && len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
			return false
		}
	}
	return true
}

// The longest widget title and greeting, in characters.
const (
	maxTitle    = 60
	maxGreeting = 300
)

// Secrets are a chat inbox's sealed secrets.
type Secrets struct {
	// IdentitySecret signs the host site's users: user_hash = UserHash(IdentitySecret,
	// user_id), computed by the site's server.
	IdentitySecret string `json:"identity_secret"`
}

// NewIdentitySecret returns a fresh random identity secret (64 hex digits).
func NewIdentitySecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// inboxSettings decodes a chat inbox's settings; it fails for an inbox of another kind.
func inboxSettings(in inbox.Inbox) (Settings, error) {
	if in.Kind != inbox.ChannelChat {
		return Settings{}, fmt.Errorf("chat: inbox %d is a %s inbox: %w", in.ID, in.Kind, inbox.ErrNotFound)
	}
	var s Settings
	if err := in.DecodeSettings(&s); err != nil {
		return Settings{}, fmt.Errorf("chat: %w", err)
	}
	return s, nil
}

// identitySecret opens an inbox's identity secret; "" when it has none, which verifies no one.
func (s *Server) identitySecret(in inbox.Inbox) (string, error) {
	var sec Secrets
	err := s.store.OpenSecrets(in, &sec)
	if errors.Is(err, inbox.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("chat: inbox %d secrets: %w", in.ID, err)
	}
	return sec.IdentitySecret, nil
}
