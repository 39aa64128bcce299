package chat

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Admin is the chat channel's part of the web admin's inbox pages: the allowed origins, the
// widget's looks, the email fallback, the identity secret's rotation and the embed snippet.
type Admin struct {
	store     *inbox.Store
	publicURL string
}

// NewAdmin returns the chat inbox admin over store; publicURL (PARLEY_PUBLIC_URL) starts the
// embed snippet's script address.
func NewAdmin(store *inbox.Store, publicURL string) *Admin {
	return &Admin{store: store, publicURL: strings.TrimSuffix(publicURL, "/")}
}

// Kind is inbox.ChannelChat.
func (*Admin) Kind() inbox.Channel { return inbox.ChannelChat }

// Fields are the origins, the widget's looks, the fallback and the rotation box.
func (*Admin) Fields() []channels.Field {
	return []channels.Field{
		{Name: "origins", Label: "Allowed origins", Type: "textarea", Required: true, Placeholder: "https://shop.example.com",
			Help: "One a line: the sites whose pages may open the chat."},
		{Name: "title", Label: "Widget title", Placeholder: "Support"},
		{Name: "greeting", Label: "Greeting", Placeholder: "Hi! How can we help?"},
		{Name: "color", Label: "Accent colour", Type: "color", Help: "White text must read on it."},
		{Name: "email_fallback_inbox", Label: "Email fallback inbox", Type: "number",
			Help: "The id of an email inbox that mails a reply a visitor who left an email did not see; blank: none."},
		{Name: "fallback_after", Label: "Email a reply unseen after", Placeholder: DefaultFallbackAfter.String()},
		{Name: "rotate_identity_secret", Label: "Make a new identity secret (the old one stops verifying users)", Type: "checkbox"},
	}
}

// Values are a chat inbox's settings as the form shows them.
func (*Admin) Values(in inbox.Inbox) (map[string]string, error) {
	s, err := inboxSettings(in)
	if err != nil {
		return nil, err
	}
	v := map[string]string{"origins": strings.Join(s.Origins, "\n"), "title": s.Title, "greeting": s.Greeting,
		"color": s.Color, "fallback_after": s.FallbackAfter}
	if s.FallbackInboxID != 0 {
		v["email_fallback_inbox"] = strconv.FormatInt(s.FallbackInboxID, 10)
	}
	return v, nil
}

// Build checks the form as `parley inbox add chat` checks its flags. A new inbox, or a rotation,
// gets a fresh identity secret, shown once.
func (a *Admin) Build(ctx context.Context, f channels.Form) (channels.Built, error) {
	s := Settings{Origins: f.Lines("origins"), Title: f.Get("title"), Greeting: f.Get("greeting"), Color: f.Get("color")}
	if len(s.Origins) == 0 {
		return channels.Built{}, &inbox.ValidationError{Field: "origins", Reason: "give at least one, the site that embeds the widget"}
	}
	if raw := f.Get("email_fallback_inbox"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return channels.Built{}, &inbox.ValidationError{Field: "email_fallback_inbox", Reason: fmt.Sprintf("%q is not an inbox id", raw)}
		}
		in, err := a.store.GetInbox(ctx, id)
		if errors.Is(err, inbox.ErrNotFound) || err == nil && in.Kind != inbox.ChannelEmail {
			return channels.Built{}, &inbox.ValidationError{Field: "email_fallback_inbox", Reason: fmt.Sprintf("inbox %d is not an email inbox", id)}
		}
		if err != nil {
			return channels.Built{}, fmt.Errorf("chat: fallback inbox: %w", err)
		}
		s.FallbackInboxID, s.FallbackAfter = id, f.Get("fallback_after")
		if s.FallbackAfter == "" {
			s.FallbackAfter = DefaultFallbackAfter.String()
		}
	}
	if err := s.Validate(); err != nil {
		return channels.Built{}, err
	}
	b := channels.Built{Inbox: inbox.NewInbox{Kind: inbox.ChannelChat, Name: f.Name, TeamID: f.TeamID, Settings: s}}
	if f.Current == nil || f.Get("rotate_identity_secret") == "on" {
		b.Once = NewIdentitySecret()
		b.Inbox.Secrets = Secrets{IdentitySecret: b.Once}
	}
	return b, nil
}

// Embed is the script tag a site pastes into its pages, with the inbox's looks.
func (a *Admin) Embed(in inbox.Inbox) (string, error) {
	s, err := inboxSettings(in)
	if err != nil {
		return "", err
	}
	base := a.publicURL
	if base == "" {
		base = "PARLEY_PUBLIC_URL" // not set on this server: the admin fills it in
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<script src="%s/chat/widget.js" data-inbox="%d"`, html.EscapeString(base), in.ID)
	for _, attr := range [][2]string{{"data-title", s.Title}, {"data-greeting", s.Greeting}, {"data-color", s.Color}} {
		if attr[1] != "" {
			fmt.Fprintf(&b, ` %s="%s"`, attr[0], html.EscapeString(attr[1]))
		}
	}
	b.WriteString(" async></script>")
	return b.String(), nil
}

// The admin implements the web admin's contracts.
var (
	_ channels.InboxAdmin = (*Admin)(nil)
	_ channels.Embedder   = (*Admin)(nil)
)
