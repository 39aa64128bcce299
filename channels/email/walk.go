package email

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"
)

// Limits that keep a hostile message from costing unbounded work.
const (
	maxDepth  = 20  // multipart nesting
	maxParts  = 500 // MIME parts per message
	maxErrors = 8   // problems listed in ParseError
	// maxNoteBytes bounds each problem's description.
	maxNoteBytes = 160
)

// walkCtx is what a part knows about the multiparts around it.
type walkCtx struct {
	alternative bool // direct child of multipart/alternative
	related     bool // direct child of multipart/related
}

// walker walks one message's MIME tree and gathers what it finds.
type walker struct {
	p     *Parser
	out   *Parsed
	texts []string
	htmls []string
	parts int
	errs  []string

	reportType string  // report-type of the first multipart/report
	dsn        *Bounce // the first message/delivery-status, read
	embeddedID string  // Message-ID of the first embedded message or header
}

// note records a problem for Parsed.ParseError, as one short line of
// valid UTF-8 (errors may quote raw bytes of the message).
func (w *walker) note(format string, args ...any) {
	if len(w.errs) >= maxErrors {
		return
	}
	msg := cleanLine(strings.ToValidUTF8(fmt.Sprintf(format, args...), "\uFFFD"))
	if len(msg) > maxNoteBytes {
		cut := maxNoteBytes
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	w.errs = append(w.errs, msg)
}

// walk handles one MIME entity: its header h and its still-encoded body.
func (w *walker) walk(h textproto.Header, body []byte, depth int, ctx walkCtx) {
	mt, params := parseParams(h.Get("Content-Type"))
	if !validMediaType(mt) {
		if mt != "" {
			w.note("bad content type %q", mt)
		}
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		w.walkMultipart(mt, params, body, depth)
		return
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		w.note("%s: %v", mt, err)
	}
	disp, dparams := parseParams(h.Get("Content-Disposition"))
	name := attachmentName(params, dparams)
	switch {
	case (mt == "text/plain" || mt == "text/html") && disp != "attachment" && name == "":
		w.addBody(mt, params, data)
		return
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		w.readDSN(data)
	case mt == "message/rfc822" || mt == "message/global" ||
		mt == "text/rfc822-headers" || mt == "message/global-headers":
		w.readEmbedded(data)
	case ctx.alternative && strings.HasPrefix(mt, "text/") && mt != "text/calendar":
		return // another rendering of the body, such as text/enriched
	}
	w.addAttachment(h, mt, disp, name, data, ctx)
}

// validMediaType reports whether mt looks like "type/subtype".
func validMediaType(mt string) bool {
	typ, sub, ok := strings.Cut(mt, "/")
	return ok && typ != "" && sub != "" && !strings.ContainsAny(mt, " \t\"") && !strings.Contains(sub, "/")
}

// walkMultipart reads the parts of a multipart body. When the declared
// boundary finds nothing it retries with the first boundary-looking line,
// and failing that keeps the body as plain text.
func (w *walker) walkMultipart(mt string, params map[string]string, body []byte, depth int) {
	if depth >= maxDepth {
		w.note("multipart nested deeper than %d", maxDepth)
		return
	}
	ctx := walkCtx{alternative: mt == "multipart/alternative", related: mt == "multipart/related"}
	if mt == "multipart/report" && w.reportType == "" {
		w.reportType = strings.ToLower(strings.TrimSpace(params["report-type"]))
	}
	boundary := params["boundary"]
	n, err := w.readParts(body, boundary, depth, ctx)
	if n > 0 || err == nil {
		return
	}
	if guess := guessBoundary(body); guess != "" && guess != boundary {
		w.note("%s: boundary %q not found, using %q", mt, boundary, guess)
		if n, _ := w.readParts(body, guess, depth, ctx); n > 0 {
			return
		}
	}
	w.note("%s: no readable parts: %v", mt, err)
	w.addBody("text/plain", params, body)
}

// readParts walks each part found with boundary. It returns how many parts
// it read and the error that stopped it, if any.
func (w *walker) readParts(body []byte, boundary string, depth int, ctx walkCtx) (int, error) {
	if boundary == "" {
		return 0, fmt.Errorf("no boundary")
	}
	mr := textproto.NewMultipartReader(bytes.NewReader(body), boundary)
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			if n > 0 {
				w.note("%v", err)
			}
			return n, err
		}
		if w.parts++; w.parts > maxParts {
			w.note("more than %d parts", maxParts)
			return n + 1, nil
		}
		data, err := io.ReadAll(part)
		if err != nil {
			w.note("part %d: %v", n+1, err)
		}
		w.walk(part.Header, data, depth+1, ctx)
		n++
	}
}

// guessBoundary returns the boundary of the first "--boundary" line of body.
func guessBoundary(body []byte) string {
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, " \t\r")
		if len(line) > 3 && bytes.HasPrefix(line, []byte("--")) &&
			!bytes.ContainsAny(line, " \t") {
			return string(bytes.TrimSuffix(line[2:], []byte("--")))
		}
	}
	return ""
}

// addBody keeps a text/plain or text/html body, decoded to UTF-8.
func (w *walker) addBody(mt string, params map[string]string, data []byte) {
	s, err := toUTF8(data, params["charset"], mt)
	if err != nil {
		w.note("%s: %v", mt, err)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if mt == "text/html" {
		w.htmls = append(w.htmls, s)
		return
	}
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	w.texts = append(w.texts, s)
}
