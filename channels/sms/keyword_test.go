package sms_test

import (
	"testing"

	"github.com/parleyhq/parley/channels/sms"
)

func TestKeyword(t *testing.T) {
	t.Parallel()
	tests := map[string]sms.KeywordKind{
		"STOP":          sms.OptOut,
		"stop":          sms.OptOut,
		"  Stop \n":     sms.OptOut,
		"StopAll":       sms.OptOut,
		"unsubscribe":   sms.OptOut,
		"CANCEL":        sms.OptOut,
		"end":           sms.OptOut,
		"Quit":          sms.OptOut,
		"START":         sms.OptIn,
		"yes":           sms.OptIn,
		"\tunstop":      sms.OptIn,
		"HELP":          sms.Help,
		"info ":         sms.Help,
		"":              sms.NoKeyword,
		"please stop":   sms.NoKeyword,
		"STOP!":         sms.NoKeyword,
		"stop it":       sms.NoKeyword,
		"S T O P":       sms.NoKeyword,
		"stopp":         sms.NoKeyword,
		"ſtop":          sms.NoKeyword, // long s, which upper-cases to S
		"ＳＴＯＰ":          sms.NoKeyword, // full-width letters
		"yes, I'd love": sms.NoKeyword,
		"helpful":       sms.NoKeyword,
	}
	for body, want := range tests {
		if got := sms.Keyword(body); got != want {
			t.Errorf("Keyword(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestKeywordKindString(t *testing.T) {
	t.Parallel()
	for k, want := range map[sms.KeywordKind]string{
		sms.NoKeyword: "none", sms.OptOut: "opt-out", sms.OptIn: "opt-in", sms.Help: "help",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}
