package chat

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Frame type names: the "type" member of every frame.
const (
	TypeHello   = "hello"   // client: first frame of every connection
	TypeMessage = "message" // both ways: a visitor message, or a message of the conversation
	TypeTyping  = "typing"  // both ways: a typing indicator
	TypeRating  = "rating"  // client: the answer to a survey
	TypeWelcome = "welcome" // server: the reply to hello
	TypeStatus  = "status"  // server: the conversation changed status
	TypeSurvey  = "survey"  // server: asks the visitor for a 1-5 rating
	TypeError   = "error"   // server: a frame was refused or something failed
)

// Limits on what a client may send. MaxFrameBytes is meant for the WebSocket read limit:
// the longest valid frame (MaxTextRunes characters, each JSON-escaped as a surrogate pair)
// fits in it.
const (
	MaxFrameBytes   = 64 << 10
	MaxTextRunes    = 5000
	MaxCommentRunes = 2000
	MaxNameRunes    = 120
	MaxEmailBytes   = 254
	MaxTokenBytes   = 512
	MaxUserIDBytes  = 200
	MaxIDBytes      = 64
	// MaxAttributesBytes caps the hello's signed attributes.
	MaxAttributesBytes = 16 << 10
	// MaxLanguages is how many of the hello's browser languages count, each at most
	// MaxLanguageBytes long (longer ones are ignored).
	MaxLanguages     = 10
	MaxLanguageBytes = 35
)

// Message directions, as the inbox stores them: inbound comes from the visitor, outbound
// from an agent. Private notes never reach the visitor.
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
)

// Error codes carried by error frames.
const (
	CodeBadFrame    = "bad_frame"    // not a JSON object with a string "type"
	CodeUnknownType = "unknown_type" // a type the server does not accept from a client
	CodeInvalid     = "invalid"      // a field is missing, too long or malformed
	CodeHelloFirst  = "hello_first"  // the first frame was not hello, or hello came twice
	CodeRateLimited = "rate_limited" // too many frames; the message was not stored
	CodeIdentity    = "identity"     // user_hash does not verify; continuing anonymously
	CodeInternal    = "internal"     // the server failed; retry later
	// The hello's attributes were ignored: unsigned, not verifying, or invalid. For the site's
	// developers (the widget logs it), not the visitor.
	CodeAttributes = "attributes"
	// Limits of the visitor's address: the socket closes with CloseLimited after the frame,
	// whose retry_after says when to reconnect.
	CodeTooManySockets  = "too_many_sockets"  // the address holds too many sockets
	CodeTooManyVisitors = "too_many_visitors" // the address started too many new visitors
)

// ClientFrame is a decoded and validated frame sent by a visitor: *Hello, *Send, *Typing
// or *Rating.
type ClientFrame interface {
	clientFrame()
}

// Hello opens every connection and every reconnection. Token is the one the server gave
// in an earlier welcome (empty for a new visitor); LastID the id of the last message the
// client holds (0 for none). Name and Email come from the optional pre-chat form or from
// identify; UserID and UserHash identify a signed-in user of the host site and come
// together (see VerifyUserHash).
type Hello struct {
	Token    string `json:"token,omitempty"`
	LastID   int64  `json:"last_id"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	UserID   string `json:"user_id,omitempty"`
	UserHash string `json:"user_hash,omitempty"`
	// Attributes are contact attributes of the signed-in user, a JSON object as text, exactly
	// as the site's server signed it: AttributesHash is AttributesHash(inbox secret, user_id,
	// attributes). Unsigned, forged or invalid attributes are ignored with an error frame
	// (CodeAttributes); the session goes on.
	Attributes     string `json:"attributes,omitempty"`
	AttributesHash string `json:"attributes_hash,omitempty"`
	// Languages are the visitor's browser languages, best first (navigator.languages): when
	// the inbox follows them, the first it speaks is the conversation's language.
	Languages []string `json:"languages,omitempty"`
}

// Send is a message written by the visitor. ClientID is a random id chosen by the client
// and kept across resends: the idempotency key of the message.
type Send struct {
	ClientID string `json:"client_id"`
	Text     string `json:"text"`
	// Files are the ids of the visitor's uploads (POST /chat/upload) the message carries, at
	// most MaxFilesPerMessage; with files the text may be empty.
	Files []string `json:"files,omitempty"`
}

// Typing says whether the visitor is typing.
type Typing struct {
	On bool `json:"on"`
}

// Rating answers a survey frame with a score from 1 to 5 and an optional comment.
type Rating struct {
	SurveyID string `json:"survey_id"`
	Score    int    `json:"score"`
	Comment  string `json:"comment,omitempty"`
}

func (*Hello) clientFrame()  {}
func (*Send) clientFrame()   {}
func (*Typing) clientFrame() {}
func (*Rating) clientFrame() {}

// FrameError is why a client frame was refused. Code is one of the Code constants;
// ClientID is the refused message's, when it had a valid one. The server sends it back to
// the client as an error frame (see Frame).
type FrameError struct {
	Code     string
	Message  string
	ClientID string
}

// Error implements error.
func (e *FrameError) Error() string {
	return "chat: frame: " + e.Code + ": " + e.Message
}

// Frame returns the error frame that reports e to the client.
func (e *FrameError) Frame() Error {
	return Error{Code: e.Code, Message: e.Message, ClientID: e.ClientID}
}

func invalid(format string, args ...any) *FrameError {
	return &FrameError{Code: CodeInvalid, Message: fmt.Sprintf(format, args...)}
}

// DecodeClient parses one frame from a visitor and validates it. Members it does not know
// are ignored, so newer widgets keep working with older servers; surrounding white space
// is trimmed from texts, names and emails. It returns a *FrameError (CodeBadFrame,
// CodeUnknownType or CodeInvalid) when the frame is refused.
func DecodeClient(data []byte) (ClientFrame, error) {
	if len(data) > MaxFrameBytes {
		return nil, &FrameError{Code: CodeBadFrame, Message: "frame too large"}
	}
	var env struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(data, &env); err != nil || env.Type == nil {
		return nil, &FrameError{Code: CodeBadFrame, Message: "want a JSON object with a type"}
	}
	var f interface {
		ClientFrame
		validate() error
	}
	switch *env.Type {
	case TypeHello:
		f = &Hello{}
	case TypeMessage:
		f = &Send{}
	case TypeTyping:
		f = &Typing{}
	case TypeRating:
		f = &Rating{}
	default:
		return nil, &FrameError{Code: CodeUnknownType, Message: fmt.Sprintf("unknown frame type %q", *env.Type)}
	}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, &FrameError{Code: CodeBadFrame, Message: "malformed " + *env.Type + " frame"}
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return f, nil
}

func (h *Hello) validate() error {
	h.Name = strings.TrimSpace(withoutNUL(h.Name))
	h.Email = strings.TrimSpace(h.Email)
	switch {
	case strings.ContainsRune(h.UserID, 0) || strings.ContainsRune(h.UserHash, 0):
		return invalid("user_id and user_hash must not contain a NUL character")
	case len(h.Token) > MaxTokenBytes:
		return invalid("token too long")
	case h.LastID < 0:
		return invalid("last_id must not be negative")
	case utf8.RuneCountInString(h.Name) > MaxNameRunes:
		return invalid("name longer than %d characters", MaxNameRunes)
	case len(h.Email) > MaxEmailBytes:
		return invalid("email too long")
	case h.Email != "" && !plainAddress(h.Email):
		return invalid("email is not an address")
	case len(h.UserID) > MaxUserIDBytes:
		return invalid("user_id too long")
	case (h.UserID == "") != (h.UserHash == ""):
		return invalid("user_id and user_hash come together")
	case len(h.UserHash) > 2*MaxIDBytes:
		return invalid("user_hash too long")
	}
	h.Languages = usableLanguages(h.Languages)
	return nil
}

// usableLanguages keeps the first MaxLanguages of a browser's language tags that are at most
// MaxLanguageBytes long and hold no NUL: a language is a preference, so an odd one is dropped
// rather than refusing the visitor.
func usableLanguages(tags []string) []string {
	var out []string
	for _, l := range tags {
		if len(out) == MaxLanguages {
			break
		}
		if l != "" && len(l) <= MaxLanguageBytes && !strings.ContainsRune(l, 0) {
			out = append(out, l)
		}
	}
	return out
}

// plainAddress reports whether s is a bare email address, without a display name, whose
// domain has a dot (as the inbox requires of an email identity).
func plainAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	domain := s[strings.LastIndexByte(s, '@')+1:]
	return strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".")
}

func (s *Send) validate() error {
	s.Text = strings.TrimSpace(s.Text)
	if err := checkID("client_id", s.ClientID); err != nil {
		return err
	}
	var err *FrameError
	switch n := utf8.RuneCountInString(s.Text); {
	case n == 0 && len(s.Files) == 0:
		err = invalid("text is required")
	case len(s.Files) > MaxFilesPerMessage:
		err = invalid("at most %d files a message", MaxFilesPerMessage)
	case slices.ContainsFunc(s.Files, func(id string) bool { return checkID("files", id) != nil }):
		err = invalid("files: want upload ids")
	case n > MaxTextRunes:
		err = invalid("text longer than %d characters", MaxTextRunes)
	default:
		return nil
	}
	err.ClientID = s.ClientID
	return err
}

func (*Typing) validate() error { return nil }

func (r *Rating) validate() error {
	r.Comment = strings.TrimSpace(withoutNUL(r.Comment))
	if err := checkID("survey_id", r.SurveyID); err != nil {
		return err
	}
	if r.Score < 1 || r.Score > 5 {
		return invalid("score must be from 1 to 5")
	}
	if utf8.RuneCountInString(r.Comment) > MaxCommentRunes {
		return invalid("comment longer than %d characters", MaxCommentRunes)
	}
	return nil
}

// withoutNUL removes from what a visitor typed (a name, a comment) the NUL characters
// PostgreSQL cannot store, as the inbox does from their messages: one bad character must not
// lose what they wrote.
func withoutNUL(s string) string { return strings.ReplaceAll(s, "\x00", "") }

// checkID accepts 1 to MaxIDBytes letters, digits, '-' and '_'.
func checkID(field, id string) error {
	if id == "" {
		return invalid("%s is required", field)
	}
	if !validID(id) {
		return invalid("%s must be up to %d letters, digits, '-' or '_'", field, MaxIDBytes)
	}
	return nil
}

func validID(id string) bool {
	if id == "" || len(id) > MaxIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
