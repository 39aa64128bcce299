package email_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/parleyhq/parley/channels/email"
	"github.com/parleyhq/parley/inbox"
)

// dkimKeys is a DNS of DKIM public keys (selector._domainkey.domain TXT records).
type dkimKeys map[string]string

func (k dkimKeys) lookup(_ context.Context, name string) ([]string, error) {
	if rec, ok := k[name]; ok {
		return []string{rec}, nil
	}
	return nil, fmt.Errorf("no TXT record for %s", name)
}

// sign signs raw as domain with key, covering headers (all when nil).
func sign(t *testing.T, raw []byte, domain string, key ed25519.PrivateKey, headers []string) []byte {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: "s1", Signer: key,
		HeaderKeys: headers, HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestDKIMVerifiesTheSender: a valid DKIM signature of the From address's domain (or a parent
// domain) makes the address verified; an unsigned message, a body changed after signing, a
// signature of another domain, one whose key is not in DNS and one that leaves From unsigned
// leave it claimed. Each sender is new, so each message makes its own identity.
func TestDKIMVerifiesTheSender(t *testing.T) {
	t.Parallel()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rec := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	keys := dkimKeys{"s1._domainkey.customer.example": rec, "s1._domainkey.mailer.example": rec}
	e := setup(t, envOptions{fetcher: email.FetcherConfig{LookupTXT: keys.lookup}})

	cases := []struct {
		name, from string
		raw        func(raw []byte) []byte
		verified   bool
	}{
		{"signed by the sender's domain", "ann@customer.example", func(r []byte) []byte {
			return sign(t, r, "customer.example", key, nil)
		}, true},
		{"signed by a parent domain", "ben@eu.customer.example", func(r []byte) []byte {
			return sign(t, r, "customer.example", key, nil)
		}, true},
		{"unsigned", "cid@customer.example", func(r []byte) []byte { return r }, false},
		{"body changed after signing", "dee@customer.example", func(r []byte) []byte {
			return bytes.Replace(sign(t, r, "customer.example", key, nil), []byte("refund"), []byte("rEfund"), 1)
		}, false},
		{"signed by another domain", "eve@customer.example", func(r []byte) []byte {
			return sign(t, r, "mailer.example", key, nil)
		}, false},
		{"key not in DNS", "fay@other.example", func(r []byte) []byte {
			return sign(t, r, "other.example", key, nil)
		}, false},
	}
	for i, c := range cases {
		id := fmt.Sprintf("dkim%d@customer.example", i)
		e.imap.Append(t, c.raw(customerMail(id, c.from, "Refund", "Please refund order 5521.")))
		e.poll()
		m := e.messageByEmailID(id)
		contact, err := e.store.ContactByIdentity(context.Background(), inbox.IdentityEmail, c.from)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var verified bool
		for _, idn := range contact.Identities {
			if idn.Address == c.from {
				verified = idn.Verified
			}
		}
		meta, _ := m.Metadata["email"].(map[string]any)
		if verified != c.verified || (meta["sender"] == "verified") != c.verified {
			t.Errorf("%s: identity verified %v, metadata sender %v; want verified %v", c.name, verified, meta["sender"], c.verified)
		}
	}
}
