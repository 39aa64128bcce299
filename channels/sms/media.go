package sms

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// twilioAPIHost is the only host media are fetched from: the account's credentials go nowhere
// else, whatever URL a message names.
const twilioAPIHost = "api.twilio.com"

// mediaExtensions name stored media by their type; Twilio's own URLs carry no extension.
var mediaExtensions = map[string]string{
	"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
	"image/heic": ".heic", "video/mp4": ".mp4", "video/3gpp": ".3gp", "audio/mpeg": ".mp3",
	"audio/amr": ".amr", "audio/ogg": ".ogg", "text/vcard": ".vcf", "text/x-vcard": ".vcf",
	"application/pdf": ".pdf",
}

// mediaFilename is the name the index-th (0-based) media item of a message is stored under.
func mediaFilename(index int, contentType string) string {
	ct, _, _ := strings.Cut(contentType, ";")
	return fmt.Sprintf("media-%d%s", index+1, mediaExtensions[strings.ToLower(strings.TrimSpace(ct))])
}

// fetchMediaLater enqueues, on tx, a job per media item of the message just stored.
func (c *Twilio) fetchMediaLater(ctx context.Context, tx pgx.Tx, inboxID, messageID int64, media []Media) error {
	if c.jobs == nil {
		return nil
	}
	for i, m := range media {
		args := channels.FetchAttachmentArgs{MessageID: messageID, Channel: inbox.ChannelSMS, InboxID: inboxID,
			URL: m.URL, Filename: mediaFilename(i, m.ContentType)}
		if err := c.jobs.InsertTx(ctx, tx, args); err != nil {
			return fmt.Errorf("sms: enqueue media %d of message %d: %w", i+1, messageID, err)
		}
	}
	return nil
}

// FetchAttachment implements channels.AttachmentFetcher: it fetches a media item of a message
// that SMS inbox inboxID received, with that inbox's credentials.
func (c *Twilio) FetchAttachment(ctx context.Context, inboxID int64, mediaURL string) (inbox.NewAttachment, error) {
	in, err := c.store.GetInbox(ctx, inboxID)
	if err != nil {
		return inbox.NewAttachment{}, retry(err)
	}
	if in.Kind != inbox.ChannelSMS {
		return inbox.NewAttachment{}, permanent(fmt.Sprintf("inbox %d is not an SMS inbox", inboxID))
	}
	acct, err := c.sendingAccount(ctx, &in)
	if err != nil {
		return inbox.NewAttachment{}, err
	}
	client, err := NewClient(Config{AccountSID: acct.settings.AccountSID, AuthToken: acct.token,
		APIURL: c.apiURL, Transport: c.transport})
	if err != nil {
		return inbox.NewAttachment{}, permanent(fmt.Sprintf("SMS inbox %d cannot fetch media: %v", inboxID, err))
	}
	return client.FetchMedia(ctx, mediaURL)
}

// FetchMedia downloads a media item of a message the account received (a MediaUrlN of its
// webhook), with the account's credentials. A URL outside the account at api.twilio.com is
// refused without a request. Errors are permanent (Temporary false) when fetching again cannot
// help: the media is gone, the credentials are refused, it is over inbox.MaxAttachmentSize.
func (c *Client) FetchMedia(ctx context.Context, mediaURL string) (inbox.NewAttachment, error) {
	u, err := url.Parse(mediaURL)
	if err != nil || u.Scheme != "https" || u.Host != twilioAPIHost ||
		!strings.HasPrefix(u.Path, "/2010-04-01/Accounts/"+c.accountSID+"/") {
		return inbox.NewAttachment{}, permanent(fmt.Sprintf("%q is not a media URL of Twilio account %s", mediaURL, c.accountSID))
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, mediaURL, nil)
	if err != nil {
		return inbox.NewAttachment{}, permanent(err.Error())
	}
	req.SetBasicAuth(c.accountSID, c.authToken)
	resp, err := (&http.Client{Transport: c.transport}).Do(req)
	if err != nil {
		return inbox.NewAttachment{}, retry(fmt.Errorf("sms: fetch media: %w", err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return inbox.NewAttachment{}, retry(fmt.Errorf("sms: fetch media: Twilio answered %s", resp.Status))
	default:
		return inbox.NewAttachment{}, permanent(fmt.Sprintf("Twilio answered %s for the media", resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, inbox.MaxAttachmentSize+1))
	if err != nil {
		return inbox.NewAttachment{}, retry(fmt.Errorf("sms: fetch media: %w", err))
	}
	if len(body) > inbox.MaxAttachmentSize {
		return inbox.NewAttachment{}, permanent(fmt.Sprintf("the media is larger than %d bytes", inbox.MaxAttachmentSize))
	}
	return inbox.NewAttachment{ContentType: resp.Header.Get("Content-Type"), Size: len(body), Content: body}, nil
}
