package email

import (
	"bytes"
	"context"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
)

// maxDKIMSignatures bounds the signatures checked on one message: each costs a DNS lookup.
const maxDKIMSignatures = 3

// dkimLookupTimeout bounds one DNS lookup of a DKIM key.
const dkimLookupTimeout = 3 * time.Second

// LookupTXT returns the DNS TXT records of a name, for DKIM public keys (FetcherConfig.LookupTXT).
type LookupTXT func(ctx context.Context, name string) ([]string, error)

// dnsTXT looks TXT records up in DNS with the system resolver.
func dnsTXT(ctx context.Context, name string) ([]string, error) {
	return net.DefaultResolver.LookupTXT(ctx, name)
}

// dkimDomain checks the message's DKIM signatures (RFC 6376) and returns the domain of the first
// valid one that vouches for its From address: signed by the From address's domain or a parent
// of it (relaxed alignment, as DMARC has it), with the From header among the signed fields. It
// returns "" when none does: no signature, a broken or unverifiable one, another domain's, or a
// message cut at the fetch cap.
func dkimDomain(ctx context.Context, lookup LookupTXT, raw []byte, from string) string {
	_, fromDomain, ok := strings.Cut(strings.ToLower(from), "@")
	if !ok || fromDomain == "" || !bytes.Contains(bytes.ToLower(raw), []byte("dkim-signature:")) {
		return ""
	}
	verifications, _ := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		MaxVerifications: maxDKIMSignatures,
		LookupTXT: func(name string) ([]string, error) {
			ctx, cancel := context.WithTimeout(ctx, dkimLookupTimeout)
			defer cancel()
			return lookup(ctx, name)
		},
	})
	for _, v := range verifications {
		d := strings.ToLower(strings.TrimSuffix(v.Domain, "."))
		if v.Err != nil || d == "" || !signsFrom(v.HeaderKeys) {
			continue
		}
		if fromDomain == d || strings.HasSuffix(fromDomain, "."+d) {
			return d
		}
	}
	return ""
}

// signsFrom reports whether the From header is among a signature's signed fields.
func signsFrom(keys []string) bool {
	for _, k := range keys {
		if strings.EqualFold(strings.TrimSpace(k), "From") {
			return true
		}
	}
	return false
}
