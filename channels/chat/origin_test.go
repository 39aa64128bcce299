package chat

import "testing"

func TestAllowedOrigin(t *testing.T) {
	t.Parallel()
	shop := []string{"https://shop.example.com", "http://localhost:3000"}
	tests := []struct {
		name    string
		allowed []string
		origin  string
		want    bool
	}{
		{"exact", shop, "https://shop.example.com", true},
		{"host case-insensitive", shop, "https://Shop.Example.COM", true},
		{"scheme case-insensitive", shop, "HTTPS://shop.example.com", true},
		{"with port", shop, "http://localhost:3000", true},
		{"explicit default port", shop, "https://shop.example.com:443", true},
		{"configured default port", []string{"https://shop.example.com:443"}, "https://shop.example.com", true},
		{"http default port", []string{"http://shop.example.com"}, "http://shop.example.com:80", true},
		{"configured with trailing slash", []string{"https://shop.example.com/"}, "https://shop.example.com", true},
		{"configured with spaces", []string{" https://shop.example.com "}, "https://shop.example.com", true},
		{"ipv6", []string{"http://[::1]:8080"}, "http://[::1]:8080", true},
		{"ipv6 default port", []string{"https://[::1]"}, "https://[::1]:443", true},
		{"other scheme", shop, "http://shop.example.com", false},
		{"other port", shop, "http://localhost:3001", false},
		{"missing port", shop, "http://localhost", false},
		{"https on http's port", []string{"http://shop.example.com"}, "https://shop.example.com:80", false},
		{"subdomain", shop, "https://evil.shop.example.com", false},
		{"suffix trick", shop, "https://shop.example.com.evil.test", false},
		{"prefix trick", shop, "https://evilshop.example.com", false},
		{"origin with path", shop, "https://shop.example.com/page", false},
		{"origin with user info", shop, "https://a@shop.example.com", false},
		{"origin with query", shop, "https://shop.example.com?x", false},
		{"null origin", shop, "null", false},
		{"empty origin", shop, "", false},
		{"non-web scheme", []string{"file://shop.example.com"}, "file://shop.example.com", false},
		{"empty list allows none", nil, "https://shop.example.com", false},
		{"star allows any", []string{"*"}, "https://anything.test", true},
		{"star allows a missing origin", []string{"*"}, "", true},
		{"star among others", []string{"https://a.test", "*"}, "https://b.test", true},
		{"star inside an entry is literal", []string{"https://*.example.com"}, "https://shop.example.com", false},
		{"malformed entry matches nothing", []string{"https://shop.example.com/path", "::"}, "https://shop.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := AllowedOrigin(tt.allowed, tt.origin); got != tt.want {
				t.Fatalf("AllowedOrigin(%q, %q) = %v, want %v", tt.allowed, tt.origin, got, tt.want)
			}
		})
	}
}
