package smstest

import (
	"context"
	"io"
	"net/http"
	"time"
)

// Twilio's limits on a message's media: at most maxMedia URLs, together at most
// maxMediaBytes.
const (
	maxMedia      = 10
	maxMediaBytes = 5 << 20
)

// fetchMedia fetches each MediaUrl as Twilio does before sending an MMS: a plain GET without
// credentials. What came back (or why nothing did) is kept for the test to compare with what
// was sent; reading stops past Twilio's size limit.
func fetchMedia(ctx context.Context, urls []string) []Fetched {
	client := &http.Client{Timeout: 10 * time.Second}
	var out []Fetched
	for _, u := range urls {
		f := Fetched{URL: u}
		req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, u, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = client.Do(req); err == nil {
				f.Status = resp.StatusCode
				f.ContentType = resp.Header.Get("Content-Type")
				f.Disposition = resp.Header.Get("Content-Disposition")
				f.Content, err = io.ReadAll(io.LimitReader(resp.Body, maxMediaBytes+1))
				resp.Body.Close()
			}
		}
		f.Err = err
		out = append(out, f)
	}
	return out
}
