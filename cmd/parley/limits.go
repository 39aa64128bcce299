package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/channels/chat"
)

// limits are the caps on what one source address or chat visitor may take (PARLEY_MAX_CONNS_PER_IP,
// PARLEY_CHAT_*). Unset variables take the defaults; 0 turns a cap off.
type limits struct {
	// MaxConnsPerIP is web.Config.MaxConnsPerIP: 0 the default, negative off.
	MaxConnsPerIP int
	// Chat and ChatMessages are the chat channel's caps per address and per visitor.
	Chat         chat.Limits
	ChatMessages chat.LimiterConfig
}

// limitsConfig reads the limits from the environment.
func limitsConfig(getenv env) (limits, error) {
	var l limits
	var err error
	count := func(name string, dst *int) {
		if err != nil {
			return
		}
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 {
			err = fmt.Errorf("%s must be a whole number, 0 to turn the limit off, not %q", name, v)
			return
		}
		*dst = n
		if n == 0 {
			*dst = -1 // off
		}
	}
	count("PARLEY_MAX_CONNS_PER_IP", &l.MaxConnsPerIP)
	count("PARLEY_CHAT_NEW_VISITORS_PER_MIN", &l.Chat.NewVisitorsPerMinute)
	count("PARLEY_CHAT_SOCKETS_PER_IP", &l.Chat.SocketsPerAddress)
	count("PARLEY_CHAT_MESSAGE_BURST", &l.ChatMessages.Burst)
	if err != nil {
		return l, err
	}
	if l.ChatMessages.Burst < 0 {
		return l, fmt.Errorf("PARLEY_CHAT_MESSAGE_BURST must be at least 1")
	}
	if v := strings.TrimSpace(getenv("PARLEY_CHAT_MESSAGES_PER_SEC")); v != "" {
		r, perr := strconv.ParseFloat(v, 64)
		if perr != nil || r <= 0 || r > 1000 {
			return l, fmt.Errorf("PARLEY_CHAT_MESSAGES_PER_SEC must be a number of frames a second above 0 (such as 5 or 0.5), not %q", v)
		}
		l.ChatMessages.Rate = r
	}
	return l, nil
}
