package main

import (
	"net/http"
	"time"

	"github.com/parleyhq/parley/internal/netlimit"
)

// httpLimits bound what one client may hold of the server: how long it may take to send its
// headers and then its whole request, how long an idle keep-alive connection stays open, and
// how large its headers may be, and how long a response may wait for a client that does not read
// it (Write, moved along with each write: netlimit.WriteTimeout). WebSocket connections are not
// cut by them: the upgrade clears the connection's deadlines, and the sockets keep their own
// (pings, write deadlines).
type httpLimits struct {
	ReadHeader, Read, Idle, Write time.Duration
	MaxHeaderBytes                int
}

// serverLimits are the limits of parley serve's listeners: a request body trickled a byte at a
// time is cut after Read; no body Parley accepts (1 MiB at most) needs that long. A client
// that reads nothing of its response for Write loses its connection; a CSV export it reads
// goes on as long as it takes.
func serverLimits() httpLimits {
	return httpLimits{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Idle: 2 * time.Minute, Write: time.Minute,
		MaxHeaderBytes: 64 << 10}
}

// newHTTPServer is an http.Server for h with the limits l.
func newHTTPServer(h http.Handler, l httpLimits) *http.Server {
	return &http.Server{Handler: netlimit.WriteTimeout(h, l.Write), ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read, IdleTimeout: l.Idle,
		MaxHeaderBytes: l.MaxHeaderBytes}
}
