package email_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/parleyhq/parley/channels/email"
)

// appendN delivers n customer mails with Message-IDs m1@... and returns their UIDs.
func (e *env) appendN(from, to int) []uint32 {
	e.t.Helper()
	var uids []uint32
	for i := from; i <= to; i++ {
		uids = append(uids, e.imap.Append(e.t, customerMail(fmt.Sprintf("m%d@customer.example", i),
			fmt.Sprintf("c%d@customer.example", i), fmt.Sprintf("Question %d", i), fmt.Sprintf("Body %d", i))))
	}
	return uids
}

// requireEachOnce fails unless messages m<from>..m<to> are each stored exactly once, and
// nothing else is.
func (e *env) requireEachOnce(from, to int) {
	e.t.Helper()
	for i := from; i <= to; i++ {
		if n := e.count(`SELECT count(*) FROM messages WHERE external_id = $1`, fmt.Sprintf("m%d@customer.example", i)); n != 1 {
			e.t.Errorf("m%d stored %d times, want once", i, n)
		}
	}
	if n := e.count(`SELECT count(*) FROM messages WHERE direction = 'inbound'`); n != to-from+1 {
		e.t.Errorf("%d inbound messages stored, want %d", n, to-from+1)
	}
}

// TestRestartMidSync stops the server in the middle of a sync: the messages committed so far
// stay, the sync resumes at the next UID once the server is back, and nothing is lost or
// stored twice.
func TestRestartMidSync(t *testing.T) {
	e := setup(t, envOptions{})
	uids := e.appendN(1, 6)
	var once sync.Once
	e.imap.OnStore(func(got []imap.UID) error {
		if len(got) == 1 && uint32(got[0]) == uids[2] {
			// The server dies while marking the third message seen, after its commit.
			once.Do(func() { go e.imap.Stop() })
			return errors.New("server going down")
		}
		return nil
	})
	if _, err := e.fetcher.Poll(context.Background(), e.inbox.ID); err == nil {
		t.Fatal("Poll survived the server's death")
	}
	if stored := e.count(`SELECT count(*) FROM messages`); stored != 3 {
		t.Fatalf("%d messages stored before the crash, want the 3 committed", stored)
	}
	if _, last := e.state(); last != int64(uids[2]) {
		t.Errorf("last UID %d after the crash, want %d: the position must match what was committed", last, uids[2])
	}
	e.imap.OnStore(nil)
	e.imap.Start(t)
	e.poll()
	e.requireEachOnce(1, 6)
	if _, last := e.state(); last != int64(uids[5]) {
		t.Errorf("last UID = %d, want %d", last, uids[5])
	}
	for i, uid := range uids {
		// The third was committed but the server died before its \Seen: it stays unread.
		if seen := e.imap.Seen(t, uid); seen != (i != 2) {
			t.Errorf("UID %d seen = %v", uid, seen)
		}
	}
	// A further poll finds nothing new and fetches nothing again.
	e.poll()
	e.requireEachOnce(1, 6)
}

// TestUIDValidityChange rebuilds the mailbox under new UIDs: the sync starts over and the
// messages already stored are recognized by their Message-ID.
func TestUIDValidityChange(t *testing.T) {
	e := setup(t, envOptions{})
	e.appendN(1, 3)
	e.poll()
	v1, last1 := e.state()
	if last1 != 3 {
		t.Fatalf("last UID = %d, want 3", last1)
	}
	e.imap.RecreateMailbox(t)
	uids := e.appendN(1, 4) // the same three again, and a new one
	e.poll()
	v2, last2 := e.state()
	if v2 == v1 || last2 != int64(uids[3]) {
		t.Errorf("state after the change: UIDVALIDITY %d (was %d), last UID %d; want a new UIDVALIDITY and %d", v2, v1, last2, uids[3])
	}
	e.requireEachOnce(1, 4)
	if n := e.count(`SELECT count(*) FROM email_sources`); n != 4 {
		t.Errorf("%d sources, want one per message", n)
	}
}

// TestSeenOnlyAfterCommit watches the server: when \Seen is stored for a UID, its message is
// already committed (visible to another connection).
func TestSeenOnlyAfterCommit(t *testing.T) {
	e := setup(t, envOptions{})
	uids := e.appendN(1, 3)
	var mu sync.Mutex
	var checked []uint32
	e.imap.OnStore(func(got []imap.UID) error {
		for _, uid := range got {
			var n int
			err := e.pool.QueryRow(context.Background(), `SELECT count(*) FROM email_sources WHERE inbox_id = $1 AND uid = $2`,
				e.inbox.ID, int64(uid)).Scan(&n)
			mu.Lock()
			if err != nil || n != 1 {
				t.Errorf("\\Seen stored for UID %d before its message was committed (%d rows, %v)", uid, n, err)
			}
			checked = append(checked, uint32(uid))
			mu.Unlock()
		}
		return nil
	})
	e.poll()
	mu.Lock()
	defer mu.Unlock()
	if len(checked) != len(uids) {
		t.Errorf("\\Seen stored for %v, want each of %v", checked, uids)
	}
	for _, uid := range uids {
		if !e.imap.Seen(t, uid) {
			t.Errorf("UID %d not seen after the sync", uid)
		}
	}
}

// TestPoisonMessage: a message whose ingest keeps failing holds the sync (in order) for
// MaxAttempts tries, then is recorded as skipped and left unread while the sync goes on; a
// message that can never be stored (no sender) is skipped at once.
func TestPoisonMessage(t *testing.T) {
	e := setup(t, envOptions{fetcher: email.FetcherConfig{MaxAttempts: 3}})
	ctx := context.Background()
	// The database refuses one Message-ID, as a bug or a corrupt row would.
	if _, err := e.pool.Exec(ctx, `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.external_id = 'm2@customer.example' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION poison()`); err != nil {
		t.Fatal(err)
	}
	uids := e.appendN(1, 3)
	noSender := e.imap.Append(t, mail([]string{"To: support@example.com", "Subject: who am I", "Message-ID: <anon@x.example>"}, "no From at all"))
	uids = append(uids, e.imap.Append(t, customerMail("m4@customer.example", "c4@customer.example", "Question 4", "Body 4")))

	for attempt := 1; attempt <= 2; attempt++ {
		if _, err := e.fetcher.Poll(ctx, e.inbox.ID); err == nil {
			t.Fatalf("attempt %d: Poll passed the poisoned message without error", attempt)
		}
		if n := e.count(`SELECT attempts FROM email_failures WHERE inbox_id = $1 AND uid = $2 AND NOT skipped`, e.inbox.ID, int64(uids[1])); n != attempt {
			t.Fatalf("attempt %d: %d attempts recorded", attempt, n)
		}
		if n := e.count(`SELECT count(*) FROM messages WHERE external_id = 'm3@customer.example'`); n != 0 {
			t.Fatalf("attempt %d: the sync went past the failing message before giving up on it", attempt)
		}
	}
	e.poll() // third attempt: skipped, the rest goes in
	if n := e.count(`SELECT count(*) FROM email_failures WHERE inbox_id = $1 AND uid = $2 AND skipped AND attempts = 3`, e.inbox.ID, int64(uids[1])); n != 1 {
		t.Errorf("the poisoned message is not recorded as skipped after 3 attempts")
	}
	if n := e.count(`SELECT count(*) FROM email_failures WHERE inbox_id = $1 AND uid = $2 AND skipped AND attempts = 1`, e.inbox.ID, int64(noSender)); n != 1 {
		t.Errorf("the message without a sender is not skipped at its first attempt")
	}
	for _, id := range []string{"m1", "m3", "m4"} {
		if n := e.count(`SELECT count(*) FROM messages WHERE external_id = $1`, id+"@customer.example"); n != 1 {
			t.Errorf("%s stored %d times, want once", id, n)
		}
	}
	if e.imap.Seen(t, uids[1]) || e.imap.Seen(t, noSender) {
		t.Error("a skipped message was marked seen: it must stay unread for a person to look at")
	}
	if !e.imap.Seen(t, uids[3]) {
		t.Error("the message after the skipped ones was not marked seen")
	}
	if _, last := e.state(); last != int64(uids[3]) {
		t.Errorf("last UID = %d, want %d", last, uids[3])
	}
}

// TestMalformedMessageKept stores undecodable mail as it is, flagged with what was wrong.
func TestMalformedMessageKept(t *testing.T) {
	e := setup(t, envOptions{})
	raw := mail([]string{"From: Ed <ed@customer.example>", "To: support@example.com", "Subject: broken",
		"Message-ID: <broken@customer.example>", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: base64"}, "this is !!! not base64 ###")
	e.imap.Append(t, raw)
	e.poll()
	m := e.messageByEmailID("broken@customer.example")
	if pe, _ := m.Metadata["parse_error"].(string); pe == "" {
		t.Errorf("metadata %v: want a parse_error", m.Metadata)
	}
	src, err := email.LoadSource(context.Background(), e.pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(src.Raw) != string(raw) {
		t.Errorf("raw source not kept as fetched: %q", src.Raw)
	}
}

// TestMailboxLock: while another session holds the mailbox lock (another parley process
// syncing it), Poll neither logs in nor stores anything, and asks to be polled later.
func TestMailboxLock(t *testing.T) {
	e := setup(t, envOptions{fetcher: email.FetcherConfig{PollEvery: 42 * time.Second}})
	ctx := context.Background()
	e.appendN(1, 2)
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, email.MailboxLockKey(e.inbox.ID)); err != nil {
		t.Fatal(err)
	}
	next := e.poll()
	if next != 42*time.Second {
		t.Errorf("next poll in %v, want PollEvery", next)
	}
	if n := e.count(`SELECT count(*) FROM messages`); n != 0 || e.imap.Logins() != 0 {
		t.Errorf("%d messages stored, %d logins while another process held the mailbox", n, e.imap.Logins())
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, email.MailboxLockKey(e.inbox.ID)); err != nil {
		t.Fatal(err)
	}
	e.poll()
	e.requireEachOnce(1, 2)
}

// TestHistoryNotImported: connecting a mailbox imports its unread mail, not the mail already
// read before Parley first read it; mail arriving later is imported read or not, and a re-sync
// after a UIDVALIDITY change keeps the same line.
func TestHistoryNotImported(t *testing.T) {
	e := setup(t, envOptions{})
	past := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	old := func(i int) []byte {
		return customerMail(fmt.Sprintf("old%d@customer.example", i), "carol@customer.example", "Old", "handled last year")
	}
	e.imap.AppendAt(t, old(1), past, imap.FlagSeen)
	e.imap.AppendAt(t, old(2), past.Add(time.Minute), imap.FlagSeen, imap.FlagAnswered)
	unread := customerMail("waiting@customer.example", "dan@customer.example", "Still waiting", "Any news?")
	e.imap.AppendAt(t, unread, past.Add(2*time.Minute))
	e.poll()
	if n := e.count(`SELECT count(*) FROM messages`); n != 1 || e.count(`SELECT count(*) FROM messages WHERE external_id = 'waiting@customer.example'`) != 1 {
		t.Fatalf("%d messages imported from the history, want only the unread one", n)
	}

	// Read on the server before Parley got to it, but new: imported.
	e.imap.AppendAt(t, customerMail("new@customer.example", "erin@customer.example", "New", "hello"), past.Add(time.Hour), imap.FlagSeen)
	e.poll()
	if n := e.count(`SELECT count(*) FROM messages WHERE external_id = 'new@customer.example'`); n != 1 {
		t.Errorf("new mail already read on the server imported %d times, want once", n)
	}

	e.imap.RecreateMailbox(t)
	e.imap.AppendAt(t, old(1), past, imap.FlagSeen)
	e.imap.AppendAt(t, unread, past.Add(2*time.Minute), imap.FlagSeen) // Parley marked it read
	e.imap.AppendAt(t, customerMail("new@customer.example", "erin@customer.example", "New", "hello"), past.Add(time.Hour), imap.FlagSeen)
	last := e.imap.AppendAt(t, customerMail("newer@customer.example", "erin@customer.example", "Newer", "hi"), time.Time{})
	e.poll()
	if n := e.count(`SELECT count(*) FROM messages`); n != 3 {
		t.Errorf("%d messages after the re-sync, want 3 (the 2 imported before, the newer one)", n)
	}
	if n := e.count(`SELECT count(*) FROM messages WHERE external_id LIKE 'old%'`); n != 0 {
		t.Errorf("the re-sync imported %d history messages", n)
	}
	if _, got := e.state(); got != int64(last) {
		t.Errorf("last UID %d, want %d", got, last)
	}
}
