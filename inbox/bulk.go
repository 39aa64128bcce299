package inbox

import (
	"context"
	"fmt"
	"time"
)

// bulkBatch is how many conversations one SeedBulk statement inserts.
const bulkBatch = 20000

// SeedBulk adds n synthetic conversations for benchmarks and demos: one contact with an email
// identity per conversation (a phone too for every other one; a tier, tags and one of twenty
// companies for some), five messages each (alternating customer and agent, all inbound while a
// conversation is new), spread over the 90 days before now (all activity ends before now),
// across every channel and status, assigned round-robin to assignees (none when empty), in
// teams (bulkTeams). It is set-based (generate_series
// in data-modifying CTEs), one transaction per batch of bulkBatch conversations, and calls
// progress with the running total after each batch. Values are derived from row ids by hashing,
// so two runs produce the same shapes.
func (s *Store) SeedBulk(ctx context.Context, n int, assignees []int64, progress func(done int)) error {
	if n < 0 {
		return fmt.Errorf("inbox: seed: %w", invalid("conversations", "must not be negative"))
	}
	if assignees == nil {
		assignees = []int64{}
	}
	companies, err := s.bulkCompanies(ctx)
	if err != nil {
		return err
	}
	teams, err := s.bulkTeams(ctx, assignees)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Second)
	for done := 0; done < n; {
		b := min(bulkBatch, n-done)
		if _, err := s.pool.Exec(ctx, bulkSQL, now, b, assignees, companies, teams); err != nil {
			return fmt.Errorf("inbox: seed: %w", err)
		}
		done += b
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// bulkCompanies makes sure the seed's twenty companies exist and returns their ids.
func (s *Store) bulkCompanies(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.pool.QueryRow(ctx, `WITH ins AS (
		INSERT INTO companies (name) SELECT 'Bulk Company ' || g FROM generate_series(1, 20) g
		ON CONFLICT DO NOTHING RETURNING id)
		SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM ins UNION SELECT id FROM companies WHERE name LIKE 'Bulk Company %') x`).Scan(&ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: seed: companies: %w", err)
	}
	return ids, nil
}

// bulkTeams makes sure the seed's five teams exist and returns their ids. Bulk Teams 1 to 4
// share almost every conversation (about 24% each; 2% are in no team); Bulk Team 5 holds 0.5%.
// The assignees join a team each, in turn from 1 to 4, except the last of more than four, who
// is alone in team 5: an agent who sees a quarter of the contacts and one who sees a few.
func (s *Store) bulkTeams(ctx context.Context, assignees []int64) ([]int64, error) {
	var ids []int64
	err := s.pool.QueryRow(ctx, `WITH ins AS (
		INSERT INTO teams (name) SELECT 'Bulk Team ' || g FROM generate_series(1, 5) g
		ON CONFLICT DO NOTHING RETURNING id, name), t AS (
		SELECT id, name FROM ins UNION SELECT id, name FROM teams WHERE name LIKE 'Bulk Team %'
	), m AS (
		INSERT INTO team_members (team_id, agent_id)
		SELECT t.id, a.agent FROM unnest($1::bigint[]) WITH ORDINALITY a(agent, i)
		JOIN t ON t.name = 'Bulk Team ' || CASE WHEN a.i = cardinality($1::bigint[]) AND a.i > 4 THEN 5 ELSE 1 + (a.i - 1) % 4 END
		ON CONFLICT DO NOTHING)
		SELECT array_agg(id ORDER BY name) FROM t`, assignees).Scan(&ids)
	if err != nil {
		return nil, fmt.Errorf("inbox: seed: teams: %w", err)
	}
	return ids, nil
}

// bulkSQL inserts $2 conversations at times before $1, assigned among $3, in teams $5 (see
// bulkTeams), their contacts in companies $4 (one in three), with tiers and tags. h(x) is a hash of x
// in [0, 1): (hashint8(x) & 2147483647) / 2^31.
const bulkSQL = `WITH k AS (
	INSERT INTO contacts (tier, tags, company_id, name, created_at, updated_at)
	SELECT (ARRAY['','','','','','silver','silver','gold'])[1 + g % 8],
	       CASE WHEN g % 10 = 0 THEN ARRAY['vip'] WHEN g % 10 = 1 THEN ARRAY['reseller'] ELSE '{}' END,
	       CASE WHEN g % 3 = 0 AND cardinality($4::bigint[]) > 0 THEN ($4::bigint[])[1 + (g / 3) % cardinality($4::bigint[])] END,
	       (ARRAY['Maria','Sam','Li','Ana','Omar','Priya','John','Chen','Fatima','Lucas','Emma','Yuki','Ivan','Zoe',
	              'Noah','Aisha','Mateo','Sofia','Kofi','Hana'])[1 + g % 20] || ' ' ||
	       (ARRAY['Lopez','Carter','Wei','Silva','Haddad','Patel','Smith','Zhang','Khan','Martin','Brown','Sato',
	              'Petrov','Müller','Okafor','Rossi','Dubois','Kim','Mensah','Novak'])[1 + (g / 20) % 20],
	       $1, $1
	FROM generate_series(1, $2::int) g
	RETURNING id
), ident AS (
	INSERT INTO contact_identities (contact_id, kind, address, verified, created_at)
	SELECT id, 'email', 'customer' || id || '@bulk.example', true, $1 FROM k
	UNION ALL
	SELECT id, 'phone', '+1555' || (2000000 + id), true, $1 FROM k WHERE id % 2 = 0
), shaped AS (
	SELECT id AS contact_id,
		$1::timestamptz - interval '1 day' - (89 * 86400 * ((hashint8(id) & 2147483647) / 2147483648.0)) * interval '1 second' AS created,
		(60 + 14400 * ((hashint8(id * 7 + 1) & 2147483647) / 2147483648.0)) * interval '1 second' AS step,
		(ARRAY['new','new','open','open','open','pending','pending','resolved','resolved','resolved','resolved',
		       'resolved','resolved','resolved','resolved','resolved','resolved','closed','closed','closed'])[1 + id % 20] AS status,
		id
	FROM k
), who AS (
	SELECT s.*, CASE WHEN status = 'new' OR cardinality($3::bigint[]) = 0 OR (id / 20) % 5 = 0 THEN NULL
		     ELSE ($3::bigint[])[1 + id % cardinality($3::bigint[])] END AS assignee
	FROM shaped s
), conv AS (
	INSERT INTO conversations (contact_id, channel, status, priority, subject, assignee_id, team_id, category, tags,
		created_at, first_response_at, resolved_at, closed_at, last_activity_at, first_response_by, resolved_by, waiting_since)
	SELECT contact_id,
		(ARRAY['email','sms','chat','slack','api'])[1 + id % 5],
		status,
		(ARRAY['low','normal','normal','normal','high','urgent'])[1 + id % 6],
		'Order #' || (100000 + id) || ': ' || (ARRAY['damaged item','late delivery','refund','cannot sign in','wrong size',
			'invoice copy','cancel subscription','change address'])[1 + (id / 3) % 8],
		assignee,
		CASE WHEN id % 200 = 13 THEN ($5::bigint[])[5] WHEN id % 50 = 7 THEN NULL ELSE ($5::bigint[])[1 + id % 4] END,
		(ARRAY['billing','shipping','returns','account',''])[1 + (id / 5) % 5],
		CASE WHEN id % 4 = 0 THEN ARRAY['vip'] ELSE '{}' END,
		created,
		CASE WHEN status <> 'new' THEN created + step END,
		CASE WHEN status IN ('resolved', 'closed') THEN created + 5 * step END,
		CASE WHEN status = 'closed' THEN created + 5 * step + interval '1 day' END,
		created + 4 * step,
		CASE WHEN status <> 'new' THEN assignee END,
		CASE WHEN status IN ('resolved', 'closed') THEN assignee END,
		CASE WHEN status = 'new' THEN created WHEN status IN ('open', 'pending') THEN created + 4 * step END
	FROM who
	RETURNING id, contact_id, channel, status, assignee_id, created_at, coalesce(first_response_at - created_at, interval '10 minutes') AS step
)
INSERT INTO messages (conversation_id, direction, channel, external_id, contact_id, author_agent_id, text,
	delivery_status, threaded_by, created_at)
SELECT c.id,
	CASE WHEN i % 2 = 1 OR c.status = 'new' THEN 'inbound' ELSE 'outbound' END,
	c.channel,
	CASE WHEN i % 2 = 1 OR c.status = 'new' THEN 'bulk-' || c.id || '-' || i END,
	c.contact_id,
	CASE WHEN i % 2 = 0 AND c.status <> 'new' THEN c.assignee_id END,
	CASE WHEN i % 2 = 1 OR c.status = 'new' THEN
		(ARRAY['Hello, my order', 'Any news about order', 'I am still waiting for order', 'Thanks, and about order'])[1 + (i / 2) % 4]
		|| ' ' || (100000 + c.contact_id) || ' ' ||
		(ARRAY['arrived damaged, the box was crushed.', 'has not arrived yet.', 'needs a refund please.',
		       'shows the wrong size.', 'was charged twice on my card.', 'tracking link does not work.'])[1 + (c.id + i) % 6]
	ELSE
		(ARRAY['Thanks for writing! I have checked your order and', 'Sorry about that. Our warehouse confirms the parcel',
		       'I have issued the refund; the money', 'A replacement is on its way and'])[1 + (c.id + i) % 4]
		|| ' ' || (ARRAY['will reach you within three days.', 'should show on your statement soon.',
		               'ships with express delivery.', 'is covered by our guarantee.'])[1 + (c.id / 2 + i) % 4]
	END,
	CASE WHEN i % 2 = 1 OR c.status = 'new' THEN 'received' ELSE 'delivered' END,
	CASE WHEN i = 1 THEN 'new' WHEN i % 2 = 1 OR c.status = 'new' THEN 'contact-open' ELSE 'agent' END,
	c.created_at + (i - 1) * c.step
FROM conv c CROSS JOIN generate_series(1, 5) i`

// Analyze vacuums every table and refreshes the planner's statistics, as autovacuum would in
// time (it also empties the GIN indexes' pending lists, which a bulk seed fills): a benchmark
// run right after SeedBulk measures the plans and index shapes production would have.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return fmt.Errorf("inbox: analyze: %w", err)
	}
	return nil
}
