package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// slackHooksHost is where Slack's response_urls point ("https://hooks.slack.com/actions/...").
const slackHooksHost = "hooks.slack.com"

// Responder answers clicks through the response_url Slack sends with them, for the respond job
// (RespondArgs). It posts only to Slack's hooks host, or to the host of
// PARLEY_SLACK_API_URL when that is set (a fake Slack), so a response_url is never a way to
// make the server call anywhere else.
type Responder struct {
	apiURL string
	http   *http.Client
}

// NewResponder returns a Responder; apiURL is PARLEY_SLACK_API_URL ("" for Slack itself).
func NewResponder(apiURL string) *Responder {
	return &Responder{apiURL: apiURL, http: &http.Client{Timeout: requestTimeout}}
}

// checkResponseURL refuses a response_url that is not Slack's (or the configured fake's).
func checkResponseURL(raw, apiURL string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("response_url: %w", err)
	}
	scheme, host := "https", slackHooksHost
	if apiURL != "" {
		api, err := url.Parse(apiURL)
		if err != nil {
			return fmt.Errorf("PARLEY_SLACK_API_URL: %w", err)
		}
		scheme, host = api.Scheme, api.Host
	}
	if u.Scheme != scheme || u.Host != host || u.User != nil {
		return fmt.Errorf("response_url %q is not on %s://%s", raw, scheme, host)
	}
	return nil
}

// SlackRespond posts text to responseURL as a note only the clicking member sees, leaving the
// clicked message as it is. A URL that is not Slack's, or one Slack refuses (expired, used up),
// is a permanent error; a 429 or a 5xx is temporary.
func (r *Responder) SlackRespond(ctx context.Context, responseURL, text string) error {
	if err := checkResponseURL(responseURL, r.apiURL); err != nil {
		return permanent(fmt.Errorf("slack: respond: %w", err))
	}
	body, err := json.Marshal(map[string]any{"response_type": "ephemeral", "replace_original": false, "text": text})
	if err != nil {
		return permanent(fmt.Errorf("slack: respond: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return permanent(fmt.Errorf("slack: respond: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return &failure{err: fmt.Errorf("slack: respond: %w", err), temporary: true}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		wait, _ := time.ParseDuration(resp.Header.Get("Retry-After") + "s")
		return &failure{err: fmt.Errorf("slack: respond: HTTP %d", resp.StatusCode), temporary: true, retryAfter: wait}
	}
	return permanent(fmt.Errorf("slack: respond: Slack refused the response (HTTP %d): %s",
		resp.StatusCode, strings.TrimSpace(string(answer))))
}
