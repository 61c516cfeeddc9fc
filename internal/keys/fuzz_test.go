package keys

import (
	"errors"
	"testing"
)

// FuzzParse checks that no pasted text makes the parsers panic, and that
// every refusal is one of the documented kinds.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "{", `{"kty":"RSA"}`, `{"kty":"EC","crv":"P-256","x":"","y":""}`, `{"keys":[]}`, `{"keys":[{"kty":"EC"}]}`,
		"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
		string(must(ec256.PrivatePEM())), string(must(rsa2048.PublicJWK())),
	} {
		f.Add([]byte(seed))
	}
	kinds := []error{ErrGarbage, ErrPublicGiven, ErrPrivateGiven, ErrWeakRSA, ErrUnsupported, ErrEncrypted, ErrMismatch, ErrAmbiguous}
	known := func(err error) bool {
		for _, k := range kinds {
			if errors.Is(err, k) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, err := ParsePrivate(data); err != nil && !known(err) {
			t.Errorf("ParsePrivate: undocumented error %v", err)
		} else if err == nil && (p.Signer == nil || p.KeyID == "" || p.Alg == "") {
			t.Errorf("ParsePrivate accepted an incomplete key: %+v", p)
		}
		if p, err := ParsePublic(data); err != nil && !known(err) {
			t.Errorf("ParsePublic: undocumented error %v", err)
		} else if err == nil && (p.Key == nil || p.KeyID == "" || p.Alg == "") {
			t.Errorf("ParsePublic accepted an incomplete key: %+v", p)
		}
	})
}
