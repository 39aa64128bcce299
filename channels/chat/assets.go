package chat

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
)

// The browser side of the channel: the widget script and the demo page.
//
//go:embed widget.js demo.html
var assets embed.FS

// Names of the embedded files in Files.
const (
	WidgetFile = "widget.js"
	DemoFile   = "demo.html"
)

// Files returns the embedded browser files: WidgetFile, served as GET /chat/widget.js
// (text/javascript), and DemoFile, the template of GET /chat/demo.
func Files() fs.FS {
	return assets
}

// Widget returns the widget script as served: WidgetFile without the lines that hold only a
// comment, but its first (the banner). The comments are for the script's readers, not for
// every visitor's download.
func Widget() ([]byte, error) {
	b, err := assets.ReadFile(WidgetFile)
	if err != nil {
		return nil, fmt.Errorf("chat: widget: %w", err)
	}
	return dropCommentLines(b), nil
}

// dropCommentLines returns js without its lines that start, after indentation, with "//",
// except the first line. The widget has no such line inside a string or template.
func dropCommentLines(js []byte) []byte {
	out := make([]byte, 0, len(js))
	for i, line := range bytes.SplitAfter(js, []byte("\n")) {
		if i > 0 && bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("//")) {
			continue
		}
		out = append(out, line...)
	}
	return out
}

// DemoPage is the data of the demo page template.
type DemoPage struct {
	InboxID int64  // the chat inbox the widget talks to
	BaseURL string // the public URL of this server, without a trailing slash
}

// DemoTemplate parses the demo page, a pretend shop embedding the widget; execute it
// with a DemoPage.
func DemoTemplate() (*template.Template, error) {
	t, err := template.ParseFS(assets, DemoFile)
	if err != nil {
		return nil, fmt.Errorf("chat: demo template: %w", err)
	}
	return t, nil
}
