package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/inbox"
)

// secretsCmd is `parley secrets generate|rotate`.
func secretsCmd(ctx context.Context, c *cli) error {
	what, err := c.sub("secrets", "generate", "rotate")
	if err != nil {
		return err
	}
	if what == "generate" {
		fs := c.flags("secrets generate", "secrets generate\n\nPrints a new PARLEY_SECRET_KEY: 32 random bytes in base64.")
		if err := fs.Parse(c.args); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, inbox.GenerateSecretKey())
		return nil
	}
	fs := c.flags("secrets rotate", "secrets rotate\n\n"+
		"Re-seals every stored credential (the channel accounts' passwords and tokens) under\n"+
		"PARLEY_SECRET_KEY, opening each with it or with PARLEY_SECRET_KEY_OLD, in one transaction:\n"+
		"a value neither key opens stops it and nothing changes. Running it again changes nothing.\n"+
		"Without PARLEY_SECRET_KEY_OLD it only rewrites values sealed in the format before HKDF.\n"+
		"The email reply-address tokens and chat visitor tokens are keyed by PARLEY_SECRET_KEY too:\n"+
		"those issued under the old key stop working.")
	a, err := openWith(ctx, c, fs)
	if err != nil {
		return err
	}
	defer a.close()
	rep, err := a.store.RotateSecrets(ctx, c.getenv("PARLEY_SECRET_KEY_OLD"), "cli")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "secrets: %d re-sealed, %d already current\n", rep.Resealed, rep.Current)
	return nil
}
