package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/channels"
	"github.com/parleyhq/parley/webhook"
)

// webhookProblems is the Problems page's source of outgoing webhook endpoints disabled after
// failing for good: the webhook package knows its endpoints, the page knows problems, and this
// is where the two meet.
func webhookProblems(hooks *webhook.Service) channels.ProblemSource {
	return func(ctx context.Context) ([]channels.Problem, error) {
		eps, err := hooks.Endpoints(ctx)
		if err != nil {
			return nil, fmt.Errorf("webhook problems: %w", err)
		}
		var out []channels.Problem
		for _, e := range eps {
			if e.DisabledAt == nil {
				continue
			}
			out = append(out, channels.Problem{Kind: channels.ProblemWebhookDisabled, Inbox: e.URL, Since: *e.DisabledAt,
				What:   "This webhook endpoint was turned off after its deliveries kept failing; it receives no events.",
				Detail: e.DisabledReason,
				Do:     "Fix the receiver (its address, its certificate, its answer), then turn the endpoint on again on Admin → Webhooks and redeliver what it missed from its delivery log."})
		}
		return out, nil
	}
}
