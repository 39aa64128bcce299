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
