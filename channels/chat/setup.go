package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// AddInbox is `parley inbox add chat`: a website chat widget. It prints the inbox's identity
// secret once, before the inbox id: the site's server signs its users with it.
func (*Channel) AddInbox(ctx context.Context, env channels.SetupEnv, args []string) (inbox.NewInbox, error) {
	fs := env.FlagSet("inbox add chat", "inbox add chat --name N --origin https://shop.example.com [--origin ...]\n"+
		"       [--email-fallback-inbox ID [--fallback-after 10m]] [--team T]\n\n"+
		"Prints the identity secret (once) and then the inbox id. Embed the widget with\n"+
		"  <script src=\"PARLEY_PUBLIC_URL/chat/widget.js\" data-inbox=\"ID\" async></script>\n"+
		"and sign a logged-in user with user_hash = hex(HMAC-SHA256(secret, user_id)).")
	name := fs.String("name", "", "the inbox's name")
	var origins []string
	fs.Func("origin", "a site origin allowed to open the chat, like https://shop.example.com (repeatable)", func(v string) error {
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				origins = append(origins, o)
			}
		}
		return nil
	})
	fallback := fs.Int64("email-fallback-inbox", 0, "email inbox that carries replies a visitor who left an email did not see in time")
	after := fs.Duration("fallback-after", DefaultFallbackAfter, "how long a reply waits unseen before it is emailed")
	team := fs.String("team", "", "the team that gets this inbox's conversations")
	if err := fs.Parse(args); err != nil {
		return inbox.NewInbox{}, err
	}
	if len(origins) == 0 {
		return inbox.NewInbox{}, errors.New("inbox add chat: at least one --origin is required: the site that embeds the widget")
	}
	settings := Settings{Origins: origins}
	if *fallback != 0 {
		settings.FallbackInboxID, settings.FallbackAfter = *fallback, after.String()
	}
	if err := settings.Validate(); err != nil {
		return inbox.NewInbox{}, fmt.Errorf("inbox add chat: %w", err)
	}
	set, teamID, err := env.OpenSealed(ctx, inbox.ChannelChat, "the inbox's identity secret", *team)
	if err != nil {
		return inbox.NewInbox{}, err
	}
	out := inbox.NewInbox{Kind: inbox.ChannelChat, Name: *name, TeamID: teamID, Settings: settings}
	if *fallback != 0 {
		in, err := set.Store.GetInbox(ctx, *fallback)
		if err == nil && in.Kind != inbox.ChannelEmail {
			err = fmt.Errorf("it is a %s inbox, not an email inbox", in.Kind)
		}
		if err != nil {
			return inbox.NewInbox{}, fmt.Errorf("inbox add chat: --email-fallback-inbox %d: %w", *fallback, err)
		}
	}
	secret := NewIdentitySecret()
	out.Secrets = Secrets{IdentitySecret: secret}
	fmt.Fprintf(env.Stdout, "identity secret (shown once): %s\n", secret)
	return out, nil
}
