package channels

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// InboxAdmin is a channel's part of the web admin's inbox pages: the fields of its form, the
// values an inbox shows in them, and the check that turns a submitted form into the inbox to
// store, the same check `parley inbox add KIND` makes. A channel returns one in
// Parts.Admin.
type InboxAdmin interface {
	// Kind is the inbox.Channel of the inboxes it manages.
	Kind() inbox.Channel
	// Fields are the form's inputs besides the name and the team, in order.
	Fields() []Field
	// Values are the form's values for an existing inbox, by field name; secret fields are
	// left out (their values are never shown again).
	Values(in inbox.Inbox) (map[string]string, error)
	// Build checks a submitted form and returns the inbox to create (f.Current nil) or its
	// change. A bad value is a *inbox.ValidationError whose Field is the form field's name.
	Build(ctx context.Context, f Form) (Built, error)
}

// ConnectionTester is an InboxAdmin that can try a form's credentials against its provider
// (the "Test connection" button): email logs in over IMAP and SMTP.
type ConnectionTester interface {
	// TestConnection tries the connections the form describes and reports each in plain
	// words. It returns within the deadline of ctx; a form that does not parse is a failed
	// check saying why, not an error.
	TestConnection(ctx context.Context, f Form) []Check
}

// Embedder is an InboxAdmin whose inboxes need something pasted elsewhere: the chat widget's
// snippet for the site's pages.
type Embedder interface {
	// Embed is the text an admin copies for inbox in.
	Embed(in inbox.Inbox) (string, error)
}

// Field is one input of an inbox's admin form.
type Field struct {
	// Name is the form key, also the Field of the validation errors about it.
	Name  string
	Label string
	// Help is a line under the input.
	Help string
	// Type is the input's: "text", "email", "number", "url", "color", "textarea" (one value
	// a line), "select" (Options), "checkbox" ("on" when checked) or "password" (a secret).
	Type     string
	Options  []string
	Required bool
	// Secret fields are never shown back once saved: left blank on an edit, the saved value
	// is kept.
	Secret bool
	// Placeholder is an example value.
	Placeholder string
	// ShowIf, "name=value", shows the input only while the form's field name has that value
	// (email's password fields with auth=password, its OAuth2 fields with auth=oauth2). It is
	// a convenience of the page: Build still gets every field.
	ShowIf string
}

// Form is a submitted inbox form.
type Form struct {
	// Name and TeamID are the inbox's name and team (0 for none), common to every kind.
	Name   string
	TeamID int64
	// Values are the channel's fields, by name, trimmed of surrounding spaces except secrets.
	Values map[string]string
	// Current is the inbox being edited, nil for a new one.
	Current *inbox.Inbox
	// OpenSecrets decodes Current's sealed secrets into v (inbox.Store.OpenSecrets), for the
	// secret fields left blank.
	OpenSecrets func(v any) error
}

// Get returns field name's value.
func (f Form) Get(name string) string { return f.Values[name] }

// Lines returns field name's value split into its non-empty lines (and commas), trimmed.
func (f Form) Lines(name string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(f.Values[name], func(r rune) bool { return r == '\n' || r == ',' }) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Built is a form turned into an inbox to store.
type Built struct {
	// Inbox is the new inbox, or for an edit its new name, team, settings and secrets (nil
	// Secrets keeps the saved ones).
	Inbox inbox.NewInbox
	// Once is shown to the admin once, right after saving (a new chat identity secret), and
	// never again.
	Once string
}

// Check is the outcome of one connection test.
type Check struct {
	// Name is what was tried: "IMAP", "SMTP".
	Name string
	OK   bool
	// Detail says what happened in plain words: "logged in to imap.example.com and opened
	// INBOX", "login refused by imap.example.com: ...".
	Detail string
}
