package email

import (
	"regexp"
	"strconv"
	"strings"
)

// Subject patterns. Compiled once, never modified.
var (
	// subjectToken matches a ticket reference such as "[#1234]".
	subjectToken = regexp.MustCompile(`\[\s*#\s*(\d{1,18})\s*\]`)
	// replyPrefix matches one reply or forward prefix: Re, Fwd, Fw, AW,
	// SV, WG, VS, TR, Antw, RIF, Réf, Ynt, 回复, 答复, 转发, optionally
	// counted ("Re[2]:", "Re(2):"), with an ASCII or full-width colon.
	replyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?|aw|sv|wg|vs|tr|antw|rif|réf|ynt|odp|回复|答复|转发|回覆|轉寄)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*`)
)

// PlusToken returns the token of the first address of the form
// <mailboxLocal>+<token>@domain, compared without regard to case, or ""
// when none has one. With an empty mailboxLocal any local part with a '+'
// counts. Addresses in Parsed are lower-cased, so the token is too:
// generate tokens that survive lower-casing.
func PlusToken(addresses []string, mailboxLocal string) string {
	prefix := strings.ToLower(mailboxLocal) + "+"
	for _, a := range addresses {
		local, _, ok := strings.Cut(strings.ToLower(strings.TrimSpace(a)), "@")
		if !ok {
			continue
		}
		var token string
		if mailboxLocal == "" {
			_, token, _ = strings.Cut(local, "+")
		} else if strings.HasPrefix(local, prefix) {
			token = local[len(prefix):]
		}
		if validToken(token) {
			return token
		}
	}
	return ""
}

// validToken accepts 1 to 64 letters, digits, '-', '_' and '.'.
func validToken(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// SubjectToken returns the positive number n of the first "[#n]" in
// subject, and whether there was one.
func SubjectToken(subject string) (int64, bool) {
	m := subjectToken.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// NormalizeSubject strips any run of reply and forward prefixes ("Re:",
// "RE:", "Fwd:", "AW:", "SV:", "WG:", "Re[2]:", ...) and collapses white
// space, so that the subjects of one thread compare equal.
func NormalizeSubject(subject string) string {
	s := strings.Join(strings.Fields(subject), " ")
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil || loc[1] == 0 {
			return s
		}
		s = s[loc[1]:]
	}
}
