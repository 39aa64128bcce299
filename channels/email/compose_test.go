package email

import (
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// TestComposeResistsHeaderInjection: names, subjects and text written by customers or agents
// cannot add header lines or markup to an outbound email.
func TestComposeResistsHeaderInjection(t *testing.T) {
	raw, err := outgoingMail{
		from:      &gomail.Address{Name: "Acme\r\nBcc: evil@x.example", Address: "support@example.com"},
		to:        []*gomail.Address{{Name: "Eve\r\nBcc: evil@x.example", Address: "eve@customer.example"}},
		subject:   "Hi\r\nBcc: evil@x.example",
		date:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		messageID: "abc@example.com",
		text:      "<script>alert(1)</script>\r\n\r\nBcc: evil@x.example",
	}.bytes()
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Fatalf("an injected header line: %q in\n%s", line, head)
		}
	}
	p := NewParser(ParseOptions{}).ParseBytes(raw)
	if p.To[0].Address != "eve@customer.example" || len(p.To) != 1 || len(p.Cc) != 0 {
		t.Errorf("recipients %+v %+v", p.To, p.Cc)
	}
	if !strings.Contains(string(raw), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") {
		t.Errorf("the HTML part does not escape the text:\n%s", raw)
	}
	if got := textToHTML("a & b\n<i>c</i>\n\nd"); got != "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"+
		"<p>a &amp; b<br>\n&lt;i&gt;c&lt;/i&gt;</p>\n<p>d</p>\n</body></html>\n" {
		t.Errorf("textToHTML = %q", got)
	}
}
