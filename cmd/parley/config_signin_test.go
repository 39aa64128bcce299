package main

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/inbox"
)

func TestTrustedProxiesAreCIDRsOrAddressesAndAnythingElseIsAClearError(t *testing.T) {
	t.Parallel()
	load := func(v string) (config, error) {
		env := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_TRUSTED_PROXIES": v}
		return loadConfig(func(k string) string { return env[k] })
	}
	c, err := load("10.0.0.0/8, 192.168.1.7  fd00::/8,10.1.2.3/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"),
		netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("10.0.0.0/8")}
	if len(c.TrustedProxies) != len(want) {
		t.Fatalf("parsed %v", c.TrustedProxies)
	}
	for i := range want {
		if c.TrustedProxies[i] != want[i] {
			t.Errorf("proxy %d: %v, want %v", i, c.TrustedProxies[i], want[i])
		}
	}
	if c, err := load(""); err != nil || len(c.TrustedProxies) != 0 {
		t.Errorf("unset: %v %v", c.TrustedProxies, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.0/8;rm"} {
		if _, err := load(bad); err == nil || !strings.Contains(err.Error(), "PARLEY_TRUSTED_PROXIES") {
			t.Errorf("%q: %v, want an error naming PARLEY_TRUSTED_PROXIES", bad, err)
		}
	}
}

func TestOIDCSettingsAreCheckedAndTheSecretMayComeFromAFile(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"DATABASE_URL": "postgres://x", "PARLEY_OIDC_ISSUER": "https://login.example.com",
		"PARLEY_OIDC_CLIENT_ID": "parley", "PARLEY_OIDC_CLIENT_SECRET": "s"}
	load := func(change map[string]string) (config, error) {
		env := map[string]string{}
		for k, v := range base {
			env[k] = v
		}
		for k, v := range change {
			env[k] = v
		}
		return loadConfig(func(k string) string { return env[k] })
	}
	c, err := load(nil)
	if err != nil || c.OIDC == nil || c.OIDC.ClientSecret != "s" || c.OIDC.JITRole != "" {
		t.Fatalf("plain: %+v %v", c.OIDC, err)
	}
	c, err = load(map[string]string{"PARLEY_OIDC_CLIENT_SECRET": "", "PARLEY_OIDC_CLIENT_SECRET_FILE": secretFile, "PARLEY_OIDC_JIT_ROLE": "agent"})
	if err != nil || c.OIDC.ClientSecret != "from-a-file" || c.OIDC.JITRole != inbox.RoleAgent {
		t.Fatalf("secret file and JIT: %+v %v", c.OIDC, err)
	}
	if c, err := load(map[string]string{"PARLEY_OIDC_ISSUER": ""}); err != nil || c.OIDC != nil {
		t.Fatalf("no issuer: %+v %v", c.OIDC, err)
	}
	for name, change := range map[string]map[string]string{
		"no client id":     {"PARLEY_OIDC_CLIENT_ID": ""},
		"no secret":        {"PARLEY_OIDC_CLIENT_SECRET": ""},
		"both secrets":     {"PARLEY_OIDC_CLIENT_SECRET_FILE": secretFile},
		"missing file":     {"PARLEY_OIDC_CLIENT_SECRET": "", "PARLEY_OIDC_CLIENT_SECRET_FILE": secretFile + ".none"},
		"bad JIT role":     {"PARLEY_OIDC_JIT_ROLE": "owner"},
		"issuer not a URL": {"PARLEY_OIDC_ISSUER": "login.example.com"},
	} {
		if _, err := load(change); err == nil || !strings.Contains(err.Error(), "PARLEY_OIDC") {
			t.Errorf("%s: %v, want an error naming the setting", name, err)
		}
	}
}
