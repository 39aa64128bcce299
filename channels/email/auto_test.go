package email

import (
	"bufio"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
)

func TestDetectAuto(t *testing.T) {
	tests := []struct {
		name       string
		header     string
		from       string
		reportType string
		want       Auto
	}{
		{"person", "Subject: hi", "jo@x.example", "", AutoNone},
		{"auto-submitted no", "Auto-Submitted: no", "jo@x.example", "", AutoNone},
		{"auto-replied", "Auto-Submitted: auto-replied", "jo@x.example", "", AutoReply},
		{"auto-generated with params", "Auto-Submitted: Auto-Generated; owner=x", "jo@x.example", "", AutoReply},
		{"auto-generated list digest", "Auto-Submitted: auto-generated\r\nList-Id: <l.x>", "jo@x.example", "", AutoBulk},
		{"x-autoreply", "X-Autoreply: yes", "jo@x.example", "", AutoReply},
		{"x-autorespond", "X-Autorespond: vacation", "jo@x.example", "", AutoReply},
		{"precedence auto_reply", "Precedence: auto_reply", "jo@x.example", "", AutoReply},
		{"null return path", "Return-Path: <>", "jo@x.example", "", AutoReply},
		{"read receipt", "Subject: read", "jo@x.example", "disposition-notification", AutoReply},
		{"precedence bulk", "Precedence: bulk", "news@x.example", "", AutoBulk},
		{"precedence junk", "Precedence: junk", "news@x.example", "", AutoBulk},
		{"precedence list", "Precedence: list", "news@x.example", "", AutoBulk},
		{"list-id", "List-Id: <l.x.example>", "news@x.example", "", AutoBulk},
		{"list-unsubscribe", "List-Unsubscribe: <mailto:u@x>", "news@x.example", "", AutoBulk},
		{"delivery report", "Subject: fail", "jo@x.example", "delivery-status", AutoBounce},
		{"mailer-daemon", "Subject: fail", "mailer-daemon@x.example", "", AutoBounce},
		{"postmaster", "Subject: fail", "postmaster@x.example", "", AutoBounce},
		{"failed recipients", "X-Failed-Recipients: a@b", "jo@x.example", "", AutoBounce},
		{"bounce beats auto-reply", "Auto-Submitted: auto-replied", "mailer-daemon@x.example", "", AutoBounce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(tt.header + "\r\n\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			if got := detectAuto(h, Address{Address: tt.from}, tt.reportType); got != tt.want {
				t.Errorf("detectAuto = %q, want %q", got, tt.want)
			}
		})
	}
}
