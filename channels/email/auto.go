package email

import (
	"strings"

	"github.com/emersion/go-message/textproto"
)

// Auto is the kind of automatic mail a message is, or AutoNone for mail a
// person wrote. Parley threads automatic mail like any other but never
// answers it automatically (no acknowledgement, no survey), so that two
// robots cannot mail each other forever.
type Auto string

// The kinds of automatic mail.
const (
	AutoNone   Auto = ""
	AutoReply  Auto = "auto-reply" // out-of-office, vacation and other automatic answers, read receipts
	AutoBounce Auto = "bounce"     // a delivery failure report
	AutoBulk   Auto = "bulk"       // newsletters and mailing lists
)

// detectAuto classifies a message from its top-level header, its sender
// and the report-type of its multipart/report, if any. A bounce wins over
// an auto-reply, which wins over bulk.
func detectAuto(h textproto.Header, from Address, reportType string) Auto {
	local, _, _ := strings.Cut(from.Address, "@")
	switch {
	case reportType == "delivery-status", h.Has("X-Failed-Recipients"),
		local == "mailer-daemon", local == "mailer_daemon", local == "mailerdaemon",
		local == "postmaster":
		return AutoBounce
	}
	list := h.Has("List-Id") || h.Has("List-Unsubscribe")
	precedence := headerToken(h, "Precedence")
	if sub := headerToken(h, "Auto-Submitted"); sub != "" && sub != "no" {
		if list && sub != "auto-replied" {
			return AutoBulk
		}
		return AutoReply
	}
	switch {
	case h.Has("X-Autoreply"), h.Has("X-Autorespond"), h.Has("X-Autoresponse"),
		precedence == "auto_reply", reportType == "disposition-notification",
		strings.TrimSpace(h.Get("Return-Path")) == "<>":
		return AutoReply
	case precedence == "bulk", precedence == "junk", precedence == "list", list:
		return AutoBulk
	}
	return AutoNone
}

// headerToken returns the lower-cased first token of header key, before
// any ';' parameter or comment.
func headerToken(h textproto.Header, key string) string {
	v := h.Get(key)
	if i := strings.IndexAny(v, ";("); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.TrimSpace(v))
}
