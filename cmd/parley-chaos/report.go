package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// printReport writes the figures of every scenario, their notes, and the promises broken.
func printReport(w io.Writer, results []*result, took time.Duration) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tACKNOWLEDGED\tSTORED\tLOST\tDUPLICATED\tLONGEST UNAVAILABLE\tPROMISES")
	broken := 0
	for _, r := range results {
		verdict := "kept"
		if len(r.broken) > 0 {
			verdict = fmt.Sprintf("BROKEN (%d)", len(r.broken))
			broken++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", r.name, r.acked, r.stored, r.lost, r.dups,
			r.unavailable.Round(time.Millisecond), verdict)
	}
	_ = tw.Flush()
	for _, r := range results {
		fmt.Fprintf(w, "\n%s\n", r.name)
		for _, n := range r.notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
		for _, b := range r.broken {
			fmt.Fprintf(w, "  BROKEN: %s\n", b)
		}
	}
	fmt.Fprintf(w, "\nparley-chaos: %d scenarios, %d kept, %d broken, in %s\n", len(results), len(results)-broken, broken,
		took.Round(time.Second))
}

// logPatterns are the server log lines worth counting after a run.
var logPatterns = []struct{ label, substr string }{
	{"deadlocks (SQLSTATE 40P01)", "deadlock detected"},
	{"requests failed with 500", `msg="request failed"`},
	{"webhooks failed", `webhook failed`},
	{"panics", "panic"},
}

// printLogFindings counts, over the servers' logs in dir, the lines that tell why a promise broke.
func printLogFindings(w io.Writer, dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	counts := make([]int, len(logPatterns))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n") {
			for i, p := range logPatterns {
				if strings.Contains(line, p.substr) {
					counts[i]++
				}
			}
		}
	}
	var parts []string
	for i, p := range logPatterns {
		if counts[i] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[i], p.label))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "\nservers' logs: %s\n", strings.Join(parts, ", "))
	}
}
