package chat

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeClient(t *testing.T) {
	t.Parallel()
	long := func(s string, n int) string { return strings.Repeat(s, n) }
	hash := long("ab", 32)
	tests := []struct {
		name string
		in   string
		want ClientFrame
		code string // the FrameError code when refused
	}{
		{"hello new visitor", `{"type":"hello","last_id":0}`, &Hello{}, ""},
		{"hello returning", `{"type":"hello","token":"tok","last_id":42,"name":" Ann ","email":" ann@example.com ","user_id":"u1","user_hash":"` + hash + `"}`,
			&Hello{Token: "tok", LastID: 42, Name: "Ann", Email: "ann@example.com", UserID: "u1", UserHash: hash}, ""},
		{"hello unknown member ignored", `{"type":"hello","last_id":1,"locale":"fr"}`, &Hello{LastID: 1}, ""},
		{"hello name of 120 runes", `{"type":"hello","name":"` + long("é", 120) + `"}`, &Hello{Name: long("é", 120)}, ""},
		{"hello name of 121 runes", `{"type":"hello","name":"` + long("é", 121) + `"}`, nil, CodeInvalid},
		{"hello name with NUL", `{"type":"hello","name":"\u0000 Ann\u0000 Lee"}`, &Hello{Name: "Ann Lee"}, ""},
		{"hello user_id with NUL", `{"type":"hello","user_id":"u\u00001","user_hash":"` + hash + `"}`, nil, CodeInvalid},
		{"hello negative last_id", `{"type":"hello","last_id":-1}`, nil, CodeInvalid},
		{"hello fractional last_id", `{"type":"hello","last_id":1.5}`, nil, CodeBadFrame},
		{"hello last_id as string", `{"type":"hello","last_id":"7"}`, nil, CodeBadFrame},
		{"hello bad email", `{"type":"hello","email":"not an address"}`, nil, CodeInvalid},
		{"hello email without a dot", `{"type":"hello","email":"ann@localhost"}`, nil, CodeInvalid},
		{"hello email with display name", `{"type":"hello","email":"Ann <ann@example.com>"}`, nil, CodeInvalid},
		{"hello user_id without hash", `{"type":"hello","user_id":"u1"}`, nil, CodeInvalid},
		{"hello hash without user_id", `{"type":"hello","user_hash":"` + hash + `"}`, nil, CodeInvalid},
		{"hello token too long", `{"type":"hello","token":"` + long("a", MaxTokenBytes+1) + `"}`, nil, CodeInvalid},
		{"message", `{"type":"message","client_id":"c-1_A","text":"  Where is my order?\n"}`,
			&Send{ClientID: "c-1_A", Text: "Where is my order?"}, ""},
		{"message of 5000 runes", `{"type":"message","client_id":"c1","text":"` + long("ü", 5000) + `"}`,
			&Send{ClientID: "c1", Text: long("ü", 5000)}, ""},
		{"message of 5001 runes", `{"type":"message","client_id":"c1","text":"` + long("ü", 5001) + `"}`, nil, CodeInvalid},
		{"message empty text", `{"type":"message","client_id":"c1","text":""}`, nil, CodeInvalid},
		{"message blank text", `{"type":"message","client_id":"c1","text":" \n\t "}`, nil, CodeInvalid},
		{"message no client_id", `{"type":"message","text":"hi"}`, nil, CodeInvalid},
		{"message client_id with a space", `{"type":"message","client_id":"a b","text":"hi"}`, nil, CodeInvalid},
		{"message client_id of 65 bytes", `{"type":"message","client_id":"` + long("a", 65) + `","text":"hi"}`, nil, CodeInvalid},
		{"message text not a string", `{"type":"message","client_id":"c1","text":5}`, nil, CodeBadFrame},
		{"typing on", `{"type":"typing","on":true}`, &Typing{On: true}, ""},
		{"typing off by default", `{"type":"typing"}`, &Typing{}, ""},
		{"rating", `{"type":"rating","survey_id":"s1","score":5,"comment":" Great "}`,
			&Rating{SurveyID: "s1", Score: 5, Comment: "Great"}, ""},
		{"rating comment with NUL", `{"type":"rating","survey_id":"s1","score":4,"comment":"go\u0000od"}`,
			&Rating{SurveyID: "s1", Score: 4, Comment: "good"}, ""},
		{"rating lowest", `{"type":"rating","survey_id":"s1","score":1}`, &Rating{SurveyID: "s1", Score: 1}, ""},
		{"rating score 0", `{"type":"rating","survey_id":"s1","score":0}`, nil, CodeInvalid},
		{"rating score 6", `{"type":"rating","survey_id":"s1","score":6}`, nil, CodeInvalid},
		{"rating no survey_id", `{"type":"rating","score":3}`, nil, CodeInvalid},
		{"rating comment too long", `{"type":"rating","survey_id":"s1","score":3,"comment":"` + long("x", MaxCommentRunes+1) + `"}`, nil, CodeInvalid},
		{"unknown type", `{"type":"welcome"}`, nil, CodeUnknownType},
		{"empty type", `{"type":""}`, nil, CodeUnknownType},
		{"no type", `{"text":"hi"}`, nil, CodeBadFrame},
		{"type not a string", `{"type":1}`, nil, CodeBadFrame},
		{"null type", `{"type":null}`, nil, CodeBadFrame},
		{"array", `[{"type":"hello"}]`, nil, CodeBadFrame},
		{"not JSON", `hello`, nil, CodeBadFrame},
		{"empty", ``, nil, CodeBadFrame},
		{"too large", `{"type":"typing","pad":"` + long("x", MaxFrameBytes) + `"}`, nil, CodeBadFrame},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DecodeClient([]byte(tt.in))
			if tt.code != "" {
				var fe *FrameError
				if !errors.As(err, &fe) {
					t.Fatalf("DecodeClient = %#v, %v; want a FrameError %q", got, err, tt.code)
				}
				if fe.Code != tt.code {
					t.Fatalf("code = %q (%v), want %q", fe.Code, err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeClient: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("DecodeClient = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeClientRefusedMessageNamesClientID(t *testing.T) {
	t.Parallel()
	_, err := DecodeClient([]byte(`{"type":"message","client_id":"c9","text":"  "}`))
	var fe *FrameError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FrameError", err)
	}
	want := Error{Code: CodeInvalid, Message: "text is required", ClientID: "c9"}
	if got := fe.Frame(); got != want {
		t.Fatalf("Frame() = %#v, want %#v", got, want)
	}
	if got := fe.Error(); got != "chat: frame: invalid: text is required" {
		t.Fatalf("Error() = %q", got)
	}
}

// FuzzDecodeClient checks that no input panics and that whatever is accepted obeys
// the limits.
func FuzzDecodeClient(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","token":"t","last_id":3,"email":"a@b.c"}`,
		`{"type":"message","client_id":"c1","text":"hi"}`,
		`{"type":"typing","on":true}`,
		`{"type":"rating","survey_id":"s","score":4,"comment":"ok"}`,
		`{"type":"x"}`, `[]`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeClient(data)
		if err != nil {
			var fe *FrameError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FrameError", err)
			}
			return
		}
		switch v := fr.(type) {
		case *Hello:
			if v.LastID < 0 || (v.UserID == "") != (v.UserHash == "") {
				t.Fatalf("accepted %#v", v)
			}
		case *Send:
			if n := len([]rune(v.Text)); n == 0 || n > MaxTextRunes || !validID(v.ClientID) {
				t.Fatalf("accepted %#v", v)
			}
		case *Rating:
			if v.Score < 1 || v.Score > 5 || !validID(v.SurveyID) {
				t.Fatalf("accepted %#v", v)
			}
		case *Typing:
		default:
			t.Fatalf("unexpected frame %T", fr)
		}
	})
}
