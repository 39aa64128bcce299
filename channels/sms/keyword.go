package sms

import "strings"

// KeywordKind is what a carrier keyword asks for.
type KeywordKind int

// The keyword kinds Twilio acts on by default.
const (
	// NoKeyword is an ordinary message.
	NoKeyword KeywordKind = iota
	// OptOut (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT): Twilio
	// blocks further messages to the sender until they opt in again.
	OptOut
	// OptIn (START, YES, UNSTOP): the sender lifts an earlier opt-out.
	OptIn
	// Help (HELP, INFO): the sender asks who is texting them.
	Help
)

// String returns the kind's name.
func (k KeywordKind) String() string {
	switch k {
	case OptOut:
		return "opt-out"
	case OptIn:
		return "opt-in"
	case Help:
		return "help"
	}
	return "none"
}

// Keyword tells whether body, as a whole, is one of the opt-out, opt-in or
// help keywords, ignoring case and surrounding white space. A keyword inside
// a longer message ("please stop") is NoKeyword, and so is a look-alike
// outside ASCII ("ſtop" with a long s).
func Keyword(body string) KeywordKind {
	word := strings.TrimSpace(body)
	for i := range len(word) {
		if word[i] >= 0x80 {
			return NoKeyword
		}
	}
	switch strings.ToUpper(word) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT":
		return OptOut
	case "START", "YES", "UNSTOP":
		return OptIn
	case "HELP", "INFO":
		return Help
	}
	return NoKeyword
}
