package email

import (
	"strings"
	"testing"
)

func TestStripQuotes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no quote", "Hello\nworld", "Hello\nworld"},
		{"empty", "  \n ", ""},
		{"crlf", "Hi\r\n\r\n> old\r\n", "Hi"},
		{"gmail attribution", "Thanks!\n\nOn Mon, Mar 4, 2024 at 5:02 PM Sam <sam@x.example> wrote:\n> old\n> older", "Thanks!"},
		{"wrapped attribution", "Thanks!\n\nOn Mon, Mar 4, 2024 at 5:02 PM Sam <\nsam@x.example> wrote:\n\n> old", "Thanks!"},
		{"attribution over three lines", "Ok\nOn Mon, Mar 4, 2024\nat 5:02 PM Sam\n<sam@x.example> wrote:\n> old", "Ok"},
		{"german", "Danke\n\nAm 04.03.2024 um 10:15 schrieb Sam <sam@x.example>:\n> alt", "Danke"},
		{"french", "Merci\n\nLe mar. 5 mars 2024 à 09:30, Sam <sam@x.example> a écrit :\n> ancien", "Merci"},
		{"spanish", "Gracias\nEl 5 mar 2024, a las 9:30, Sam escribió:\n> viejo", "Gracias"},
		{"weak attribution before quote", "Fine\nSam Smith wrote:\n> old", "Fine"},
		{"weak attribution kept without quote", "Fine\nSam Smith wrote:\nthat he agrees", "Fine\nSam Smith wrote:\nthat he agrees"},
		{"strong attribution cuts unquoted history", "New\n\nOn Tue, Sam wrote:\n\nold unquoted text", "New"},
		{"bottom posting keeps the answer", "On Tue, Sam <s@x> wrote:\n> question?\n\nMy answer.", "My answer."},
		{"inline answers", "> q1\na1\n> q2\na2", "a1\na2"},
		{"outlook original message", "Sorry.\n\n-----Original Message-----\nFrom: Sam\nSent: Tuesday\nTo: Jo\nSubject: x\n\nold", "Sorry."},
		{"german original message", "Ok\n-----Ursprüngliche Nachricht-----\nVon: Sam\nold", "Ok"},
		{"outlook separator", "Done\n\n________________________________\nFrom: Sam <s@x>\nSent: Tuesday\nTo: Jo\n\nold", "Done"},
		{"outlook header block", "Done\n\nFrom: Sam <s@x>\nSent: Tuesday, March 5\nTo: Jo\nSubject: Re: x\n\nold", "Done"},
		{"bold header block", "Done\n\n*From:* Sam <s@x>\n*Date:* Tuesday, March 5\n*To:* Jo\n\nold", "Done"},
		{"german header block", "Erledigt\n\nVon: Sam <s@x>\nGesendet: Dienstag\nAn: Jo\nBetreff: x\n\nalt", "Erledigt"},
		{"lone from line is content", "From: the billing team\nwe got your message", "From: the billing team\nwe got your message"},
		{"underscores without from are content", "Name: ____________\nSign here", "Name: ____________\nSign here"},
		{"signature kept", "Thanks\n-- \nDana Okafor\nACME\n\nOn Mon, Sam wrote:\n> old", "Thanks\n-- \nDana Okafor\nACME"},
		{"all quote keeps original", "On Mon, Sam wrote:\n> only old text", "On Mon, Sam wrote:\n> only old text"},
		{"only quoted lines keep original", "> a\n> b", "> a\n> b"},
		{"blank runs collapse", "a\n> x\n\n> y\n\nb", "a\n\nb"},
		{"on without wrote is content", "On Monday the export failed:\nerror 42", "On Monday the export failed:\nerror 42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StripQuotes(tt.in)
			if got != tt.want {
				t.Errorf("StripQuotes(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
			}
			if len(got) > len(tt.in) {
				t.Errorf("output longer than input")
			}
		})
	}
}

func TestStripQuotesHTML(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string // substring of the result; "" means no quote found
		wantNo string // must not be in the result
	}{
		{"gmail", `<div>New</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Sam wrote:</div><blockquote class="gmail_quote">old</blockquote></div>`, "<div>New</div>", "old"},
		{"gmail forward kept", `<div>See below</div><div class="gmail_quote">---------- Forwarded message ---------<br>From: a</div>`, "", ""},
		{"apple cite with attribution before", `<div>New</div><div>On 8 Mar 2024, at 17:02, Sam wrote:</div><br><blockquote type="cite">old</blockquote>`, "<div>New</div>", "wrote"},
		{"thunderbird", `<p>New</p><div class="moz-cite-prefix">On 1/1/24, Sam wrote:</div><blockquote type="cite">old</blockquote>`, "<p>New</p>", "old"},
		{"yahoo", `<div>New</div><div class="yahoo_quoted">old</div>`, "<div>New</div>", "old"},
		{"outlook appendonsend cuts everything after", `<div>New</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">From: Sam</div><div>old</div>`, "<div>New</div>", "old"},
		{"outlook divRplyFwdMsg nested", `<div><p>New</p><div><div id="x_divRplyFwdMsg">From: Sam</div><p>old 1</p></div><p>old 2</p></div><p>old 3</p>`, "<p>New</p>", "old"},
		{"outlook border-top", `<p>New</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Sam</p></div><p>old</p>`, "<p>New</p>", "old"},
		{"border-top without From is content", `<p>New</p><div style="border-top:solid 1px">A note</div>`, "", ""},
		{"no quote", `<p>Just text</p>`, "", ""},
		{"only quote", `<blockquote type="cite">old</blockquote>`, "", ""},
		{"only quote and image kept", `<img src="cid:a"><blockquote type="cite">old</blockquote>`, `<img src="cid:a"/>`, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := StripQuotesHTML(tt.in)
			if tt.want == "" {
				if ok || got != tt.in {
					t.Errorf("StripQuotesHTML(%q) = %q, %v; want the input back and false", tt.in, got, ok)
				}
				return
			}
			if !ok || !strings.Contains(got, tt.want) || strings.Contains(got, tt.wantNo) {
				t.Errorf("StripQuotesHTML(%q) = %q, %v; want it to hold %q and not %q", tt.in, got, ok, tt.want, tt.wantNo)
			}
		})
	}
}
