package email_test

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channels/email"
)

func ExampleParser_Parse() {
	raw := strings.Join([]string{
		"From: Dana Okafor <Dana@Example.com>",
		"To: support+c7k2m9@parley.example",
		"Subject: Re: [#41] Export fails",
		"Message-ID: <reply-1@example.com>",
		"In-Reply-To: <conv-41.msg-2@parley.example>",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"It works now, thanks!",
		"",
		"On Mon, Mar 4, 2024 at 5:02 PM Parley Support wrote:",
		"> Please try again.",
	}, "\r\n")

	p := email.NewParser(email.ParseOptions{})
	m, err := p.Parse(strings.NewReader(raw))
	if err != nil {
		panic(err)
	}
	ticket, _ := email.SubjectToken(m.Subject)
	fmt.Println(m.From.Address)
	fmt.Println(m.ThreadIDs())
	fmt.Println(email.PlusToken(m.Recipients(), "support"), ticket)
	fmt.Println(email.NormalizeSubject(m.Subject))
	fmt.Printf("%q\n", m.Reply)
	// Output:
	// dana@example.com
	// [conv-41.msg-2@parley.example]
	// c7k2m9 41
	// [#41] Export fails
	// "It works now, thanks!"
}

func ExampleRewriteCIDs() {
	html := `<p>Screenshot:</p><img src="cid:img-1@example.com" alt="error">`
	fmt.Println(email.RewriteCIDs(html, func(cid string) string {
		return "/attachments/by-cid/" + cid
	}))
	// Output:
	// <p>Screenshot:</p><img src="/attachments/by-cid/img-1@example.com" alt="error">
}
