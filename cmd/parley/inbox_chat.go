package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/inbox"
)

// chatInbox is `parley inbox add chat`: a website chat widget. It prints the inbox's identity
// secret once, before the inbox id: the site's server signs its users with it.
func chatInbox(ctx context.Context, c *cli) (inbox.NewInbox, error) {
	fs := c.flags("inbox add chat", "inbox add chat --name N --origin https://shop.example.com [--origin ...]\n"+
		"       [--email-fallback-inbox ID [--fallback-after 10m]] [--team T]\n\n"+
		"Prints the identity secret (once) and then the inbox id. Embed the widget with\n"+
		"  <script src=\"PARLEY_PUBLIC_URL/chat/widget.js\" data-inbox=\"ID\" async></script>\n"+
		"and sign a logged-in user with user_hash = hex(HMAC-SHA256(secret, user_id)).")
	name := fs.String("name", "", "the inbox's name")
	var origins stringList
	fs.Var(&origins, "origin", "a site origin allowed to open the chat, like https://shop.example.com (repeatable)")
	fallback := fs.Int64("email-fallback-inbox", 0, "email inbox that carries replies a visitor who left an email did not see in time")
	after := fs.Duration("fallback-after", chat.DefaultFallbackAfter, "how long a reply waits unseen before it is emailed")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	if err := fs.Parse(c.args); err != nil {
		return inbox.NewInbox{}, err
	}
	if len(origins) == 0 {
		return inbox.NewInbox{}, errors.New("inbox add chat: at least one --origin is required: the site that embeds the widget")
	}
	settings := chat.Settings{Origins: origins}
	if *fallback != 0 {
		settings.FallbackInboxID, settings.FallbackAfter = *fallback, after.String()
	}
	if err := settings.Validate(); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add chat: %w", err)
	}
	a, err := open(ctx, c)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	defer a.close()
	if a.cfg.SecretKey == "" {
		return inbox.NewInbox{}, errors.New("inbox add chat: PARLEY_SECRET_KEY is not set; it seals the inbox's identity secret")
	}
	out := inbox.NewInbox{Kind: inbox.ChannelChat, Name: *name, Settings: settings}
	if *team != "" {
		t, err := a.store.TeamByName(ctx, *team)
		if err != nil {
			return inbox.NewInbox{}, fmt.Errorf("inbox add chat: team %q: %w", *team, err)
		}
		out.TeamID = t.ID
	}
	if *fallback != 0 {
		in, err := a.store.GetInbox(ctx, *fallback)
		if err == nil && in.Kind != inbox.ChannelEmail {
			err = fmt.Errorf("it is a %s inbox, not an email inbox", in.Kind)
		}
		if err != nil {
			return inbox.NewInbox{}, fmt.Errorf("inbox add chat: --email-fallback-inbox %d: %w", *fallback, err)
		}
	}
	secret := chat.NewIdentitySecret()
	out.Secrets = chat.Secrets{IdentitySecret: secret}
	fmt.Fprintf(c.stdout, "identity secret (shown once): %s\n", secret)
	return out, nil
}

// demoChatName is the chat inbox `parley demo` creates for GET /chat/demo.
const demoChatName = "Website"

// demoChatInbox creates the demo's chat inbox, allowing this server's own origin, unless it
// exists, and prints where to try it. Without PARLEY_SECRET_KEY it has no identity secret
// (signed-in users are not verified).
func demoChatInbox(ctx context.Context, a *app, w io.Writer) error {
	existing, err := a.store.Inboxes(ctx, inbox.ChannelChat)
	if err != nil {
		return err
	}
	found := false
	for _, in := range existing {
		found = found || in.Name == demoChatName
	}
	if !found {
		in := inbox.NewInbox{Kind: inbox.ChannelChat, Name: demoChatName, Settings: chat.Settings{Origins: demoOrigins(a.cfg.PublicURL)}}
		if a.cfg.SecretKey != "" {
			in.Secrets = chat.Secrets{IdentitySecret: chat.NewIdentitySecret()}
		}
		if _, err := a.store.CreateInbox(ctx, in); err != nil && !errors.Is(err, inbox.ErrConflict) {
			return fmt.Errorf("demo: chat inbox: %w", err)
		}
	}
	fmt.Fprintf(w, "  chat demo: %s/chat/demo (write as a customer, answer from the inbox)\n", a.cfg.PublicURL)
	return nil
}

// demoOrigins is the public URL's origin, and for a local server the same port on the other
// loopback name, so the demo page works whether opened as localhost or 127.0.0.1.
func demoOrigins(publicURL string) []string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return nil
	}
	origins := []string{u.Scheme + "://" + u.Host}
	port := ""
	if p := u.Port(); p != "" {
		port = ":" + p
	}
	switch u.Hostname() {
	case "localhost":
		origins = append(origins, u.Scheme+"://127.0.0.1"+port)
	case "127.0.0.1":
		origins = append(origins, u.Scheme+"://localhost"+port)
	}
	return origins
}
