package chat

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEncode(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name string
		in   ServerFrame
		want string
	}{
		{"welcome without conversation", Welcome{Token: "tok", VisitorID: "v_1"},
			`{"type":"welcome","token":"tok","visitor_id":"v_1","conversation":null}`},
		{"welcome with conversation", Welcome{Token: "tok", VisitorID: "v_1",
			Conversation: &Conversation{ID: 7, Status: "open", AgentName: "Ana"}},
			`{"type":"welcome","token":"tok","visitor_id":"v_1","conversation":{"id":7,"status":"open","agent_name":"Ana"}}`},
		{"agent message", Message{ID: 9, Direction: DirectionOutbound, AuthorName: "Ana", Text: "<b>hi</b>", CreatedAt: at},
			`{"type":"message","id":9,"direction":"outbound","author_name":"Ana","text":"\u003cb\u003ehi\u003c/b\u003e","created_at":"2025-03-04T05:06:07Z"}`},
		{"acknowledged visitor message", Message{ID: 10, ClientID: "c1", Direction: DirectionInbound, AuthorName: "You", Text: "ok", CreatedAt: at},
			`{"type":"message","id":10,"client_id":"c1","direction":"inbound","author_name":"You","text":"ok","created_at":"2025-03-04T05:06:07Z"}`},
		{"typing", AgentTyping{AgentName: "Ana", On: true}, `{"type":"typing","agent_name":"Ana","on":true}`},
		{"status", Status{Status: "resolved"}, `{"type":"status","status":"resolved"}`},
		{"survey", Survey{SurveyID: "s1", Prompt: "How did we do?"}, `{"type":"survey","survey_id":"s1","prompt":"How did we do?"}`},
		{"error", Error{Code: CodeInternal, Message: "try again"}, `{"type":"error","code":"internal","message":"try again"}`},
		{"error naming a message", Error{Code: CodeRateLimited, Message: "slow down", ClientID: "c1"},
			`{"type":"error","code":"rate_limited","message":"slow down","client_id":"c1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Encode(tt.in)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if string(got) != tt.want {
				t.Fatalf("Encode =\n%s\nwant\n%s", got, tt.want)
			}
			// Nested in other JSON (json.Marshal calls MarshalJSON) it is the same.
			nested, err := json.Marshal([]ServerFrame{tt.in})
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if string(nested) != "["+tt.want+"]" {
				t.Fatalf("json.Marshal = %s", nested)
			}
		})
	}
}

// TestTypedEmptyStruct covers a frame whose body has no members.
func TestTypedEmptyStruct(t *testing.T) {
	t.Parallel()
	got, err := typed("x", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"type":"x"}` {
		t.Fatalf("typed = %s", got)
	}
}
