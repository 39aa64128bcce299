// Package web is Parley's HTTP surface: the JSON API (/api/v1), the agent event WebSocket,
// health and metrics endpoints, and the mount point for the channels' webhook handlers.
//
// Handlers are thin: decode, call the inbox, encode. Errors are JSON {"error", "code"}, the
// body every channel answers with too (internal/httperr), with the status chosen in one table
// (errors.go). Every request body is size-capped. The public endpoints (the channels' routes,
// sign-in, password reset, surveys) admit a bounded number of requests in flight per source
// address (Config.MaxConnsPerIP, connlimit.go; 429 with Retry-After beyond), the address being
// the one withClientIP finds behind the trusted proxies.
//
// web is the HTTP surface of the inbox and of workflow's services (routing rules, SLA
// policies and reports, surveys), which cmd builds and hands it in Config: it constructs none
// of them, and it mounts the channels' routes (channels.Route) without knowing any channel.
package web
