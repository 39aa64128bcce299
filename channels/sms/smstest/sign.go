package smstest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
)

// Sign computes the X-Twilio-Signature Twilio sends with a form posted to
// fullURL, as Twilio documents it: the URL followed by every form key and
// its value, keys in sorted order (a repeated key once per value, values
// sorted), signed with HMAC-SHA1 keyed by the auth token and encoded in
// standard base64.
func Sign(authToken, fullURL string, form url.Values) string {
	var data strings.Builder
	data.WriteString(fullURL)
	for _, key := range slices.Sorted(maps.Keys(form)) {
		for _, v := range slices.Sorted(slices.Values(form[key])) {
			data.WriteString(key)
			data.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(data.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewSignedRequest returns an incoming server request posting form to
// fullURL as Twilio does, signed with authToken, for calling a handler
// directly. Its URL path and query are those of fullURL.
func NewSignedRequest(authToken, fullURL string, form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, fullURL, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", Sign(authToken, fullURL, form))
	return r
}
