package chat

import (
	"net"
	"syscall"
)

// setCork sets or clears TCP_CORK on a socket's connection: while it is set, the frames the
// writer writes wait in the kernel and leave together when it is cleared (or after 200 ms), so
// a reply that comes with its conversation's status change is one packet to the visitor, not
// two. Connections that are not TCP are left as they are.
func setCork(conn net.Conn, on bool) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	v := 0
	if on {
		v = 1
	}
	_ = raw.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v)
	})
}
