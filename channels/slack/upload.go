package slack

import (
	"context"
	"fmt"

	slackgo "github.com/slack-go/slack"

	"github.com/parleyhq/parley/channels"
)

// ShareFiles uploads files and shares them into threadTS's thread of channel, Slack's way: for
// each file files.getUploadURLExternal (its name and length), then its bytes posted to the URL
// Slack gave, streamed from the store (slack-go pipes them into the multipart body); then one
// files.completeUploadExternal with every file id, the channel and the thread. It returns the
// ids of the shared files.
//
// Errors wrap a *SendError; a file that cannot be read is a temporary error.
func (c *Client) ShareFiles(ctx context.Context, channel, threadTS string, files []channels.File) ([]string, error) {
	summaries := make([]slackgo.FileSummary, 0, len(files))
	for _, f := range files {
		id, err := c.uploadOne(ctx, f)
		if err != nil {
			return nil, err
		}
		summaries = append(summaries, slackgo.FileSummary{ID: id, Title: f.Filename})
	}
	if _, err := c.api.CompleteUploadExternalContext(ctx, slackgo.CompleteUploadExternalParameters{
		Files: summaries, Channel: channel, ThreadTimestamp: threadTS}); err != nil {
		return nil, fmt.Errorf("slack: share files: %w", classify(err))
	}
	ids := make([]string, len(summaries))
	for i, s := range summaries {
		ids[i] = s.ID
	}
	return ids, nil
}

// uploadOne asks Slack where to upload f and posts its bytes there.
func (c *Client) uploadOne(ctx context.Context, f channels.File) (string, error) {
	up, err := c.api.GetUploadURLExternalContext(ctx, slackgo.GetUploadURLExternalParameters{FileName: f.Filename, FileSize: f.Size})
	if err != nil {
		return "", fmt.Errorf("slack: upload %s: %w", f.Filename, classify(err))
	}
	body, err := f.Open(ctx)
	if err != nil {
		return "", fmt.Errorf("slack: upload %s: read the file: %w", f.Filename, err)
	}
	defer body.Close()
	if err := c.api.UploadToURL(ctx, slackgo.UploadToURLParameters{UploadURL: up.UploadURL, Reader: body, Filename: f.Filename}); err != nil {
		return "", fmt.Errorf("slack: upload %s: %w", f.Filename, classify(err))
	}
	return up.FileID, nil
}
