// Package webhook sends Parley's change events to other systems: admins register endpoints (a
// URL, the event types it wants, a secret), and every matching event is POSTed to it as JSON,
// signed with the header
//
//	X-Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>
//
// The events come from the one place they are produced, inbox's Publish: the workflow's
// Enqueuer calls PlanTx on the change's own transaction, which inserts one delivery row per
// event and subscribed endpoint and returns the River jobs that send them, so a delivery exists
// exactly when its event does. The job (deliverWorker) retries with exponential backoff for 24
// hours, records each attempt's outcome in the delivery log (status, response code, a bounded
// excerpt of the response body, duration), and when a delivery gives up the endpoint is
// disabled (disabled_at) until an admin enables it again. An admin may redeliver any delivery.
//
// Addresses are checked when the connection is made, after DNS resolution: a private, loopback,
// link-local or otherwise non-public address is refused unless AllowPrivate is set
// (PARLEY_WEBHOOK_ALLOW_PRIVATE).
//
// A reply on the API channel has no provider: it reaches the integration as a message.created
// delivery, and that delivery's success marks it sent (its failure for good, failed).
//
// The package owns the tables webhook_endpoints and webhook_deliveries. Errors match
// inbox.ErrInvalid (a *inbox.ValidationError) and inbox.ErrNotFound.
package webhook
