package inbox

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/dbtest"
)

func TestWaveDefersASecondMessageOfTheSameContact(t *testing.T) {
	t.Parallel()
	s := New(dbtest.Pool(t), Options{})
	ctx := context.Background()
	email := Identity{Kind: IdentityEmail, Address: "ann@example.com", Verified: true}
	phone := Identity{Kind: IdentityPhone, Address: "+15550100777", Verified: true}
	first, err := s.Ingest(ctx, Inbound{Channel: ChannelAPI, ExternalID: "w0", From: email, Also: []Identity{phone}, Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	// One customer writes by email and SMS at once, and both land in one batch: the SMS must
	// wait for the email's write so that both join the same conversation.
	byMail := &Inbound{Channel: ChannelEmail, ExternalID: "w1", From: email, Text: "by mail"}
	bySMS := &Inbound{Channel: ChannelSMS, ExternalID: "w2", From: phone, Text: "by sms"}
	for _, in := range []*Inbound{byMail, bySMS} {
		if err := in.normalize(s.region); err != nil {
			t.Fatal(err)
		}
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		results, _, deferred, err := s.ingestWave(ctx, tx, []*Inbound{byMail, bySMS})
		if err != nil {
			return err
		}
		if len(deferred) != 1 || deferred[0] != bySMS || results[0].ConversationID != first.ConversationID {
			t.Fatalf("first wave: results %+v, deferred %v", results, deferred)
		}
		results, _, deferred, err = s.ingestWave(ctx, tx, deferred)
		if err != nil {
			return err
		}
		if len(deferred) != 0 || results[0].ConversationID != first.ConversationID {
			t.Fatalf("second wave: results %+v, deferred %v", results, deferred)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSplitWaveTakesOneMessageOfEachSender(t *testing.T) {
	mk := func(addr string) *call {
		return &call{in: &Inbound{From: Identity{Kind: IdentityEmail, Address: addr}}}
	}
	calls := []*call{mk("a@x.co"), mk("a@x.co"), mk("b@x.co"), mk("c@x.co"), mk("c@x.co"), mk("c@x.co")}
	wave, rest := splitWave(calls)
	if len(wave) != 3 || len(rest) != 3 || wave[0] != calls[0] || wave[1] != calls[2] || wave[2] != calls[3] {
		t.Fatalf("wave %d, rest %d", len(wave), len(rest))
	}
}
