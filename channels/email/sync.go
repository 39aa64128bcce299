package email

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/inbox"
)

// syncOnce ingests the mailbox's new messages, in UID order, writing through conn, which holds
// the mailbox lock. It reports false when the deadline cut it short.
func (f *Fetcher) syncOnce(ctx context.Context, conn *pgxpool.Conn, a account, ic *imapConn, deadline time.Time) (bool, error) {
	mailbox := a.settings.IMAP.Mailbox
	v, uidNext, err := ic.selectMailbox(mailbox)
	if err != nil {
		return false, err
	}
	st, found, err := loadState(ctx, conn, a.inbox.ID)
	if err != nil {
		return false, err
	}
	if found && st.uidValidity == v && uidNext != 0 && uidNext <= st.lastUID+1 {
		return true, markSynced(ctx, conn, a.inbox.ID, f.store.Now()) // nothing new
	}
	if found && st.uidValidity != v {
		f.log.Warn("email: the mailbox's UIDVALIDITY changed; reading it again from the start (stored messages are skipped)",
			"inbox", a.inbox.ID, "mailbox", mailbox, "was", st.uidValidity, "now", v)
		st = mailboxState{uidValidity: v, importSince: st.importSince}
	}
	all, err := ic.uidsAfter(st.lastUID)
	if err != nil {
		return false, err
	}
	uids := all
	if !found || !st.importSince.IsZero() && len(all) > 0 {
		meta, err := ic.flagsAndDates(all)
		if err != nil {
			return false, err
		}
		if !found {
			st = mailboxState{uidValidity: v, importSince: newestDate(meta)}
		}
		uids = withoutHistory(all, meta, st.importSince)
	}
	if !found || st.lastUID == 0 {
		if err := resetState(ctx, conn, a.inbox.ID, mailbox, v, st.importSince, f.store.Now()); err != nil {
			return false, err
		}
	}
	for _, uid := range uids {
		if !time.Now().Before(deadline) {
			return false, nil
		}
		if err := f.syncMessage(ctx, conn, a, ic, v, uid); err != nil {
			return false, err
		}
	}
	if len(uids) < len(all) { // the last ones may have been history
		if err := advanceState(ctx, conn, a.inbox.ID, v, all[len(all)-1], f.store.Now()); err != nil {
			return false, err
		}
	}
	return true, markSynced(ctx, conn, a.inbox.ID, f.store.Now())
}

// newestDate is the latest arrival among the messages: what a first sync takes as the end of
// the mailbox's history (zero for an empty mailbox).
func newestDate(meta map[uint32]messageMeta) time.Time {
	var newest time.Time
	for _, m := range meta {
		if m.date.After(newest) {
			newest = m.date
		}
	}
	return newest
}

// withoutHistory drops the messages already read that arrived at or before since: the mailbox's
// history when Parley first read it, which is not imported.
func withoutHistory(uids []uint32, meta map[uint32]messageMeta, since time.Time) []uint32 {
	if since.IsZero() {
		return uids
	}
	out := make([]uint32, 0, len(uids))
	for _, uid := range uids {
		if m, ok := meta[uid]; ok && m.seen && !m.date.After(since) {
			continue
		}
		out = append(out, uid)
	}
	return out
}

// syncMessage fetches, parses and stores one message, then marks it \Seen on the server: only
// once its ingest has committed, so that mail marked read is always in Parley. A message that
// cannot be stored is recorded as a failure; the sync stops there (to be retried in order)
// until the message has failed MaxAttempts times, or at once when it can never be stored, and
// is then skipped and left unread on the server.
func (f *Fetcher) syncMessage(ctx context.Context, conn *pgxpool.Conn, a account, ic *imapConn, v, uid uint32) error {
	m, err := ic.fetchRaw(uid, f.cfg.MaxRawBytes)
	if err != nil {
		return err
	}
	if m == nil { // expunged since the search
		return advanceState(ctx, conn, a.inbox.ID, v, uid, f.store.Now())
	}
	p := f.parser.ParseBytes(m.raw)
	if a.ownAddress(p.From.Address) {
		f.log.Info("email: skipped mail from the inbox's own address", "inbox", a.inbox.ID, "uid", uid, "message_id", p.MessageID)
		return advanceState(ctx, conn, a.inbox.ID, v, uid, f.store.Now())
	}
	o := origin{mailbox: a.settings.IMAP.Mailbox, uidValidity: v, uid: uid, size: m.size,
		truncated: int64(len(m.raw)) < m.size, received: m.internalDate}
	if now := f.store.Now(); o.received.IsZero() || o.received.After(now) {
		o.received = now
	}
	in := f.inboundOf(ctx, a, p, o)
	res, err := f.save(ctx, conn, a, p, in, o)
	if err != nil {
		if errors.Is(err, errStateMoved) || ctx.Err() != nil {
			return err
		}
		return f.failed(ctx, conn, a, p, o, err)
	}
	f.log.Debug("email: ingested", "inbox", a.inbox.ID, "uid", uid, "message", res.MessageID,
		"conversation", res.ConversationID, "threaded_by", res.ThreadedBy, "duplicate", res.Duplicate)
	return ic.markSeen(uid)
}

// save ingests the message, its source, what a bounce says of the message it returns and the
// new sync position in one transaction, on the lock's connection.
func (f *Fetcher) save(ctx context.Context, conn *pgxpool.Conn, a account, p *Parsed, in inbox.Inbound, o origin) (inbox.IngestResult, error) {
	var res inbox.IngestResult
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var err error
		if res, err = f.store.IngestTx(ctx, tx, in); err != nil {
			return err
		}
		now := f.store.Now()
		if !res.Duplicate {
			raw := p.Raw
			if int64(len(raw)) > f.cfg.KeepRawBytes {
				raw = nil
			}
			if err := insertSource(ctx, tx, Source{MessageID: res.MessageID, InboxID: a.inbox.ID, Mailbox: o.mailbox,
				UIDValidity: o.uidValidity, UID: o.uid, Size: o.size, Raw: raw, FullText: inbox.CutBytes(inbox.Storable(p.Text), inbox.MaxTextBytes),
				FullHTML: inbox.CutBytes(inbox.Storable(p.HTML), inbox.MaxTextBytes), CreatedAt: now}); err != nil {
				return err
			}
			if err := f.bounced(ctx, tx, p.Bounce); err != nil {
				return err
			}
		}
		if err := clearFailure(ctx, tx, a.inbox.ID, o.uidValidity, o.uid); err != nil {
			return err
		}
		return advanceState(ctx, tx, a.inbox.ID, o.uidValidity, o.uid, now)
	})
	return res, err
}

// failed records a failed ingest and decides whether the sync goes on past the message.
func (f *Fetcher) failed(ctx context.Context, conn *pgxpool.Conn, a account, p *Parsed, o origin, cause error) error {
	fail := failure{inboxID: a.inbox.ID, uidValidity: o.uidValidity, uid: o.uid,
		messageID: inbox.CutBytes(inbox.Storable(p.MessageID), inbox.MaxExternalID), err: inbox.Storable(cause.Error()), permanent: errors.Is(cause, inbox.ErrInvalid)}
	var skipped bool
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var err error
		skipped, err = recordFailure(ctx, tx, fail, f.cfg.MaxAttempts, f.store.Now())
		return err
	})
	if err != nil {
		return errors.Join(cause, err)
	}
	f.log.Warn("email: a message could not be stored", "inbox", a.inbox.ID, "uid", o.uid, "message_id", p.MessageID,
		"skipped", skipped, "err", cause)
	if skipped {
		return nil
	}
	return fmt.Errorf("email: message UID %d: %w", o.uid, cause)
}

// bounced marks the outbound message a delivery failure report returns as failed, with the
// remote server's reason. A report of a delay or of success changes nothing, nor does one about
// a message Parley did not send.
func (f *Fetcher) bounced(ctx context.Context, tx pgx.Tx, b *Bounce) error {
	if b == nil || b.OriginalMessageID == "" {
		return nil
	}
	switch strings.ToLower(b.Action) {
	case "delayed", "delivered", "relayed", "expanded":
		return nil
	case "":
		if strings.HasPrefix(b.Status, "4.") {
			return nil
		}
	}
	_, err := f.store.UpdateDeliveryTx(ctx, tx, inbox.DeliveryUpdate{Channel: inbox.ChannelEmail,
		ExternalID: inbox.Storable(b.OriginalMessageID), Status: inbox.DeliveryFailed, Error: inbox.Storable(bounceReason(b))})
	if errors.Is(err, inbox.ErrNotFound) {
		return nil
	}
	return err
}

// bounceReason is what agents read on a bounced reply.
func bounceReason(b *Bounce) string {
	var s strings.Builder
	s.WriteString("bounced")
	if b.Recipient != "" {
		s.WriteString(" by " + b.Recipient)
	}
	if b.Status != "" {
		s.WriteString(" (" + b.Status + ")")
	}
	if b.Diagnostic != "" {
		s.WriteString(": " + b.Diagnostic)
	}
	return s.String()
}
