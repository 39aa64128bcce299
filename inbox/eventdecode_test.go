package inbox

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// randomEvents makes n events with every field set or left out at random; with odd, their
// strings hold quotes, escapes, control and non-ASCII characters.
func randomEvents(r *rand.Rand, n int, odd bool) []Event {
	plain := []string{"message.created", "conversation.status", "chat", "open", "outbound", "delivered", "high"}
	weird := []string{`say "hi"`, "back\\slash", "tab\there", "naïve", "日本", "nul\x00", "\u2028"}
	str := func() string {
		switch {
		case r.IntN(3) == 0:
			return ""
		case odd && r.IntN(2) == 0:
			return weird[r.IntN(len(weird))]
		}
		return plain[r.IntN(len(plain))]
	}
	id := func() int64 {
		switch r.IntN(4) {
		case 0:
			return 0
		case 1:
			return r.Int64N(1 << 53)
		case 2:
			return -r.Int64N(1000)
		}
		return r.Int64N(100000)
	}
	events := make([]Event, n)
	for i := range events {
		e := Event{Type: str(), ConversationID: id(), MessageID: id(), ContactID: id(), InboxID: id(), TeamID: id(),
			AssigneeID: id(), AgentID: id(), Channel: Channel(str()), Status: Status(str()), Previous: str(),
			Priority: Priority(str()), Direction: Direction(str()), Delivery: str(),
			At: time.Unix(r.Int64N(4e9), r.Int64N(1e9)).UTC()}
		if r.IntN(2) == 0 {
			e.At = e.At.In(time.FixedZone("", 3600*(r.IntN(25)-12)))
		}
		switch r.IntN(3) {
		case 0:
			e.Data = map[string]any{"from": r.Int64N(100), "name": str(), "nested": map[string]any{"on": r.IntN(2) == 0, "list": []any{1.5, "x", nil}}}
		case 1:
			e.Data = map[string]any{"on": true, "agent_name": str()}
		}
		events[i] = e
	}
	return events
}

// decodeBoth decodes payload with encoding/json and with the fast parser alone.
func decodeBoth(payload []byte) (want []Event, wantErr error, got []Event, gotErr error) {
	wantErr = json.Unmarshal(payload, &want)
	p := eventParser{b: payload}
	got, gotErr = p.events()
	return
}

// The fast parser takes what the inbox writes and decodes it exactly as encoding/json does;
// what it leaves to encoding/json (odd strings) DecodeEvents still decodes the same.
func TestDecodeEventsAgreesWithEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 400 {
		odd := round%2 == 1
		events := randomEvents(r, 1+r.IntN(8), odd)
		payload, err := json.Marshal(events)
		if err != nil {
			t.Fatal(err)
		}
		if round%5 == 0 {
			payload, _ = json.MarshalIndent(events, " ", "\t")
		}
		want, wantErr, got, gotErr := decodeBoth(payload)
		if wantErr != nil {
			t.Fatalf("encoding/json: %v", wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("payload %s\nfast parser: %+v\nencoding/json: %+v", payload, got, want)
		}
		if !odd && gotErr != nil {
			t.Fatalf("the fast parser refused a payload of plain events: %s", payload)
		}
		all, err := DecodeEvents(payload)
		if err != nil || !reflect.DeepEqual(all, want) {
			t.Fatalf("DecodeEvents(%s) = %+v, %v; want %+v", payload, all, err, want)
		}
	}
}

func TestDecodeEventsRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, bad := range []string{``, `[`, `[{]`, `[{"type":"x"}`, `[{"type":"x"}]x`, `[{"conversation_id":1.5}]`,
		`[{"conversation_id":"1"}]`, `[{"type":5}]`, `[{"at":"yesterday"}]`, `[{"data":[1]}]`, `{"type":"x"}`,
		`[{"conversation_id":01}]`, `[{"data":{"a":}}]`, `[{"type":"x",}]`} {
		if _, err := DecodeEvents([]byte(bad)); err == nil {
			t.Errorf("DecodeEvents(%q) took it", bad)
		}
	}
	// Null leaves a field as it is, an unknown field is ignored: as encoding/json does.
	got, err := DecodeEvents([]byte(`[{"type":"x","team_id":null,"data":null,"extra":{"a":[1,"]"]},"Message_ID":7}]`))
	if err != nil || len(got) != 1 || got[0].Type != "x" || got[0].TeamID != 0 || got[0].Data != nil || got[0].MessageID != 7 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// FuzzDecodeEvents: whatever the fast parser takes, encoding/json takes too and decodes the same.
func FuzzDecodeEvents(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		payload, _ := json.Marshal(randomEvents(r, 3, false))
		f.Add(payload)
	}
	f.Add([]byte(`[{"data":{"a":"}","b":[{"c":"\""}]},"type":"x"}]`))
	f.Add([]byte(`[ ]`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		want, wantErr, got, gotErr := decodeBoth(payload)
		if gotErr != nil {
			return
		}
		if wantErr != nil {
			t.Fatalf("the fast parser took %q, which encoding/json refuses: %v", payload, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("payload %q\nfast parser: %+v\nencoding/json: %+v", payload, got, want)
		}
	})
}

// BenchmarkDecodeEvents decodes what one agent reply announces: its message and its
// conversation's new status.
func BenchmarkDecodeEvents(b *testing.B) {
	at := time.Date(2026, 12, 6, 4, 40, 29, 288918544, time.UTC)
	payload, err := json.Marshal([]Event{
		{Type: EventMessageCreated, ConversationID: 123456, MessageID: 9876543, ContactID: 55555, InboxID: 3, TeamID: 4,
			AssigneeID: 77, Channel: ChannelChat, Direction: DirectionOutbound, Status: StatusOpen, At: at},
		{Type: EventConversationStatus, ConversationID: 123456, ContactID: 55555, InboxID: 3, TeamID: 4, AssigneeID: 77,
			Channel: ChannelChat, Status: StatusPending, Previous: string(StatusOpen), At: at}})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeEvents(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var events []Event
			if err := json.Unmarshal(payload, &events); err != nil {
				b.Fatal(err)
			}
		}
	})
}
