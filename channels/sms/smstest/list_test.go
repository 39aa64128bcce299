package smstest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/channels/sms/smstest"
)

// listPage is the part of Twilio's list answer the test reads.
type listPage struct {
	Messages []struct {
		SID  string `json:"sid"`
		To   string `json:"to"`
		Body string `json:"body"`
	} `json:"messages"`
	NextPageURI *string `json:"next_page_uri"`
	PageSize    int     `json:"page_size"`
}

func list(t *testing.T, srv *smstest.Server, path string) listPage {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(accountSID, authToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, want 200", path, resp.StatusCode)
	}
	var p listPage
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("decode list: %v", err)
	}
	return p
}

// TestServerListsMessages: the list is newest first, filtered by To, paged with a next page
// URI that leads on; a DateSent filter excludes the fake's messages, none of which was sent on.
func TestServerListsMessages(t *testing.T) {
	t.Parallel()
	srv := smstest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	for _, b := range []string{"one", "two", "three"} {
		post(t, srv, accountSID, accountSID, authToken, form(func(f url.Values) { f.Set("Body", b) }))
	}
	post(t, srv, accountSID, accountSID, authToken, form(func(f url.Values) { f.Set("To", "+14155550199") }))

	base := "/2010-04-01/Accounts/" + accountSID + "/Messages.json?"
	first := list(t, srv, base+url.Values{"To": {"+447700900123"}, "PageSize": {"2"}}.Encode())
	if len(first.Messages) != 2 || first.Messages[0].Body != "three" || first.Messages[1].Body != "two" ||
		first.NextPageURI == nil {
		t.Fatalf("first page: %+v, want three and two and a next page", first)
	}
	next := list(t, srv, *first.NextPageURI)
	if len(next.Messages) != 1 || next.Messages[0].Body != "one" || next.NextPageURI != nil {
		t.Errorf("next page: %+v, want one and no further page", next)
	}
	if p := list(t, srv, base+url.Values{"DateSent>": {"2026-01-01T00:00:00Z"}}.Encode()); len(p.Messages) != 0 {
		t.Errorf("with a DateSent filter: %d messages, want 0 (none was sent on)", len(p.Messages))
	}
	if n := srv.Lists(); n != 3 {
		t.Errorf("Lists() = %d, want 3", n)
	}
}
