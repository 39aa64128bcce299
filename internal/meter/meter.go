// Package meter holds the Prometheus series an operator graphs beside the web layer's request
// latencies: messages in and out by channel and result, ingest batch sizes, River's queue depth
// and job latency by kind, SLA warnings and breaches, open visitor sockets and outgoing webhook
// deliveries. cmd builds one Meter on the process's registry and hands it to each part, which
// declares the small interface it needs (inbox.Meter, workflow.Meter, channels.Meter). A nil
// *Meter counts nothing, so parts built without one (tests) need no checks.
package meter

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Meter is the process's operational series.
type Meter struct {
	inbound  *prometheus.CounterVec
	outbound *prometheus.CounterVec
	batch    prometheus.Histogram
	sla      *prometheus.CounterVec
	sockets  *prometheus.GaugeVec
	jobWait  *prometheus.HistogramVec
	jobRun   *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	webhooks *prometheus.CounterVec
}

// latencyBuckets span a fast job (a few ms) to a slow provider call (a minute).
func latencyBuckets() []float64 {
	return []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
}

// New registers the series on reg and returns the Meter that moves them.
func New(reg prometheus.Registerer) *Meter {
	m := &Meter{
		inbound: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_inbound_messages_total",
			Help: "Inbound messages by channel and result (stored, duplicate, failed)."}, []string{"channel", "result"}),
		outbound: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_outbound_messages_total",
			Help: "Outbound messages by channel and delivery result (sent, delivered, failed, undelivered)."}, []string{"channel", "result"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "parley_ingest_batch_size",
			Help: "Messages stored per group-commit transaction.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128}}),
		sla: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_sla_events_total",
			Help: "SLA warnings and breaches announced, by event (sla.warning, sla.breach)."}, []string{"event"}),
		sockets: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "parley_open_sockets",
			Help: "WebSockets open in this process, by kind (visitor; agents are parley_event_sockets)."}, []string{"kind"}),
		jobWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "parley_job_queue_wait_seconds",
			Help: "Time River jobs waited between becoming available and being worked, by kind.", Buckets: latencyBuckets()}, []string{"kind"}),
		jobRun: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "parley_job_run_seconds",
			Help: "Time River jobs took to work, by kind.", Buckets: latencyBuckets()}, []string{"kind"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_jobs_total",
			Help: "River jobs worked in this process, by kind and outcome (completed, failed, cancelled, snoozed)."}, []string{"kind", "result"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "parley_webhook_deliveries_total",
			Help: "Outgoing webhook deliveries by result (delivered, failed, disabled)."}, []string{"result"}),
	}
	reg.MustRegister(m.inbound, m.outbound, m.batch, m.sla, m.sockets, m.jobWait, m.jobRun, m.jobs, m.webhooks)
	return m
}

// Inbound counts one inbound message of channel with result.
func (m *Meter) Inbound(channel, result string) {
	if m != nil {
		m.inbound.WithLabelValues(channel, result).Inc()
	}
}

// IngestBatch records the size of one group-commit transaction.
func (m *Meter) IngestBatch(n int) {
	if m != nil {
		m.batch.Observe(float64(n))
	}
}

// Outbound counts one outbound message of channel reaching delivery status result.
func (m *Meter) Outbound(channel, result string) {
	if m != nil {
		m.outbound.WithLabelValues(channel, result).Inc()
	}
}

// SLA counts one SLA warning or breach (the inbox event type).
func (m *Meter) SLA(event string) {
	if m != nil {
		m.sla.WithLabelValues(event).Inc()
	}
}

// Sockets moves the count of open sockets of kind by delta.
func (m *Meter) Sockets(kind string, delta int) {
	if m != nil {
		m.sockets.WithLabelValues(kind).Add(float64(delta))
	}
}

// Job records one worked River job: its kind, outcome, wait in the queue and run time.
func (m *Meter) Job(kind, result string, wait, run time.Duration) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(kind, result).Inc()
	m.jobWait.WithLabelValues(kind).Observe(wait.Seconds())
	m.jobRun.WithLabelValues(kind).Observe(run.Seconds())
}

// ObserveWebhookDelivery counts one outgoing webhook delivery attempt's result (webhook.Metrics).
// The attempt's duration is in the delivery log; the counter is what an operator graphs.
func (m *Meter) ObserveWebhookDelivery(result string, _ time.Duration) {
	if m != nil {
		m.webhooks.WithLabelValues(result).Inc()
	}
}

// QueueCount is how many jobs of one queue, kind and state wait or run.
type QueueCount struct {
	Queue, Kind, State string
	Count              int64
}

// queueDepth is a collector that asks for the queue depth at each scrape.
type queueDepth struct {
	desc  *prometheus.Desc
	count func(ctx context.Context) ([]QueueCount, error)
}

// WatchQueues registers parley_queue_jobs on reg: at each scrape it calls count (bounded to 2
// seconds) for the jobs waiting or running by queue, kind and state. A failed count exports
// nothing for that scrape.
func WatchQueues(reg prometheus.Registerer, count func(ctx context.Context) ([]QueueCount, error)) error {
	return reg.Register(&queueDepth{count: count, desc: prometheus.NewDesc("parley_queue_jobs",
		"River jobs not yet finished, by queue, kind and state (available, scheduled, retryable, running).",
		[]string{"queue", "kind", "state"}, nil)})
}

// Describe implements prometheus.Collector.
func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

// Collect implements prometheus.Collector.
func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := q.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, err)
		return
	}
	for _, c := range counts {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(c.Count), c.Queue, c.Kind, c.State)
	}
}
