package inbox

import (
	"encoding/json"
	"errors"
	"fmt"
)

// DecodeEvents decodes a JSON array of events, as a NOTIFY on NotifyChannel carries them. Every
// process decodes every event of every process, so this is on the path of each live socket: a
// parser that knows Event's fields takes about a quarter of encoding/json's time (which finds
// each field by reflection). A payload it does not take (an escape or a non-ASCII byte where a
// field's string is expected, a number that is not an integer, anything malformed) is decoded
// by encoding/json instead, which also gives the error of a malformed one; the two agree on
// everything the fast one takes (TestDecodeEventsAgreesWithEncodingJSON, FuzzDecodeEvents).
func DecodeEvents(data []byte) ([]Event, error) {
	p := eventParser{b: data}
	if events, err := p.events(); err == nil {
		return events, nil
	}
	var events []Event
	if err := json.Unmarshal(data, &events); err != nil {
		return nil, fmt.Errorf("inbox: decode events: %w", err)
	}
	return events, nil
}

// errSlow sends a payload to encoding/json.
var errSlow = errors.New("inbox: event payload needs the general decoder")

// eventParser reads b from i.
type eventParser struct {
	b []byte
	i int
}

// events parses the whole input: one array of objects.
func (p *eventParser) events() ([]Event, error) {
	p.ws()
	if !p.eat('[') {
		return nil, errSlow
	}
	events := make([]Event, 0, len(p.b)/256+1)
	p.ws()
	if p.eat(']') {
		return events, p.end()
	}
	for {
		var e Event
		if err := p.event(&e); err != nil {
			return nil, err
		}
		events = append(events, e)
		p.ws()
		if p.eat(',') {
			p.ws()
			continue
		}
		if p.eat(']') {
			return events, p.end()
		}
		return nil, errSlow
	}
}

// end succeeds when only white space is left.
func (p *eventParser) end() error {
	p.ws()
	if p.i != len(p.b) {
		return errSlow
	}
	return nil
}

// event parses one object into e.
func (p *eventParser) event(e *Event) error {
	if !p.eat('{') {
		return errSlow
	}
	p.ws()
	if p.eat('}') {
		return nil
	}
	for {
		key, err := p.plainString()
		if err != nil {
			return err
		}
		p.ws()
		if !p.eat(':') {
			return errSlow
		}
		p.ws()
		if err := p.field(e, key); err != nil {
			return err
		}
		p.ws()
		if p.eat(',') {
			p.ws()
			continue
		}
		if p.eat('}') {
			return nil
		}
		return errSlow
	}
}

// field parses the value of key into e. A null leaves the field as it is, as encoding/json
// does.
func (p *eventParser) field(e *Event, key []byte) error {
	if p.null() {
		return nil
	}
	switch string(key) {
	case "type":
		return p.stringInto(&e.Type)
	case "conversation_id":
		return p.intInto(&e.ConversationID)
	case "message_id":
		return p.intInto(&e.MessageID)
	case "contact_id":
		return p.intInto(&e.ContactID)
	case "inbox_id":
		return p.intInto(&e.InboxID)
	case "team_id":
		return p.intInto(&e.TeamID)
	case "assignee_id":
		return p.intInto(&e.AssigneeID)
	case "agent_id":
		return p.intInto(&e.AgentID)
	case "channel":
		return p.stringInto((*string)(&e.Channel))
	case "status":
		return p.stringInto((*string)(&e.Status))
	case "previous":
		return p.stringInto(&e.Previous)
	case "priority":
		return p.stringInto((*string)(&e.Priority))
	case "direction":
		return p.stringInto((*string)(&e.Direction))
	case "delivery":
		return p.stringInto(&e.Delivery)
	case "at":
		s, err := p.plainString()
		if err != nil {
			return err
		}
		// UnmarshalText is the strict RFC 3339 of Time.UnmarshalJSON.
		if err := e.At.UnmarshalText(s); err != nil {
			return errSlow
		}
		return nil
	case "data":
		// Data is the one free-form field (names, ids, nested values): encoding/json decodes
		// it (into the map a repeated "data" already made, as it would).
		raw, err := p.skip()
		if err != nil {
			return err
		}
		if err := json.Unmarshal(raw, &e.Data); err != nil {
			return errSlow
		}
		return nil
	}
	// A field Event does not have (or one spelled in another case, which encoding/json would
	// match): left to encoding/json.
	return errSlow
}

func (p *eventParser) stringInto(dst *string) error {
	s, err := p.plainString()
	if err != nil {
		return err
	}
	*dst = string(s)
	return nil
}

// plainString parses a string of printable ASCII without escapes and returns its bytes (in
// b); any other string is errSlow.
func (p *eventParser) plainString() ([]byte, error) {
	if !p.eat('"') {
		return nil, errSlow
	}
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], nil
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, errSlow
		}
		p.i++
	}
	return nil, errSlow
}

// intInto parses an integer of at most 18 digits (every id fits), with an optional minus sign.
func (p *eventParser) intInto(dst *int64) error {
	neg := p.eat('-')
	start := p.i
	var n int64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		n = n*10 + int64(p.b[p.i]-'0')
		p.i++
	}
	digits := p.i - start
	if digits == 0 || digits > 18 || (digits > 1 && p.b[start] == '0') {
		return errSlow
	}
	if p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		return errSlow
	}
	if neg {
		n = -n
	}
	*dst = n
	return nil
}

// null consumes a null literal, if that is what comes next.
func (p *eventParser) null() bool {
	if len(p.b)-p.i >= 4 && string(p.b[p.i:p.i+4]) == "null" {
		p.i += 4
		return true
	}
	return false
}

// skip passes over one value (an object or array with everything in it, a string, a number
// or a literal) and returns its bytes, which the caller hands to encoding/json (which checks
// them).
func (p *eventParser) skip() ([]byte, error) {
	start := p.i
	depth := 0
	for p.i < len(p.b) {
		switch c := p.b[p.i]; c {
		case '"':
			p.i++
			for p.i < len(p.b) && p.b[p.i] != '"' {
				if p.b[p.i] == '\\' {
					p.i++
				}
				p.i++
			}
			if p.i >= len(p.b) {
				return nil, errSlow
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of the enclosing object: a scalar value ended
				return p.b[start:p.i], nil
			}
			depth--
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return p.b[start:p.i], nil
			}
		}
		p.i++
		if depth == 0 && (p.b[p.i-1] == '}' || p.b[p.i-1] == ']' || p.b[p.i-1] == '"') {
			return p.b[start:p.i], nil
		}
	}
	return nil, errSlow
}

func (p *eventParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *eventParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}
