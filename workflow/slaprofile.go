package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/parleyhq/parley/inbox"
)

// SLAProfileArgs is the job that recomputes the SLA clocks of a customer's open conversations
// after their profile changed in a way that may pick another policy (a policy per tier): the
// contact's tier or company (ContactID), or a company's tier or members (CompanyID). It fans out
// the open conversations to sla_compute jobs of computeBatch each, profileBatch conversations at
// a time, the next batch in a job of its own (after AfterID).
type SLAProfileArgs struct {
	ContactID int64 `json:"contact_id,omitempty"`
	CompanyID int64 `json:"company_id,omitempty"`
	AfterID   int64 `json:"after_id,omitempty"`
}

// Kind implements river.JobArgs.
func (SLAProfileArgs) Kind() string { return "sla_profile" }

// profileBatch is how many conversations one sla_profile job hands to sla_compute.
const profileBatch = 1000

// computeBatch is how many of them one sla_compute job refreshes, in one transaction.
const computeBatch = 64

// slaProfileWorker runs SLAProfileArgs jobs.
type slaProfileWorker struct {
	river.WorkerDefaults[SLAProfileArgs]
	e     *engine
	batch int // 0: profileBatch
}

// Work inserts, in one transaction, the sla_compute jobs of the next open conversations and,
// when there may be more, the job for the batch after them.
func (w *slaProfileWorker) Work(ctx context.Context, job *river.Job[SLAProfileArgs]) error {
	a, batch := job.Args, w.batch
	if batch == 0 {
		batch = profileBatch
	}
	whose := `c.contact_id = $1`
	id := a.ContactID
	if a.CompanyID != 0 {
		whose, id = `c.contact_id IN (SELECT k.id FROM contacts k WHERE k.company_id = $1)`, a.CompanyID
	}
	return w.e.store.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT c.id FROM conversations c
			WHERE `+whose+` AND c.status IN ('new', 'open', 'pending') AND c.id > $2 ORDER BY c.id LIMIT $3`, id, a.AfterID, batch)
		if err != nil {
			return fmt.Errorf("workflow: sla profile: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("workflow: sla profile: %w", err)
		}
		var jobs []river.InsertManyParams
		for chunk := range slices.Chunk(ids, computeBatch) {
			jobs = append(jobs, river.InsertManyParams{Args: SLAComputeArgs{ConversationIDs: chunk}})
		}
		if len(ids) == batch {
			a.AfterID = slices.Max(ids)
			jobs = append(jobs, river.InsertManyParams{Args: a})
		}
		return w.e.insert(ctx, tx, jobs)
	})
}

// profileJobs maps a profile change to the SLA recomputation it causes: a contact's new tier or
// company, a company's new tier or members.
func profileJobs(ev inbox.Event) []river.InsertManyParams {
	switch ev.Type {
	case inbox.EventContactUpdated:
		fields := fmt.Sprint(ev.Data["fields"]) // []string in the process that made the change
		if ev.ContactID != 0 && (strings.Contains(fields, "tier") || strings.Contains(fields, "company")) {
			return []river.InsertManyParams{{Args: SLAProfileArgs{ContactID: ev.ContactID}}}
		}
	case inbox.EventCompanyUpdated:
		if id := ev.DataID("company_id"); id != 0 {
			return []river.InsertManyParams{{Args: SLAProfileArgs{CompanyID: id}}}
		}
	}
	return nil
}
