package main

import (
	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/chat"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/slack"
	"github.com/parleyhq/parley/channels/sms"
)

// channelList is every channel this binary carries (the channels contract): `parley serve`
// opens each one, `parley inbox add KIND` sets up an inbox of one. Adding a channel is its own
// package and one line here. l are the chat's limits (serve's configuration; the zero value,
// the defaults, where no server runs).
func channelList(l limits) []channels.Channel {
	return []channels.Channel{
		&chat.Channel{Limits: l.Chat, Messages: l.ChatMessages},
		email.NewChannel(),
		slack.NewChannel(),
		sms.NewChannel(),
	}
}
