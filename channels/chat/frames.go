package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// ServerFrame is a frame the server sends to a visitor: Welcome, Message, AgentTyping,
// Status, Survey or Error. Each marshals to JSON with its "type" member.
type ServerFrame interface {
	json.Marshaler
	serverFrame()
}

// Welcome answers hello. Token is the visitor token to keep (a new one when the hello
// carried none or an invalid one); Conversation is nil while the visitor has none.
type Welcome struct {
	Token        string        `json:"token"`
	VisitorID    string        `json:"visitor_id"`
	Conversation *Conversation `json:"conversation"`
}

// Conversation is what a visitor sees of their conversation. AgentName is empty while
// no agent is assigned.
type Conversation struct {
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	AgentName string `json:"agent_name"`
}

// Message is one message of the visitor's conversation. ClientID is set on the visitor's
// own messages and acknowledges the Send that carried it.
type Message struct {
	ID         int64     `json:"id"`
	ClientID   string    `json:"client_id,omitempty"`
	Direction  string    `json:"direction"`
	AuthorName string    `json:"author_name"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"created_at"`
	// Files are the message's attachments: the widget shows pictures inline and the rest as
	// links.
	Files []FileLink `json:"files,omitempty"`
}

// FileLink is one file of a message as the visitor gets it. URL is a path on the chat's
// server (FilePath and a signed token), good for FileLinkTTL from when the frame was made.
type FileLink struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int    `json:"size"`
	URL  string `json:"url"`
}

// AgentTyping says whether an agent is typing a reply.
type AgentTyping struct {
	AgentName string `json:"agent_name"`
	On        bool   `json:"on"`
}

// Status announces the conversation's new status (new, open, pending, resolved, closed).
type Status struct {
	Status string `json:"status"`
}

// Survey asks the visitor to rate the conversation; the answer is a Rating.
type Survey struct {
	SurveyID string `json:"survey_id"`
	Prompt   string `json:"prompt"`
}

// Error reports a refused frame or a failure; Code is one of the Code constants. ClientID
// is set when a message frame was refused: that message was not stored. RetryAfter, in
// seconds, is set with the limit codes (rate_limited, too_many_sockets, too_many_visitors):
// how long to wait before sending again or reconnecting.
type Error struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	ClientID   string `json:"client_id,omitempty"`
	RetryAfter int    `json:"retry_after,omitempty"`
}

func (Welcome) serverFrame()     {}
func (Message) serverFrame()     {}
func (AgentTyping) serverFrame() {}
func (Status) serverFrame()      {}
func (Survey) serverFrame()      {}
func (Error) serverFrame()       {}

// MarshalJSON encodes w as a welcome frame.
func (w Welcome) MarshalJSON() ([]byte, error) {
	type plain Welcome
	return typed(TypeWelcome, plain(w))
}

// MarshalJSON encodes m as a message frame.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return typed(TypeMessage, plain(m))
}

// MarshalJSON encodes t as a typing frame.
func (t AgentTyping) MarshalJSON() ([]byte, error) {
	type plain AgentTyping
	return typed(TypeTyping, plain(t))
}

// MarshalJSON encodes s as a status frame.
func (s Status) MarshalJSON() ([]byte, error) {
	type plain Status
	return typed(TypeStatus, plain(s))
}

// MarshalJSON encodes s as a survey frame.
func (s Survey) MarshalJSON() ([]byte, error) {
	type plain Survey
	return typed(TypeSurvey, plain(s))
}

// MarshalJSON encodes e as an error frame.
func (e Error) MarshalJSON() ([]byte, error) {
	type plain Error
	return typed(TypeError, plain(e))
}

// typed marshals v, a struct, and puts the "type" member first.
func typed(typ string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("chat: encode %s: %w", typ, err)
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(typ) + 12)
	b.WriteString(`{"type":"`)
	b.WriteString(typ)
	b.WriteByte('"')
	if len(body) > 2 {
		b.WriteByte(',')
	}
	b.Write(body[1:])
	return b.Bytes(), nil
}

// Encode marshals a server frame for the wire.
func Encode(f ServerFrame) ([]byte, error) {
	return f.MarshalJSON()
}
