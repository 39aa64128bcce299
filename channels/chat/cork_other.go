//go:build !linux

package chat

import "net"

// setCork does nothing where TCP_CORK does not exist: each frame leaves on its own.
func setCork(net.Conn, bool) {}
