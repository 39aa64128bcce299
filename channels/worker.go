package channels

import (
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// Worker is the River worker of one job kind, as a channel (or workflow) offers it to the
// River client that cmd/parley builds. Make one with NewWorker.
type Worker struct {
	worker  any
	add     func(*river.Workers) error
	timeout func() time.Duration
}

// NewWorker wraps w, the worker of T's jobs.
func NewWorker[T river.JobArgs](w river.Worker[T]) Worker {
	return Worker{worker: w, add: func(ws *river.Workers) error { return river.AddWorkerSafely(ws, w) },
		timeout: func() time.Duration { return w.Timeout(&river.Job[T]{}) }}
}

// Timeout is the worker's own job timeout (its Timeout method for a zero job); 0 means the
// client's, JobTimeout.
func (w Worker) Timeout() time.Duration {
	if w.timeout == nil {
		return 0
	}
	return w.timeout()
}

// Register adds the worker to ws. A kind registered twice, or a zero Worker, is an error.
func (w Worker) Register(ws *river.Workers) error {
	if w.add == nil {
		return errors.New("channels: register: a zero Worker")
	}
	return w.add(ws)
}

// Find returns the worker of T's jobs among ws, if there is one. Tests hand it to
// rivertest.NewWorker to work single jobs with the very worker a server registers.
func Find[T river.JobArgs](ws []Worker) (river.Worker[T], bool) {
	for _, w := range ws {
		if found, ok := w.worker.(river.Worker[T]); ok {
			return found, true
		}
	}
	return nil, false
}
