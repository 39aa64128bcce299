package netlimit

import (
	"context"
	"net"
	"net/http"
	"net/netip"
)

type clientKey struct{}

// WithClient returns ctx carrying ip, the address a request came from (the peer's, or the one
// a trusted proxy forwarded).
func WithClient(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientKey{}, ip)
}

// Client is the address r came from: the one WithClient put in its context, otherwise the
// peer's.
func Client(r *http.Request) string {
	if ip, ok := r.Context().Value(clientKey{}).(string); ok {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SourceKey is what an address is counted under: itself, or its /64 for IPv6 (one host usually
// holds a whole /64).
func SourceKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
