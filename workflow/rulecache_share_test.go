package workflow

import (
	"testing"

	"github.com/parleyhq/parley/channels"
)

// A process's route worker compiles the rules into the cache of the Enqueuer that routes at
// the ingest (Config.Enqueuer), so that a change of the rules is compiled once; without one it
// keeps a cache of its own.
func TestTheRouteWorkerSharesTheEnqueuersCompiledRules(t *testing.T) {
	env := newSLAEnv(t)
	e, err := NewEnqueuer(env.pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, shared := range []bool{true, false} {
		cfg := Config{Pool: env.pool, Store: env.store}
		if shared {
			cfg.Enqueuer = e
		}
		ws, err := Workers(cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := channels.Find[RouteArgs](ws)
		if !ok {
			t.Fatal("no route worker")
		}
		rw := w.(*routeWorker)
		if rules := rw.rules; rules == nil || (rules == &e.rules) != shared {
			t.Errorf("Enqueuer given %v: the route worker's cache is %p, the Enqueuer's %p", shared, rules, &e.rules)
		}
	}
}
