package email

import (
	"encoding/base64"
	"testing"
)

// TestXOAUTH2Exchange: the initial response is Google's and Microsoft's format, byte for byte
// (checked against its base64 computed elsewhere); a server's error challenge is answered with
// an empty response and kept for the message.
func TestXOAUTH2Exchange(t *testing.T) {
	x := &xoauth2{user: "support@example.com", token: "ya29.a0-token"}
	mech, ir, err := x.Start()
	if err != nil || mech != "XOAUTH2" || base64.StdEncoding.EncodeToString(ir) != "dXNlcj1zdXBwb3J0QGV4YW1wbGUuY29tAWF1dGg9QmVhcmVyIHlhMjkuYTAtdG9rZW4BAQ==" {
		t.Fatalf("Start: %s %q %v", mech, ir, err)
	}
	resp, err := x.Next([]byte(`{"status":"401","schemes":"bearer"}`))
	if err != nil || resp == nil || len(resp) != 0 || x.refusal != `{"status":"401","schemes":"bearer"}` {
		t.Fatalf("Next: %q %v, refusal %q", resp, err, x.refusal)
	}
}
