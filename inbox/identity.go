package inbox

import (
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// IdentityKind is the kind of address a contact is reached at.
type IdentityKind string

// Identity kinds.
const (
	IdentityEmail IdentityKind = "email"
	IdentityPhone IdentityKind = "phone"
	IdentityChat  IdentityKind = "chat"
	IdentitySlack IdentityKind = "slack"
)

// Channel is the channel that reaches an address of kind k ("" for none): a reply to a
// contact can go through the channel of any of their identities.
func (k IdentityKind) Channel() Channel {
	switch k {
	case IdentityEmail:
		return ChannelEmail
	case IdentityPhone:
		return ChannelSMS
	case IdentityChat:
		return ChannelChat
	case IdentitySlack:
		return ChannelSlack
	}
	return ""
}

// Identity is one normalized address of a contact. Verified means the channel proved it (a
// carrier-delivered SMS, a signed-in Slack user, a site-signed chat user); otherwise it is only
// claimed (an email typed into the chat widget).
type Identity struct {
	ID        int64        `json:"id,omitempty"`
	ContactID int64        `json:"contact_id,omitempty"`
	Kind      IdentityKind `json:"kind"`
	Address   string       `json:"address"`
	Verified  bool         `json:"verified"`
}

// DefaultRegion is the phone region assumed for numbers written without a country code.
const DefaultRegion = "US"

// NormalizeIdentity returns the canonical form of an address of the given kind: emails
// lower-cased without a display name, phones in E.164 (region assumed for national numbers),
// chat visitor ids as given, Slack "TEAM:USER" upper-cased. It fails with a *ValidationError.
func NormalizeIdentity(kind IdentityKind, address, region string) (string, error) {
	address = strings.TrimSpace(address)
	if address == "" {
		return "", invalid(string(kind), "must not be empty")
	}
	switch kind {
	case IdentityEmail:
		return normalizeEmail(address)
	case IdentityPhone:
		return NormalizePhone(address, region)
	case IdentityChat:
		if len(address) > 200 || strings.ContainsAny(address, " \t\r\n") {
			return "", invalid("chat", "visitor id must be a short token without spaces")
		}
		return address, nil
	case IdentitySlack:
		team, user, ok := strings.Cut(address, ":")
		if !ok || team == "" || user == "" || strings.Contains(user, ":") {
			return "", invalid("slack", "must be TEAM:USER, got %q", address)
		}
		return strings.ToUpper(team) + ":" + strings.ToUpper(user), nil
	}
	return "", invalid("kind", "unknown identity kind %q", kind)
}

func normalizeEmail(address string) (string, error) {
	a, err := mail.ParseAddress(address)
	if err != nil {
		return "", invalid("email", "not an email address: %q", address)
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at <= 0 || at == len(a.Address)-1 || !strings.Contains(a.Address[at:], ".") {
		return "", invalid("email", "not an email address: %q", address)
	}
	return strings.ToLower(a.Address), nil
}

// NormalizePhone returns the E.164 form of a phone number ("+15551234567"). Numbers without a
// country code are read in region (DefaultRegion when empty).
func NormalizePhone(number, region string) (string, error) {
	if region == "" {
		region = DefaultRegion
	}
	n, err := phonenumbers.Parse(number, region)
	if err != nil {
		return "", invalid("phone", "not a phone number: %q", number)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", invalid("phone", "not a possible phone number: %q", number)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}
