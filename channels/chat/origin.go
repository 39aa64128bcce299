package chat

import (
	"net"
	"net/url"
	"strings"
)

// AllowedOrigin reports whether a browser at origin (the request's Origin header) may
// open a visitor socket, given an inbox's allowed origins such as
// "https://shop.example.com" or "http://localhost:3000". Scheme, host and port must match
// exactly; the host compares case-insensitively and a default port (80 for http, 443 for
// https) may be written or left out. An entry of "*" allows every origin, and only an
// explicit "*" does: an empty list allows none. A missing, "null" or malformed origin
// is refused unless "*" is configured. Malformed entries match nothing.
func AllowedOrigin(allowed []string, origin string) bool {
	want, ok := canonicalOrigin(origin)
	for _, a := range allowed {
		a = strings.TrimSpace(a)
		if a == "*" {
			return true
		}
		if !ok {
			continue
		}
		if got, aok := canonicalOrigin(a); aok && got == want {
			return true
		}
	}
	return false
}

// canonicalOrigin returns s as "scheme://host[:port]" with a lower-case host and no
// default port, or false when s is not an http or https origin. A trailing "/" is
// tolerated; any other path, a query, a fragment or user info is not.
func canonicalOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		u.ForceQuery || (u.Path != "" && u.Path != "/") {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return "", false
	}
	switch {
	case u.Scheme == "http" && (port == "" || port == "80"):
		port = ""
	case u.Scheme == "https" && (port == "" || port == "443"):
		port = ""
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false
	}
	if port == "" {
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return u.Scheme + "://" + host, true
	}
	return u.Scheme + "://" + net.JoinHostPort(host, port), true
}
