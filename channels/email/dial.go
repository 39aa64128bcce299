package email

import (
	"context"
	"net"
	"time"
)

// Dialer opens a TCP connection to addr; tests inject one to reach their loopback fakes under
// another address. nil means a net.Dialer with the configured timeout.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// dialWith returns d, or a net.Dialer bounded by timeout when d is nil.
func dialWith(d Dialer, timeout time.Duration) Dialer {
	if d != nil {
		return d
	}
	nd := net.Dialer{Timeout: timeout}
	return nd.DialContext
}

// onLoopback reports whether a connection's far end is this machine: the only place a
// password may travel unencrypted. It looks at the address actually connected to, not at the
// host name the URL gave.
func onLoopback(conn net.Conn) bool {
	addr, ok := conn.RemoteAddr().(*net.TCPAddr)
	return ok && addr.IP.IsLoopback()
}
