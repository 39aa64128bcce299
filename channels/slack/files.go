package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// filesHost is where Slack serves shared files; the bot token is sent nowhere else (but to the
// host of PARLEY_SLACK_API_URL, for tests and demos).
const filesHost = "files.slack.com"

// fetchFilesLater enqueues, on tx, a fetch_attachment job per file the message shared.
func (h *Handler) fetchFilesLater(ctx context.Context, tx pgx.Tx, inboxID, messageID int64, files []SharedFile) error {
	if h.jobs == nil {
		return nil
	}
	seen := map[string]int{}
	for i, f := range files {
		name := strings.TrimSpace(f.Name)
		if name == "" {
			name = fmt.Sprintf("file-%d", i+1)
		}
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%d-%s", i+1, name) // two files of one name stay apart
		}
		args := channels.FetchAttachmentArgs{MessageID: messageID, Channel: inbox.ChannelSlack, InboxID: inboxID,
			URL: f.URL, Filename: name}
		if err := h.jobs.InsertTx(ctx, tx, args); err != nil {
			return fmt.Errorf("slack: enqueue file %d of message %d: %w", i+1, messageID, err)
		}
	}
	return nil
}

// Files fetches the files customers share in Slack with the bot token of the inbox that
// received them. It implements channels.AttachmentFetcher for inbox.ChannelSlack.
type Files struct {
	store  *inbox.Store
	apiURL string
	client *http.Client
}

// NewFiles returns a Files; apiURL is PARLEY_SLACK_API_URL ("" for Slack itself).
func NewFiles(store *inbox.Store, apiURL string) *Files {
	return &Files{store: store, apiURL: apiURL, client: &http.Client{Timeout: requestTimeout}}
}

// FetchAttachment downloads a shared file. Only URLs at files.slack.com (over HTTPS) get the
// token. Slack answers a request it does not accept with a sign-in page rather than an error,
// so an HTML answer for a file that is not HTML is refused as permanent, like a 4xx.
func (f *Files) FetchAttachment(ctx context.Context, inboxID int64, fileURL string) (inbox.NewAttachment, error) {
	if !f.allowed(fileURL) {
		return inbox.NewAttachment{}, permanent(fmt.Errorf("slack: %q is not a Slack file URL", fileURL))
	}
	in, err := f.store.GetInbox(ctx, inboxID)
	if errors.Is(err, inbox.ErrNotFound) || (err == nil && in.Kind != inbox.ChannelSlack) {
		return inbox.NewAttachment{}, permanent(fmt.Errorf("slack: inbox %d is not a Slack inbox", inboxID))
	}
	if err != nil {
		return inbox.NewAttachment{}, err
	}
	a, err := open(f.store, in)
	if err != nil {
		return inbox.NewAttachment{}, permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fileURL, nil)
	if err != nil {
		return inbox.NewAttachment{}, permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.secrets.BotToken)
	resp, err := f.client.Do(req)
	if err != nil {
		return inbox.NewAttachment{}, fmt.Errorf("slack: fetch file: %w", err)
	}
	defer resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return inbox.NewAttachment{}, retryable(&SendError{Temporary: true, RetryAfter: retryAfter(resp),
			Reason: "Slack could not serve the file now", Err: errors.New(resp.Status)})
	case resp.StatusCode != http.StatusOK:
		return inbox.NewAttachment{}, permanent(fmt.Errorf("slack: fetch file: Slack answered %s", resp.Status))
	case strings.HasPrefix(ct, "text/html") && !strings.HasSuffix(strings.ToLower(fileURL), ".html"):
		return inbox.NewAttachment{}, permanent(errors.New("slack: fetch file: Slack answered a sign-in page (is the files:read scope granted?)"))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, inbox.MaxAttachmentSize+1))
	if err != nil {
		return inbox.NewAttachment{}, fmt.Errorf("slack: fetch file: %w", err)
	}
	if len(body) > inbox.MaxAttachmentSize {
		return inbox.NewAttachment{}, permanent(fmt.Errorf("slack: the file is larger than %d bytes", inbox.MaxAttachmentSize))
	}
	return inbox.NewAttachment{ContentType: ct, Size: len(body), Content: body}, nil
}

// allowed reports whether the token may go to u: files.slack.com over HTTPS, or the host of the
// configured API URL.
func (f *Files) allowed(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	if p.Scheme == "https" && p.Host == filesHost {
		return true
	}
	api, err := url.Parse(f.apiURL)
	return f.apiURL != "" && err == nil && p.Scheme == api.Scheme && p.Host == api.Host
}

// retryAfter reads an answer's Retry-After seconds; 0 when it has none.
func retryAfter(resp *http.Response) time.Duration {
	var s int
	if _, err := fmt.Sscanf(resp.Header.Get("Retry-After"), "%d", &s); err != nil || s <= 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}
