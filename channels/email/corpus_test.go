package email

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// want is what one corpus message must parse to. Zero fields are not
// checked, except the ones listed as always checked in TestCorpus.
type want struct {
	messageID    string
	inReplyTo    string
	references   []string
	from         Address
	to           []string
	deliveredTo  []string
	subject      string
	date         string // RFC 3339
	threadIndex  string
	text         string // exact Text
	textHas      []string
	reply        string // exact Reply
	htmlHas      []string
	htmlHasNot   []string
	replyHTMLHas []string
	auto         Auto
	bounce       *Bounce
	attachments  []Attachment // Data not compared; see dataPrefix
	dataPrefix   []string     // expected start of each attachment's Data
	parseError   string       // substring; "" means ParseError must be empty
}

func corpus() map[string]want {
	return map[string]want{
		"gmail_reply.eml": {
			messageID:    "CAJx8Lq2Rt4=Yp0vT-aZ1qN7w@mail.gmail.example",
			inReplyTo:    "conv-41.msg-2@parley.example",
			references:   []string{"conv-41.msg-1@parley.example", "conv-41.msg-2@parley.example"},
			from:         Address{Name: "Dana Okafor", Address: "dana.okafor@gmail.example"},
			to:           []string{"support+c7k2m9@parley.example"},
			deliveredTo:  []string{"support+c7k2m9@parley.example"},
			subject:      "Re: [#41] Cannot export my invoices",
			date:         "2024-03-05T09:14:27+01:00",
			textHas:      []string{"That worked", "> Please try the export again"},
			reply:        "Hi Sam,\n\nThat worked, the CSV export is fine now. Thanks a lot!\n\nDana",
			htmlHas:      []string{"Please try the export again", `<a href="mailto:support+c7k2m9@parley.example" rel="nofollow noreferrer">`},
			replyHTMLHas: []string{"Thanks a lot!"},
		},
		"outlook_reply.eml": {
			messageID:    "AM9PR07MB7012A1B2C3D4E5F6@AM9PR07MB7012.eurprd07.prod.outlook.example",
			inReplyTo:    "conv-57.msg-3@parley.example",
			references:   []string{"conv-57.msg-3@parley.example"},
			from:         Address{Name: "Meyer, Jonas", Address: "jonas.meyer@contoso.example"},
			to:           []string{"support@parley.example"},
			subject:      "RE: [#57] VPN keeps disconnecting",
			threadIndex:  "0102030405060708090a0b0c0d0e0f10111213141516",
			textHas:      []string{"________________________________", "please install client 4.2"},
			reply:        "Hello,\n\nThe new client version fixed it, you can close the ticket.\n\nBest regards\nJonas Meyer",
			htmlHasNot:   []string{"<style", "margin-top", "elementToProof", "appendonsend"},
			replyHTMLHas: []string{"Jonas Meyer</div>"},
		},
		"outlook_no_inreplyto.eml": {
			messageID:   "000001da7056$3c2a1b00$b47e5100$@contoso.example",
			from:        Address{Name: "Jonas Meyer", Address: "jonas.meyer@contoso.example"},
			subject:     "RE: [#57] VPN keeps disconnecting",
			date:        "2024-03-07T08:30:00+01:00",
			threadIndex: "0102030405060708090a0b0c0d0e0f10111213141516",
			textHas:     []string{"-----Original Message-----", "please install client 4.2."},
			reply:       "Sorry, it happened again this morning.",
			htmlHasNot:  []string{"MsoNormal", "border-top"},
		},
		"apple_reply.eml": {
			messageID:  "5F2E1D3C-4B5A-6978-8A9B-0C1D2E3F4A5B@icloud.example",
			inReplyTo:  "conv-90.msg-1@parley.example",
			from:       Address{Name: "Renée Laurent", Address: "renee@icloud.example"},
			subject:    "Re: Delivery address change",
			textHas:    []string{"The building code is 4512B.", "> Should we ship order 8812"},
			reply:      "Yes please, send it to the new address in Lyon. The building code is 4512B.\n\nRenée",
			htmlHasNot: []string{`type="cite"`, "Apple-interchange-newline", "overflow-wrap"},
		},
		"thunderbird_reply.eml": {
			inReplyTo:  "conv-5.msg-1@parley.example",
			references: []string{"conv-5.msg-1@parley.example"},
			textHas:    []string{"> Here is your sign-in link."},
			reply:      "The link expired before I could use it.",
		},
		"yahoo_reply.eml": {
			subject: "R: Spedizione",
			reply:   "Grazie, ricevuto tutto.",
		},
		"iso8859_1.eml": {
			from:    Address{Name: "Jürgen Weiß", Address: "juergen.weiss@web.example"},
			subject: "Re: Bestellung nicht erhalten (Größe M)",
			textHas: []string{"Können Sie bitte prüfen?", "Am 04.03.2024 um 10:15 schrieb"},
			reply:   "Guten Tag,\n\nich habe meine Bestellung noch nicht erhalten. Können Sie bitte prüfen?\n\nGrüße\nJürgen Weiß",
		},
		"windows1252.eml": {
			subject: "Re : Remboursement “urgent”",
			textHas: []string{"49,90 € n’est toujours pas arrivé…"},
			reply:   "Bonjour,\n\nLe remboursement de 49,90 € n’est toujours pas arrivé… Pouvez-vous vérifier ?\n\nCordialement,\nCéline",
		},
		"iso2022jp.eml": {
			from:    Address{Name: "山田 花子", Address: "hanako.yamada@example.jp"},
			subject: "注文の配送について",
			date:    "2024-03-06T10:00:00+09:00",
			text:    "サポートご担当者様\n\n注文番号 5521 の商品がまだ届いていません。\n確認をお願いします。\n\n山田 花子",
		},
		"gb18030.eml": {
			from:    Address{Name: "李伟", Address: "li.wei@example.cn"},
			subject: "账户无法登录",
			text:    "您好，\n\n我的账户无法登录，请帮忙重置密码。\n\n李伟",
		},
		"html_only.eml": {
			subject: "Feature request: bulk tagging",
			text: "Bulk tagging\n\nHi team, we would love to:\n\n- select many conversations\n- tag them at once\n" +
				"1. first\n2. second\n\nSee our spec (https://startup.example/spec) or write to priya@startup.example.\n\nPlan Pro",
			htmlHas:    []string{"<h1>Bulk tagging</h1>", `rel="nofollow noreferrer noopener" target="_blank"`},
			htmlHasNot: []string{"ignored title", "color: red"},
		},
		"nested.eml": {
			text:       "The error looks like this: [image: error.png]",
			htmlHas:    []string{`<img src="cid:img-error@firma.example" alt="error">`, `<img src="https://cdn.firma.example/logo.png">`},
			htmlHasNot: []string{"tracker.example"},
			attachments: []Attachment{
				{Filename: "error.png", ContentType: "image/png", ContentID: "img-error@firma.example", Inline: true, Size: 70},
				{Filename: "log.csv", ContentType: "text/csv", Size: 38},
			},
			dataPrefix: []string{"\x89PNG", "time,level,message\r\n12:00"},
		},
		"attachment_pdf.eml": {
			from: Address{Address: "accounts@supplier.example"},
			text: "Please find the invoice attached.",
			attachments: []Attachment{
				{Filename: "Rechnung März.pdf", ContentType: "application/pdf", Size: 461},
			},
			dataPrefix: []string{"%PDF-1.4"},
		},
		"bounce.eml": {
			from:    Address{Name: "Mail Delivery System", Address: "mailer-daemon@mx.parley.example"},
			textHas: []string{"could not\nbe delivered"},
			auto:    AutoBounce,
			bounce: &Bounce{
				OriginalMessageID: "conv-77.msg-2@parley.example",
				Recipient:         "nobody@gone.example",
				Action:            "failed",
				Status:            "5.1.1",
				Diagnostic:        "550 5.1.1 <nobody@gone.example>: Recipient address rejected: User unknown",
			},
			attachments: []Attachment{
				{Filename: "attachment-1.txt", ContentType: "message/delivery-status", Size: 350},
				{Filename: "attachment-2.txt", ContentType: "text/rfc822-headers", Size: 185},
			},
			dataPrefix: []string{"Reporting-MTA", "From: Parley Support"},
		},
		"auto_reply.eml": {
			inReplyTo: "conv-88.msg-1@parley.example",
			text:      "I am out of the office until March 18 with limited access to email.",
			auto:      AutoReply,
		},
		"bulk.eml": {
			from: Address{Name: "Product News", Address: "news@vendor.example"},
			text: "Our March update is here.",
			auto: AutoBulk,
		},
		"malformed_boundary.eml": {
			text:       "The body is still readable.",
			parseError: `boundary "declared-boundary" not found`,
		},
		"malformed_base64.eml": {
			text:        "Bad base64 still yields this sentence.",
			attachments: []Attachment{{Filename: "data.bin", ContentType: "application/octet-stream", Size: 6}},
			dataPrefix:  []string{"ABCDEF"},
			parseError:  "damaged base64",
		},
		"unknown_charset.eml": {
			messageID:  "unknown-charset@client.example",
			subject:    "qapla' and more",
			text:       "Café au lait, unknown charset bytes.",
			parseError: `unknown charset "x-klingon"`,
		},
		"malformed_header.eml": {
			from:       Address{Name: "Anna", Address: "anna@client.example"},
			subject:    "header then garbage",
			text:       "Body after the garbage.",
			parseError: "malformed MIME header line",
		},
		"xss.eml": {
			subject: "Hello <script>alert(1)</script>",
			htmlHas: []string{
				`<a href="https://evil.example/x" rel="nofollow noreferrer noopener" target="_blank">there</a>`,
				`<img src="cid:logo@evil.example">`, "Safe text survives.", "<div>styled</div>",
			},
			htmlHasNot: []string{
				"<script", "alert", "onerror", "onload", "onclick", "javascript", "<style", "<iframe",
				"<form", "<input", "<svg", "<object", "<embed", "data:image", "http://evil.example",
				`src="x"`, "style=", "class=", "id=", `rel="opener"`,
			},
		},
	}
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	cases := corpus()
	if len(files) != len(cases) {
		t.Errorf("corpus has %d files, table has %d cases", len(files), len(cases))
	}
	p := NewParser(ParseOptions{})
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Parse(strings.NewReader(string(raw)))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkParsed(t, got, w)
			if string(got.Raw) != string(raw) {
				t.Error("Raw differs from the input")
			}
		})
	}
}

func checkParsed(t *testing.T, got *Parsed, w want) {
	t.Helper()
	eq := func(field string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", field, got, want)
		}
	}
	if w.messageID != "" {
		eq("MessageID", got.MessageID, w.messageID)
	}
	if w.inReplyTo != "" {
		eq("InReplyTo", got.InReplyTo, w.inReplyTo)
	}
	if w.references != nil {
		eq("References", got.References, w.references)
	}
	if w.from != (Address{}) {
		eq("From", got.From, w.from)
	}
	if w.to != nil {
		var to []string
		for _, a := range got.To {
			to = append(to, a.Address)
		}
		eq("To", to, w.to)
	}
	if w.deliveredTo != nil {
		eq("DeliveredTo", got.DeliveredTo, w.deliveredTo)
	}
	if w.subject != "" {
		eq("Subject", got.Subject, w.subject)
	}
	if w.date != "" {
		eq("Date", got.Date.Format(time.RFC3339), w.date)
	}
	if w.threadIndex != "" {
		eq("ThreadIndexRoot", got.ThreadIndexRoot, w.threadIndex)
	}
	if w.text != "" {
		eq("Text", got.Text, w.text)
	}
	for _, s := range w.textHas {
		if !strings.Contains(got.Text, s) {
			t.Errorf("Text lacks %q:\n%s", s, got.Text)
		}
	}
	wantReply := w.reply
	if wantReply == "" {
		wantReply = got.Text // nothing quoted: Reply is the whole text
	}
	eq("Reply", got.Reply, wantReply)
	for _, s := range w.htmlHas {
		if !strings.Contains(got.HTML, s) {
			t.Errorf("HTML lacks %q:\n%s", s, got.HTML)
		}
	}
	for _, s := range w.htmlHasNot {
		if strings.Contains(strings.ToLower(got.HTML), strings.ToLower(s)) {
			t.Errorf("HTML has %q:\n%s", s, got.HTML)
		}
	}
	for _, s := range w.replyHTMLHas {
		if !strings.Contains(got.ReplyHTML, s) {
			t.Errorf("ReplyHTML lacks %q:\n%s", s, got.ReplyHTML)
		}
	}
	eq("Auto", got.Auto, w.auto)
	eq("Bounce", got.Bounce, w.bounce)
	checkAttachments(t, got.Attachments, w)
	if w.parseError == "" && got.ParseError != "" {
		t.Errorf("ParseError = %q, want none", got.ParseError)
	}
	if w.parseError != "" && !strings.Contains(got.ParseError, w.parseError) {
		t.Errorf("ParseError = %q, want it to mention %q", got.ParseError, w.parseError)
	}
}

func checkAttachments(t *testing.T, got []Attachment, w want) {
	t.Helper()
	if len(got) != len(w.attachments) {
		t.Fatalf("%d attachments, want %d: %+v", len(got), len(w.attachments), got)
	}
	for i, a := range got {
		if !strings.HasPrefix(string(a.Data), w.dataPrefix[i]) {
			t.Errorf("attachment %d data starts %q, want %q", i, a.Data[:min(len(a.Data), 16)], w.dataPrefix[i])
		}
		if int64(len(a.Data)) != a.Size {
			t.Errorf("attachment %d: %d bytes of data, Size %d", i, len(a.Data), a.Size)
		}
		a.Data = nil
		if !reflect.DeepEqual(a, w.attachments[i]) {
			t.Errorf("attachment %d = %+v, want %+v", i, a, w.attachments[i])
		}
	}
}
