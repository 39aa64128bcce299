package inbox

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// ingestItem is one message's way through a wave.
type ingestItem struct {
	in      *Inbound
	look    looked
	w       write
	res     IngestResult
	events  []Event
	pending *pendingWrite // queued in the wave's write batch
	done    bool          // finished before the write batch (a duplicate, an interception)
	// joins is the conversation the lookups' threading decision puts the message in (0: a new
	// one), the order the wave's writes go in (inConversationOrder). A rare path may decide
	// otherwise once it runs (prepare decides again).
	joins int64
	// first is set for a first-time sender's message that starts a conversation: no stored
	// copy, no contact, no thread to join. It is routed by routeFirst and written by
	// firstWrites.
	first bool
	// route is the Router's decision for the conversation a first-time sender starts, or nil.
	route *Routing
}

// ingestWave stores several messages of different senders on tx in two round trips for all of
// them: one batch of lookups, then one batch of writes (rare paths, such as a first message
// from a new sender into a known thread, add statements of their own). Messages of one sender
// must not share a wave: the caller splits them (splitWave). A message whose contact another
// message of the wave already holds is deferred, returned for a later wave, because it must see
// that message's conversation. results is aligned with ins (zero for the deferred).
func (s *Store) ingestWave(ctx context.Context, tx pgx.Tx, ins []*Inbound) (results []IngestResult, events []Event, deferred []*Inbound, err error) {
	now := s.now()
	items := make([]*ingestItem, len(ins))
	b := &pgx.Batch{}
	plans := queueLookup(b, ins)
	br := tx.SendBatch(ctx, b)
	looks, err := readLookup(br, ins, plans)
	if err != nil {
		br.Close()
		return nil, nil, nil, err
	}
	for i, in := range ins {
		l := looks[i]
		joins := decideThread(l.cands, in.Auto != "").conversationID
		items[i] = &ingestItem{in: in, look: l, joins: joins, first: l.existing == nil && l.contactID == 0 && joins == 0}
	}
	if err := br.Close(); err != nil {
		return nil, nil, nil, fmt.Errorf("inbox: ingest: lookup: %w", err)
	}

	if err := s.routeFirst(ctx, tx, items); err != nil {
		return nil, nil, nil, err
	}
	held := map[int64]bool{}
	wb := &pgx.Batch{}
	var firsts firstWrites
	var replies replyWrites
	var active []*ingestItem
	for _, it := range inConversationOrder(items) {
		if it.look.existing != nil {
			it.res, it.done = *it.look.existing, true
			continue
		}
		if c := it.look.contactID; c != 0 {
			if held[c] {
				deferred = append(deferred, it.in)
				continue
			}
			held[c] = true
		}
		if err := s.prepare(ctx, tx, it, now, wb, &firsts, &replies); err != nil {
			return nil, nil, nil, err
		}
		active = append(active, it)
	}
	if len(firsts.items) > 0 {
		if err := firsts.queue(wb, now); err != nil {
			return nil, nil, nil, err
		}
	}
	if len(replies.items) > 0 {
		if err := replies.queue(wb); err != nil {
			return nil, nil, nil, err
		}
	}
	var trail auditRows // the routing entries of conversations written routed
	if wb.Len() > 0 {
		br := tx.SendBatch(ctx, wb)
		for _, it := range active {
			if it.pending == nil {
				continue
			}
			wr, own, err := it.pending.read(br)
			if err != nil {
				br.Close()
				return nil, nil, nil, err
			}
			if own {
				it.finish(wr, &trail)
			}
		}
		if len(firsts.items) > 0 {
			if err := firsts.read(br, &trail); err != nil {
				br.Close()
				return nil, nil, nil, err
			}
		}
		if len(replies.items) > 0 {
			if err := replies.read(br, &trail); err != nil {
				br.Close()
				return nil, nil, nil, err
			}
		}
		if err := br.Close(); err != nil {
			return nil, nil, nil, fmt.Errorf("inbox: ingest: write: %w", err)
		}
	}
	if err := trail.insert(ctx, tx, now); err != nil {
		return nil, nil, nil, err
	}
	isDeferred := map[*Inbound]bool{}
	for _, in := range deferred {
		isDeferred[in] = true
	}
	results = make([]IngestResult, len(items))
	for i, it := range items {
		if isDeferred[it.in] {
			continue
		}
		if !it.done {
			if err := addClaimed(ctx, tx, it.res.ContactID, it.in.Also, now); err != nil {
				return nil, nil, nil, err
			}
			if err := insertAttachments(ctx, tx, it.res.MessageID, it.in.Attachments, now); err != nil {
				return nil, nil, nil, err
			}
			if err := s.applyAttributes(ctx, tx, it.res.ContactID, it.in, now); err != nil {
				return nil, nil, nil, err
			}
		}
		results[i] = it.res
		events = append(events, it.events...)
	}
	return results, events, deferred, nil
}

// prepare decides where a message goes. It queues the message's write in wb, or adds the
// message to firsts (a first-time sender's) or replies (one into a conversation that exists),
// whose one statement each the caller queues after all others. The rare paths that need a row
// first (a claimed address proven by its owner, a new sender in a known thread, a message an
// Interceptor claims) run their statements now, before wb is sent.
func (s *Store) prepare(ctx context.Context, tx pgx.Tx, it *ingestItem, now time.Time, wb *pgx.Batch, firsts *firstWrites, replies *replyWrites) error {
	in, look := it.in, &it.look
	at := in.ReceivedAt
	if at.IsZero() {
		at = now
	}
	it.w = write{in: in, at: at, now: now}
	split := false
	if look.contactID != 0 && in.From.Verified && !look.verified {
		written, err := agentWroteTo(ctx, tx, look.contactID, in.From)
		if err != nil {
			return err
		}
		split = !written
	}
	if split {
		// Someone only claimed this address (typed it into a form); now its real owner writes
		// from it. The address moves to a contact of their own, so a claimant never reads the
		// owner's messages; an agent can merge the two if they are one person. An address an
		// agent wrote to on this contact (StartConversation) is the contact's: its owner is
		// answering, so it stays and is marked verified (touchContact).
		id, err := it.w.takeOver(ctx, tx, look.contactID)
		if err != nil {
			return err
		}
		look.contactID, look.verified, look.unnamed, look.cands, split = id, true, false, withoutContactOwn(look.cands), true
	}
	if res, events, ok, err := s.intercepted(ctx, tx, in, *look, at, now); ok || err != nil {
		it.res, it.events, it.done = res, events, true
		return err
	}
	d := decideThread(look.cands, in.Auto != "")
	it.w.d = d
	it.res = IngestResult{ContactID: look.contactID, ThreadedBy: d.reason, NewContact: split}
	var p pendingWrite
	var err error
	switch {
	case it.first:
		it.w.route = it.route
		it.res.NewContact, it.res.NewConversation = true, true
		firsts.add(it)
		return nil
	case look.contactID == 0:
		// A new sender answering a thread we know (a colleague on an email thread).
		if look.contactID, err = it.w.contact(ctx, tx); err != nil {
			return err
		}
		look.verified = in.From.Verified
		it.res.ContactID, it.res.NewContact = look.contactID, true
		p = it.w.queueMessage(wb, *look)
		replies.add(it, look.contactID)
	case d.conversationID == 0:
		p, err = it.w.queueConversationMessage(wb, *look)
		it.res.NewConversation = true
	default:
		p = it.w.queueMessage(wb, *look)
		replies.add(it, look.contactID)
	}
	if err != nil {
		return err
	}
	it.pending = &p
	return nil
}

// finish records the written conversation and message and the events they announce, and adds
// to trail the audit entries of a routed conversation's routing.
func (it *ingestItem) finish(wr written, trail *auditRows) {
	conv, messageID := wr.conv, wr.messageID
	d, at := it.w.d, it.w.at
	if it.res.ContactID == 0 { // a first-time sender: the contact was created with the conversation
		it.res.ContactID = conv.contactID
	}
	it.res.ConversationID, it.res.MessageID = conv.id, messageID
	if it.res.NewConversation {
		e := conv.event(EventConversationCreated, at)
		e.Routed = it.w.route != nil
		it.events = append(it.events, e)
		if e.Routed {
			it.recordRouting(conv, wr.inboxTeam, it.w.now, trail)
		}
	}
	if d.reopen || d.wake {
		e := conv.event(EventConversationStatus, at)
		e.Previous = string(it.look.statusOf(d.conversationID))
		it.events = append(it.events, e)
		if e.Previous == string(StatusSnoozed) {
			it.events = append(it.events, conv.woke(WokeCustomer, at))
		}
	}
	e := conv.event(EventMessageCreated, at)
	e.MessageID, e.Direction, e.Channel = messageID, DirectionInbound, it.in.Channel
	if it.in.Auto != "" {
		e.Data = map[string]any{"auto": it.in.Auto}
	}
	it.events = append(it.events, e)
}

// splitWave takes the first message of each sender (calls are sorted by sender) for one wave
// and leaves the others for the next.
func splitWave(calls []*call) (wave, rest []*call) {
	seen := map[string]bool{}
	for _, c := range calls {
		if k := c.in.lockKey(); seen[k] {
			rest = append(rest, c)
		} else {
			seen[k] = true
			wave = append(wave, c)
		}
	}
	return wave, rest
}

// inConversationOrder returns items by the id of the conversation each is about to update,
// then those that start a new one, whose row nobody else can hold: the lock order's (see the
// package doc), which replySQL keeps by itself for the rows it changes, and the wave's other
// statements (a reopened conversation's audit entry, the rare paths that run at once) follow.
// Items of one conversation keep their order (by sender). A rare path that decides otherwise
// once it runs (an address taken over, an interception) may break the order; a deadlock it
// causes is retried.
func inConversationOrder(items []*ingestItem) []*ingestItem {
	key := func(it *ingestItem) int64 {
		if it.joins != 0 {
			return it.joins
		}
		return math.MaxInt64
	}
	out := slices.Clone(items)
	slices.SortStableFunc(out, func(a, b *ingestItem) int { return cmp.Compare(key(a), key(b)) })
	return out
}
