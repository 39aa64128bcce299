package email

import (
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxFilenameBytes bounds an attachment's file name.
const maxFilenameBytes = 255

// Attachment is one file carried by a message, or an inline image the HTML
// shows through a cid: URL.
type Attachment struct {
	// Filename is a safe base name: no directories, no control
	// characters. A part without a name gets "attachment-N.ext".
	Filename string
	// ContentType is the lower-cased media type, such as "application/pdf".
	ContentType string
	// ContentID is the Content-ID without angle brackets; the HTML refers
	// to an inline image as "cid:" + ContentID (see RewriteCIDs).
	ContentID string
	// Inline is set for parts meant to show inside the body rather than
	// as a download.
	Inline bool
	// Data is the decoded content; nil when Truncated.
	Data []byte
	// Size is the decoded size in bytes, kept even when Data is dropped.
	Size int64
	// Truncated is set when the attachment was larger than the cap and
	// its Data was dropped.
	Truncated bool
}

// addAttachment keeps a non-body part as an attachment under the size cap.
func (w *walker) addAttachment(h textproto.Header, mt, disp, name string, data []byte, ctx walkCtx) {
	cid := normalizeMsgID(h.Get("Content-Id"))
	a := Attachment{
		Filename:    name,
		ContentType: mt,
		ContentID:   cid,
		Inline:      disp == "inline" || (disp != "attachment" && cid != "") || (ctx.related && disp == ""),
		Size:        int64(len(data)),
	}
	if a.Filename == "" {
		a.Filename = "attachment-" + strconv.Itoa(len(w.out.Attachments)+1) + extension(mt)
	}
	if limit := w.p.opts.MaxAttachmentBytes; limit < 0 || a.Size > limit {
		a.Truncated = true
	} else {
		a.Data = data
	}
	w.out.Attachments = append(w.out.Attachments, a)
}

// attachmentName returns the sanitized file name of a part, from its
// Content-Disposition filename or its Content-Type name.
func attachmentName(params, dparams map[string]string) string {
	name := dparams["filename"]
	if strings.TrimSpace(name) == "" {
		name = params["name"]
	}
	return safeFilename(name)
}

// safeFilename keeps the last path element of name, without control
// characters or leading dots, at most maxFilenameBytes long.
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimLeft(cleanLine(name), ". ")
	if len(name) > maxFilenameBytes {
		cut := maxFilenameBytes
		for cut > 0 && name[cut]&0xC0 == 0x80 {
			cut--
		}
		name = name[:cut]
	}
	return name
}

// extension returns a file extension for the common media types of
// attachments that arrive without a name.
func extension(mt string) string {
	switch mt {
	case "message/rfc822", "message/global":
		return ".eml"
	case "text/calendar":
		return ".ics"
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "text/plain", "message/delivery-status", "message/global-delivery-status",
		"text/rfc822-headers", "message/global-headers":
		return ".txt"
	case "text/html":
		return ".html"
	}
	return ".bin"
}
