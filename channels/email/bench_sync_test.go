package email_test

import (
	"fmt"
	"testing"
)

// BenchmarkSync measures the fetch path end to end: b.N messages waiting in the mailbox are
// fetched over IMAP, parsed, ingested one transaction each (with their source and the sync
// position) and marked \Seen. It reports messages per second.
func BenchmarkSync(b *testing.B) {
	e := setup(b, envOptions{})
	for i := range b.N {
		e.imap.Append(b, customerMail(fmt.Sprintf("bench%d@customer.example", i), fmt.Sprintf("c%d@customer.example", i%50),
			"Where is my order?", "Hello,\r\n\r\nmy order has not arrived yet.\r\n\r\nThanks,\r\nA customer"))
	}
	b.ResetTimer()
	e.poll()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if n := e.count(`SELECT count(*) FROM messages`); n != b.N {
		b.Fatalf("%d messages stored, want %d", n, b.N)
	}
}
