package inbox

import (
	"context"
	"fmt"
)

// ExportedContact is one contact of an export: the list's row with the notes and custom
// attributes, which an import reads back.
type ExportedContact struct {
	ContactRow
	Notes      string
	Attributes map[string]any
}

// ExportContacts calls each, newest first, for every contact of q (its filters; its cursor and
// limit are ignored) that the viewer may see, a page of the list at a time, so that a long list
// never sits in memory. It stops at each's first error and returns it.
func (sc Scope) ExportContacts(ctx context.Context, q ContactQuery, each func(ExportedContact) error) error {
	q.Cursor, q.Limit = "", 100
	for {
		page, err := sc.ListContacts(ctx, q)
		if err != nil {
			return err
		}
		ids := make([]int64, len(page.Contacts))
		for i, c := range page.Contacts {
			ids[i] = c.ID
		}
		extra := map[int64]ExportedContact{}
		rows, err := sc.s.pool.Query(ctx, `SELECT id, notes, attributes FROM contacts WHERE id = ANY($1)`, ids)
		if err != nil {
			return fmt.Errorf("inbox: export contacts: %w", err)
		}
		for rows.Next() {
			var id int64
			var x ExportedContact
			if err := rows.Scan(&id, &x.Notes, &x.Attributes); err != nil {
				rows.Close()
				return fmt.Errorf("inbox: export contacts: %w", err)
			}
			extra[id] = x
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("inbox: export contacts: %w", err)
		}
		for _, c := range page.Contacts {
			x := extra[c.ID]
			x.ContactRow = c
			if err := each(x); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}
