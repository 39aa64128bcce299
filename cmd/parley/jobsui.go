package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"
)

// jobsPrefix is where River's own UI is served (web mounts it behind the admin check).
const jobsPrefix = "/admin/jobs"

// jobsUI builds River's own UI (riverqueue.com/riverui) over the process's job client, under
// jobsPrefix, and starts its background services (its caches), which end with ctx. It works on
// a client that does not work jobs too (parley serve --jobs=false): it only reads and updates
// River's tables.
func jobsUI(ctx context.Context, client *river.Client[pgx.Tx], log *slog.Logger) (http.Handler, error) {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(client, nil),
		Logger: log.With("part", "riverui"), Prefix: jobsPrefix})
	if err != nil {
		return nil, fmt.Errorf("jobs ui: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs ui: %w", err)
	}
	return h, nil
}
