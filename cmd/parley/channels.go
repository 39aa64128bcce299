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
// package and one line here.
func channelList() []channels.Channel {
	return []channels.Channel{
		chat.NewChannel(),
		email.NewChannel(),
		slack.NewChannel(),
		sms.NewChannel(),
	}
}
