package email

import (
	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// PartsWith is what the channel contributes to a server with sender and fetcher: the tests
// read mailboxes with fetchers of their own settings (a short IDLE).
func PartsWith(store *inbox.Store, sender *Sender, fetcher *Fetcher) channels.Parts {
	return parts(store, sender, fetcher)
}
