package chat

import (
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

// Widget returns the widget script.
func Widget() ([]byte, error) {
	b, err := assets.ReadFile(WidgetFile)
	if err != nil {
		return nil, fmt.Errorf("chat: widget: %w", err)
	}
	return b, nil
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
