package email

import (
	"fmt"
	"net/url"
	"strings"
)

// OAuth2 providers an inbox may sign in with (OAuth.Provider).
const (
	// ProviderGoogle is Gmail and Google Workspace: token endpoint
	// https://oauth2.googleapis.com/token, servers imap.gmail.com and smtp.gmail.com.
	ProviderGoogle = "google"
	// ProviderMicrosoft is Outlook.com and Microsoft 365: token endpoint
	// https://login.microsoftonline.com/common/oauth2/v2.0/token, servers
	// outlook.office365.com and smtp.office365.com.
	ProviderMicrosoft = "microsoft"
	// ProviderCustom is any other provider: its token endpoint is OAuth.TokenURL.
	ProviderCustom = "custom"
)

// Providers lists the OAuth2 providers, in the order the admin form offers them.
func Providers() []string { return []string{ProviderGoogle, ProviderMicrosoft, ProviderCustom} }

// providerInfo is what Parley knows of a provider: its token endpoint and its mail servers.
type providerInfo struct {
	tokenURL, imapURL, smtpURL string
}

var providers = map[string]providerInfo{
	ProviderGoogle: {tokenURL: "https://oauth2.googleapis.com/token",
		imapURL: "imaps://imap.gmail.com:993/INBOX", smtpURL: "smtp://smtp.gmail.com:587"},
	ProviderMicrosoft: {tokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		imapURL: "imaps://outlook.office365.com:993/INBOX", smtpURL: "smtp://smtp.office365.com:587"},
}

// OAuth is how an inbox signs in to its IMAP and SMTP servers with OAuth2 (the XOAUTH2 SASL
// mechanism) in place of passwords: the provider whose token endpoint turns the inbox's refresh
// token (sealed in Secrets) into short-lived access tokens, and the app's client id. The
// client secret is sealed with the refresh token.
type OAuth struct {
	// Provider is ProviderGoogle, ProviderMicrosoft or ProviderCustom.
	Provider string `json:"provider"`
	// TokenURL is a custom provider's token endpoint (https, or http on a loopback address).
	TokenURL string `json:"token_url,omitempty"`
	// ClientID is the OAuth2 client (app) id the refresh token was issued to.
	ClientID string `json:"client_id"`
	// Tenant is Microsoft's directory (tenant) id or domain for an app registered in one
	// directory only; empty is "common", for multi-tenant apps and personal accounts.
	Tenant string `json:"tenant,omitempty"`
}

// Endpoint is the token endpoint the provider answers refreshes at.
func (o OAuth) Endpoint() string {
	if o.Provider == ProviderMicrosoft && o.Tenant != "" {
		return strings.Replace(providers[ProviderMicrosoft].tokenURL, "/common/", "/"+url.PathEscape(o.Tenant)+"/", 1)
	}
	if p, ok := providers[o.Provider]; ok {
		return p.tokenURL
	}
	return o.TokenURL
}

// validTenant reports whether t may be a Microsoft tenant: a GUID or a domain.
func validTenant(t string) bool {
	if t == "" || len(t) > 100 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// newOAuth checks an inbox's OAuth2 settings and its sealed parts: a known provider (a custom
// one with its token URL), a client id and a refresh token. Its errors name the flag or field
// at fault through field ("oauth", "oauth_token_url", "oauth_tenant", "oauth_client_id",
// "oauth_refresh_token") and say what is wrong.
func newOAuth(provider, tokenURL, tenant, clientID, refreshToken string) (OAuth, *fieldError) {
	o := OAuth{Provider: strings.ToLower(strings.TrimSpace(provider)), ClientID: strings.TrimSpace(clientID),
		Tenant: strings.TrimSpace(tenant)}
	if o.Tenant != "" && o.Provider != ProviderMicrosoft {
		return OAuth{}, &fieldError{"oauth_tenant", "is only for microsoft"}
	}
	if o.Tenant != "" && !validTenant(o.Tenant) {
		return OAuth{}, &fieldError{"oauth_tenant", "is not a directory id or domain, like contoso.onmicrosoft.com"}
	}
	switch o.Provider {
	case ProviderGoogle, ProviderMicrosoft:
		if strings.TrimSpace(tokenURL) != "" {
			return OAuth{}, &fieldError{"oauth_token_url", "is only for a custom provider; " + o.Provider + "'s is known"}
		}
	case ProviderCustom:
		u, err := url.Parse(strings.TrimSpace(tokenURL))
		switch {
		case strings.TrimSpace(tokenURL) == "":
			return OAuth{}, &fieldError{"oauth_token_url", "a custom provider needs its token endpoint, like https://login.example.com/oauth2/token"}
		case err != nil || u.Host == "" || u.User != nil || u.Fragment != "":
			return OAuth{}, &fieldError{"oauth_token_url", "is not a URL like https://login.example.com/oauth2/token"}
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return OAuth{}, &fieldError{"oauth_token_url", "must be https:// (http:// only for a server on this machine): the refresh token is sent to it"}
		case u.Scheme != "https" && u.Scheme != "http":
			return OAuth{}, &fieldError{"oauth_token_url", fmt.Sprintf("scheme %q is not https", u.Scheme)}
		}
		o.TokenURL = u.String()
	default:
		return OAuth{}, &fieldError{"oauth", fmt.Sprintf("%q is not one of %s", provider, strings.Join(Providers(), ", "))}
	}
	if o.ClientID == "" {
		return OAuth{}, &fieldError{"oauth_client_id", "is required: the id of the app the refresh token was issued to"}
	}
	if strings.TrimSpace(refreshToken) == "" {
		return OAuth{}, &fieldError{"oauth_refresh_token", "is required"}
	}
	return o, nil
}

// fieldError is a bad value of one form field or command-line flag.
type fieldError struct {
	field, reason string
}

func (e *fieldError) Error() string { return e.field + ": " + e.reason }

// xoauth2 is the client side of the XOAUTH2 SASL mechanism (Google's and Microsoft's, which
// go-sasl does not have): the initial response is "user=USER\x01auth=Bearer TOKEN\x01\x01". A
// server refusing the token answers with a challenge holding its error (JSON); the client
// answers it with an empty response and the server then fails the exchange.
type xoauth2 struct {
	user, token string
	// refusal is the server's error challenge, kept for the message.
	refusal string
}

// Start implements sasl.Client.
func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next implements sasl.Client: a challenge is the server's refusal.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.refusal = string(challenge)
	return []byte{}, nil
}
