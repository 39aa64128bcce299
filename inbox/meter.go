package inbox

// Meter counts what the store does for the operator's graphs (internal/meter implements it).
type Meter interface {
	// Inbound counts one inbound message of channel: "stored", "duplicate" or "failed".
	Inbound(channel, result string)
	// IngestBatch records how many messages one group-commit transaction stored.
	IngestBatch(n int)
	// Outbound counts an outbound message of channel reaching a delivery status (sent,
	// delivered, failed, undelivered).
	Outbound(channel, result string)
}

// noMeter counts nothing: the store's Meter when Options has none.
type noMeter struct{}

func (noMeter) Inbound(string, string)  {}
func (noMeter) IngestBatch(int)         {}
func (noMeter) Outbound(string, string) {}

// ingestResult names an ingest's outcome for the Meter.
func ingestResult(res IngestResult, err error) string {
	switch {
	case err != nil:
		return "failed"
	case res.Duplicate:
		return "duplicate"
	}
	return "stored"
}
