package channels

// Meter counts what a channel does for the operator's graphs (internal/meter implements it).
type Meter interface {
	// Sockets moves the count of open sockets of kind ("visitor") by delta.
	Sockets(kind string, delta int)
}

// NoMeter counts nothing: what a channel uses when Env has no Meter.
type NoMeter struct{}

// Sockets does nothing.
func (NoMeter) Sockets(string, int) {}
