package email

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/inbox"
)

// How an inbox signs in to its servers (the admin form's "auth" field).
const (
	// AuthPassword signs in with the IMAP and SMTP passwords.
	AuthPassword = "password"
	// AuthOAuth2 signs in with OAuth2 access tokens (XOAUTH2) obtained with a refresh token.
	AuthOAuth2 = "oauth2"
)

// oauthFields are the admin form's OAuth2 fields, read when "auth" is AuthOAuth2.
func oauthFields() []channels.Field {
	only := " Only with oauth2 sign-in."
	fields := []channels.Field{
		{Name: "oauth_provider", Label: "OAuth2 provider", Type: "select", Options: Providers(),
			Help: "google: Gmail and Google Workspace; microsoft: Outlook.com and Microsoft 365; custom: give the token URL." + only},
		{Name: "oauth_token_url", Label: "OAuth2 token URL", Type: "url", Placeholder: "https://login.example.com/oauth2/token",
			Help: "The provider's token endpoint, for a custom provider only."},
		{Name: "oauth_tenant", Label: "Microsoft tenant", Placeholder: "contoso.onmicrosoft.com",
			Help: "For an app registered in one Microsoft directory only: its directory (tenant) id or domain. Blank: common."},
		{Name: "oauth_client_id", Label: "OAuth2 client id", Help: "The id of the app the refresh token was issued to." + only},
		{Name: "oauth_client_secret", Label: "OAuth2 client secret", Type: "password", Secret: true,
			Help: "The app's secret; blank for a public client." + only},
		{Name: "oauth_refresh_token", Label: "OAuth2 refresh token", Type: "password", Secret: true,
			Help: "Given by the provider when the mailbox's owner granted the app mail access (IMAP and SMTP)." + only},
	}
	for i := range fields {
		fields[i].ShowIf = "auth=" + AuthOAuth2
	}
	return fields
}

// oauthValues adds the OAuth2 fields of s to the form's values v.
func oauthValues(s Settings, v map[string]string) {
	v["auth"] = AuthPassword
	if s.OAuth == nil {
		return
	}
	v["auth"] = AuthOAuth2
	v["oauth_provider"], v["oauth_token_url"], v["oauth_client_id"] = s.OAuth.Provider, s.OAuth.TokenURL, s.OAuth.ClientID
	v["oauth_tenant"] = s.OAuth.Tenant
}

// formOAuth reads the OAuth2 fields: the settings, the client secret and the refresh token
// (blank secrets of an edited inbox keep the saved ones).
func formOAuth(f channels.Form, saved Secrets) (*OAuth, string, string, error) {
	secret, refresh := f.Get("oauth_client_secret"), f.Get("oauth_refresh_token")
	if f.Current != nil && secret == "" {
		secret = saved.OAuthClientSecret
	}
	if f.Current != nil && refresh == "" {
		refresh = saved.OAuthRefreshToken
	}
	o, fe := newOAuth(f.Get("oauth_provider"), f.Get("oauth_token_url"), f.Get("oauth_tenant"), f.Get("oauth_client_id"), refresh)
	if fe != nil {
		field := fe.field
		if field == "oauth" {
			field = "oauth_provider"
		}
		return nil, "", "", &inbox.ValidationError{Field: field, Reason: fe.reason}
	}
	return &o, secret, refresh, nil
}

// testOAuth asks the provider for an access token with the form's refresh token, once (the
// token is not kept), and returns it with the check saying how it went.
func (a *Admin) testOAuth(ctx context.Context, o *OAuth, sec Secrets) (string, channels.Check) {
	c := channels.Check{Name: "OAuth2"}
	client := a.cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: a.cfg.TestTimeout}
	}
	tok, err := refreshAt(ctx, client, o, sec.OAuthClientSecret, sec.OAuthRefreshToken)
	if err != nil {
		c.Detail = plainError(err)
		if ctx.Err() != nil {
			c.Detail = fmt.Sprintf("%s did not answer within %s", o.Endpoint(), a.cfg.TestTimeout)
		}
		return "", c
	}
	c.OK, c.Detail = true, fmt.Sprintf("%s gave an access token for the refresh token", o.Endpoint())
	return tok.AccessToken, c
}
