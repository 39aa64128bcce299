package sms

import (
	"fmt"
	"mime"
	"strings"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// Twilio's limits on the media of one message (its "Accepted Content Types for Media"): at
// most MaxMedia files, together at most MaxMediaBytes.
const (
	MaxMedia      = 10
	MaxMediaBytes = 5 << 20
)

// mediaTypes are the content types Twilio's API takes as media: jpeg, gif and png it formats
// for the handset; the others it passes on as they are.
var mediaTypes = map[string]bool{
	"image/jpeg": true, "image/jpg": true, "image/gif": true, "image/png": true,
	"image/bmp": true, "image/tiff": true, "image/heic": true, "image/heif": true,
	"audio/basic": true, "audio/l24": true, "audio/mp4": true, "audio/mpeg": true, "audio/ogg": true,
	"audio/vnd.rn-realaudio": true, "audio/vnd.wave": true, "audio/3gpp": true, "audio/3gpp2": true,
	"audio/ac3": true, "audio/webm": true, "audio/amr-nb": true, "audio/amr": true, "audio/aac": true,
	"video/mpeg": true, "video/mp4": true, "video/quicktime": true, "video/webm": true, "video/3gpp": true,
	"video/3gpp2": true, "video/3gpp-tt": true, "video/h261": true, "video/h263": true,
	"video/h263-1998": true, "video/h263-2000": true, "video/h264": true,
	"text/vcard": true, "text/x-vcard": true, "text/csv": true, "text/rtf": true, "text/richtext": true,
	"text/calendar": true, "text/directory": true,
	"application/pdf": true, "application/vcard": true, "application/vnd.apple.pkpass": true,
}

// CheckMedia tells whether files can go by MMS, in words an agent can act on: Twilio's count,
// total size and content types. The deliver path checks before anything is sent, so a refused
// message fails at once with this reason instead of at Twilio after its text went out.
func CheckMedia(files []inbox.Attachment) error {
	if len(files) > MaxMedia {
		return fmt.Errorf("an MMS carries at most %d files; this reply has %d", MaxMedia, len(files))
	}
	total := 0
	for _, f := range files {
		total += f.Size
		base, _, err := mime.ParseMediaType(f.ContentType)
		if err != nil || !mediaTypes[strings.ToLower(base)] {
			return fmt.Errorf("%s is %s, which MMS cannot carry (images, audio, video, PDF, vCard and calendar files can)",
				f.Filename, f.ContentType)
		}
	}
	if total > MaxMediaBytes {
		return fmt.Errorf("an MMS carries at most 5 MB of files; this reply has %.1f MB", float64(total)/(1<<20))
	}
	return nil
}

// mediaURLs returns the public addresses Twilio fetches the files from, or why they cannot go.
func mediaURLs(files []channels.File) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	infos := make([]inbox.Attachment, len(files))
	urls := make([]string, len(files))
	for i, f := range files {
		if f.URL == "" {
			return nil, fmt.Errorf("files cannot be sent by SMS: the server has no public address (PARLEY_PUBLIC_URL) and secret key (PARLEY_SECRET_KEY) for Twilio to fetch them from")
		}
		infos[i], urls[i] = f.Attachment, f.URL
	}
	if err := CheckMedia(infos); err != nil {
		return nil, err
	}
	return urls, nil
}
