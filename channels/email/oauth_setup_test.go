package email_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/channels/email/emailtest"
	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/dbtest"
)

// oauthServers are a store, a token endpoint and the IMAP server and SMTP sink that take its
// access tokens over XOAUTH2.
func oauthServers(t *testing.T) (*inbox.Store, *emailtest.TokenServer, *emailtest.IMAPServer, *emailtest.SMTPSink) {
	t.Helper()
	ts := emailtest.NewTokenServer(t, refreshToken)
	imapSrv := emailtest.NewIMAPServer(t, emailtest.IMAPOptions{NoIdle: true})
	imapSrv.AcceptOAuth(ts.Check)
	return inbox.New(dbtest.Pool(t), inbox.Options{SecretKey: secretKey}), ts, imapSrv,
		emailtest.NewSMTPSink(t, emailtest.SMTPOptions{OAuth: ts.Check})
}

// addEmail runs `parley inbox add email` with args and stdin on store.
func addEmail(store *inbox.Store, stdin string, args ...string) (inbox.NewInbox, error) {
	env := channels.SetupEnv{Stdin: strings.NewReader(stdin), Stdout: io.Discard, Stderr: io.Discard,
		Open: func(context.Context) (channels.Setup, error) {
			return channels.Setup{Store: store, SecretKey: secretKey}, nil
		}}
	return email.NewChannel().AddInbox(context.Background(), env, args)
}

// TestAddInboxWithOAuth: `parley inbox add email --oauth google`, its secrets on stdin, makes an
// inbox whose mailbox syncs over XOAUTH2 with a token from Google's token endpoint; left out,
// the servers are Google's and Microsoft's; bad flags are refused naming what is wrong.
func TestAddInboxWithOAuth(t *testing.T) {
	ctx := context.Background()
	store, ts, imapSrv, sink := oauthServers(t)

	ni, err := addEmail(store, ts.ClientSecret+"\n"+refreshToken+"\n", "--name", "Gmail", "--address", "support@example.com",
		"--oauth", "google", "--oauth-client-id", ts.ClientID, "--imap-url", "imap://"+imapSrv.Addr()+"/INBOX",
		"--smtp-url", "smtp://"+sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	in, err := store.CreateInbox(ctx, ni)
	if err != nil {
		t.Fatal(err)
	}
	imapSrv.Append(t, customerMail("oauth-cli@customer.example", "carol@customer.example", "Hello", "Signed in?"))
	fetcher := email.NewFetcher(email.FetcherConfig{Store: store, SecretKey: secretKey, HTTPClient: ts.Client()})
	if _, err := fetcher.Poll(ctx, in.ID); err != nil {
		t.Fatalf("poll of the new inbox: %v", err)
	}
	if n := imapSrv.OAuthLogins(); n != 1 || ts.Refreshes() != 1 || ts.URLs()[0] != "https://oauth2.googleapis.com/token" {
		t.Fatalf("%d XOAUTH2 logins, %d refreshes at %v", n, ts.Refreshes(), ts.URLs())
	}
	checks := email.NewAdmin(store, email.AdminConfig{HTTPClient: ts.Client()}).TestConnection(ctx, oauthForm(imapSrv, sink, ts))
	for _, c := range checks {
		if !c.OK {
			t.Errorf("connection test of the OAuth2 form: %s failed: %s", c.Name, c.Detail)
		}
	}
	if len(checks) != 3 {
		t.Errorf("checks %+v, want OAuth2, IMAP and SMTP", checks)
	}

	for provider, want := range map[string][3]string{
		"google":    {"imap.gmail.com", "smtp.gmail.com", "https://oauth2.googleapis.com/token"},
		"microsoft": {"outlook.office365.com", "smtp.office365.com", "https://login.microsoftonline.com/common/oauth2/v2.0/token"},
		"microsoft --oauth-tenant contoso.onmicrosoft.com": {"outlook.office365.com", "smtp.office365.com",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"},
	} {
		flags := strings.Fields(provider)
		name := strings.ReplaceAll(provider, " ", "")
		ni, err := addEmail(store, "", append([]string{"--name", name, "--address", "help@" + flags[0] + ".example", "--oauth-client-id", "app",
			"--oauth-public-client", "--oauth-refresh-token", "rt", "--oauth"}, flags...)...)
		if err != nil {
			t.Fatalf("%s: %v", provider, err)
		}
		s := ni.Settings.(email.Settings)
		if s.IMAP.Host != want[0] || s.IMAP.Port != 993 || s.IMAP.Security != email.SecurityTLS || s.SMTP.Host != want[1] ||
			s.SMTP.Port != 587 || s.IMAP.Username != "help@"+flags[0]+".example" || s.SMTP.Username != s.IMAP.Username ||
			s.OAuth == nil || s.OAuth.Provider != flags[0] || s.OAuth.Endpoint() != want[2] {
			t.Errorf("%s: settings %+v %+v", provider, s, s.OAuth)
		}
	}

	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"s\nrt\n", []string{"--oauth", "yahoo", "--oauth-client-id", "app"}, `"yahoo" is not one of google, microsoft, custom`},
		{"s\nrt\n", []string{"--oauth", "google"}, "--oauth-client-id: is required"},
		{"s\nrt\n", []string{"--oauth", "custom", "--oauth-client-id", "app"}, "--oauth-token-url: a custom provider needs its token endpoint"},
		{"s\nrt\n", []string{"--oauth", "custom", "--oauth-client-id", "app", "--oauth-token-url", "http://login.example.com/token",
			"--imap-url", "imaps://mail.example.com", "--smtp-url", "smtp://mail.example.com"}, "must be https://"},
		{"s\nrt\n", []string{"--oauth", "custom", "--oauth-client-id", "app", "--oauth-token-url", "https://login.example.com/token"},
			"needs --imap-url and --smtp-url"},
		{"s\nrt\n", []string{"--oauth", "google", "--oauth-client-id", "app", "--imap-url", "imaps://me:password@imap.gmail.com"},
			"carry no password"},
		{"s\n", []string{"--oauth", "google", "--oauth-client-id", "app"}, "no --oauth-refresh-token given"},
		{"s\nrt\n", []string{"--oauth", "google", "--oauth-client-id", "app", "--oauth-tenant", "contoso"}, "--oauth-tenant: is only for microsoft"},
		{"s\nrt\n", []string{"--oauth", "microsoft", "--oauth-client-id", "app", "--oauth-tenant", "../evil"}, "--oauth-tenant: is not a directory id"},
		{"", []string{"--oauth", "google", "--oauth-client-id", "app", "--oauth-public-client", "--oauth-client-secret", "s",
			"--oauth-refresh-token", "rt"}, "--oauth-public-client has no --oauth-client-secret"},
	} {
		args := append([]string{"--name", "Bad", "--address", "bad@example.com"}, c.args...)
		if _, err := addEmail(store, c.stdin, args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("inbox add email %s: %v, want an error saying %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// oauthForm is the web admin's form for an inbox signing in with OAuth2 at Google to the given
// servers.
func oauthForm(imapSrv *emailtest.IMAPServer, sink *emailtest.SMTPSink, ts *emailtest.TokenServer) channels.Form {
	f := adminForm(imapSrv, sink, "", "", "")
	imapHost, imapPort, _ := net.SplitHostPort(imapSrv.Addr())
	f.Values["address"], f.Values["imap_host"], f.Values["imap_port"] = imapSrv.User, imapHost, imapPort
	f.Values["auth"], f.Values["oauth_provider"], f.Values["oauth_client_id"] = email.AuthOAuth2, email.ProviderGoogle, ts.ClientID
	f.Values["oauth_client_secret"], f.Values["oauth_refresh_token"] = ts.ClientSecret, refreshToken
	return f
}

// TestAdminOAuthForm: the admin form chooses OAuth2 sign-in: Build keeps the provider and the
// client id as settings and seals the secrets, an edit with the secrets left blank keeps them,
// a bad field is named, and the connection test of a revoked grant says the provider refused it
// without trying the servers.
func TestAdminOAuthForm(t *testing.T) {
	ctx := context.Background()
	store, ts, imapSrv, sink := oauthServers(t)
	admin := email.NewAdmin(store, email.AdminConfig{HTTPClient: ts.Client()})

	b, err := admin.Build(ctx, oauthForm(imapSrv, sink, ts))
	if err != nil {
		t.Fatal(err)
	}
	s, sec := b.Inbox.Settings.(email.Settings), b.Inbox.Secrets.(email.Secrets)
	if s.OAuth == nil || s.OAuth.Provider != email.ProviderGoogle || s.OAuth.ClientID != ts.ClientID || s.SMTP.Username != imapSrv.User ||
		sec.OAuthRefreshToken != refreshToken || sec.OAuthClientSecret != ts.ClientSecret || sec.IMAPPassword != "" {
		t.Fatalf("built %+v %+v", s, sec)
	}
	in, err := store.CreateInbox(ctx, b.Inbox)
	if err != nil {
		t.Fatal(err)
	}
	values, err := admin.Values(in)
	if err != nil || values["auth"] != email.AuthOAuth2 || values["oauth_provider"] != "google" || values["oauth_client_id"] != ts.ClientID {
		t.Fatalf("values %v, %v", values, err)
	}
	for k, v := range values {
		if strings.Contains(v, refreshToken) || strings.Contains(v, ts.ClientSecret) {
			t.Errorf("value %s shows a secret", k)
		}
	}
	edit := oauthForm(imapSrv, sink, ts)
	edit.Values["oauth_client_secret"], edit.Values["oauth_refresh_token"] = "", ""
	edit.Current, edit.OpenSecrets = &in, func(v any) error { return store.OpenSecrets(in, v) }
	if b, err := admin.Build(ctx, edit); err != nil || b.Inbox.Secrets.(email.Secrets).OAuthRefreshToken != refreshToken {
		t.Fatalf("edit with blank secrets: %+v, %v", b.Inbox.Secrets, err)
	}

	for field, value := range map[string]string{"oauth_client_id": "", "oauth_provider": "yahoo", "oauth_refresh_token": ""} {
		f := oauthForm(imapSrv, sink, ts)
		f.Values[field] = value
		var ve *inbox.ValidationError
		if _, err := admin.Build(ctx, f); !errors.As(err, &ve) || ve.Field != field {
			t.Errorf("Build with %s=%q: %v, want a validation error on it", field, value, err)
		}
	}
	f := oauthForm(imapSrv, sink, ts)
	f.Values["oauth_provider"] = email.ProviderCustom
	var ve *inbox.ValidationError
	if _, err := admin.Build(ctx, f); !errors.As(err, &ve) || ve.Field != "oauth_token_url" {
		t.Errorf("a custom provider without its token URL: %v", err)
	}

	ts.RevokeGrant()
	checks := admin.TestConnection(ctx, oauthForm(imapSrv, sink, ts))
	if len(checks) != 1 || checks[0].OK || checks[0].Name != "OAuth2" || !strings.Contains(checks[0].Detail, "invalid_grant") {
		t.Fatalf("connection test of a revoked grant: %+v", checks)
	}
	if imapSrv.Logins() != 0 || len(sink.OAuthUsers()) != 0 {
		t.Fatal("the servers were tried without a token")
	}
}
