package keys

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzKeyImport feeds pasted text (PEM, JWK, a JWK set, anything) to both
// importers. A refusal is one documented kind with a one-sentence, one-line
// message. A private key that is accepted is not also a public key; it
// re-imports from the PKCS#8 PEM the keyring keeps as the same key, and its
// public half exports as a JWK that imports back with the same kid and alg
// and matches it. An accepted public key re-imports from its JWK with the
// same kid and alg and from its PEM as the same key.
func FuzzKeyImport(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		priv, perr := ParsePrivate(data)
		pub, uerr := ParsePublic(data)
		checkRefusal(t, "ParsePrivate", perr)
		checkRefusal(t, "ParsePublic", uerr)
		if perr == nil && uerr == nil {
			t.Fatalf("the same text imports as a private key and as a public key")
		}
		if perr == nil {
			checkPrivate(t, priv)
		}
		if uerr == nil {
			checkPublic(t, pub)
		}
	})
}

// checkRefusal checks that err, when set, is one of the documented kinds
// with a one-line sentence.
func checkRefusal(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var r *refusal
	if !errors.As(err, &r) {
		t.Fatalf("%s: error %v (%T) is not a refusal of a documented kind", what, err, err)
	}
	n := 0
	for _, k := range []error{ErrGarbage, ErrPublicGiven, ErrPrivateGiven, ErrWeakRSA, ErrUnsupported, ErrEncrypted, ErrMismatch, ErrAmbiguous} {
		if errors.Is(err, k) {
			n++
		}
	}
	msg := err.Error()
	switch {
	case n != 1:
		t.Fatalf("%s: error %q matches %d kinds, want exactly one", what, msg, n)
	case strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg):
		t.Fatalf("%s: error is not one line of text: %q", what, msg)
	case !strings.HasSuffix(msg, "."):
		t.Fatalf("%s: error %q is not a sentence", what, msg)
	}
}

func checkPrivate(t *testing.T, p *Pair) {
	t.Helper()
	if p.Signer == nil || p.KeyID == "" || p.Alg == "" {
		t.Fatalf("ParsePrivate accepted an incomplete key: %+v", p)
	}
	pemText, err := p.PrivatePEM()
	if err != nil {
		t.Fatalf("PrivatePEM of an imported key: %v", err)
	}
	again, err := ParsePrivate(pemText)
	if err != nil {
		t.Fatalf("the key's PKCS#8 PEM does not import: %v", err)
	}
	if !sameKey(again.Signer.Public(), p.Signer.Public()) {
		t.Fatalf("the key's PKCS#8 PEM imports as another key")
	}
	if err := Match(again, p.Public()); err != nil {
		t.Fatalf("Match of the key with its own public half: %v", err)
	}
	checkPublic(t, p.Public())
}

func checkPublic(t *testing.T, p *Public) {
	t.Helper()
	if p.Key == nil || p.KeyID == "" || p.Alg == "" {
		t.Fatalf("ParsePublic accepted an incomplete key: %+v", p)
	}
	jwk, err := p.JWK()
	if err != nil {
		t.Fatalf("JWK of an imported key: %v", err)
	}
	back, err := ParsePublic(jwk)
	if err != nil {
		t.Fatalf("the exported JWK does not import: %v\n%s", err, jwk)
	}
	if !sameKey(back.Key, p.Key) || back.KeyID != p.KeyID || back.Alg != p.Alg {
		t.Fatalf("the exported JWK imports as kid %q alg %q, want kid %q alg %q (same key: %v)",
			back.KeyID, back.Alg, p.KeyID, p.Alg, sameKey(back.Key, p.Key))
	}
	if _, err := ParsePrivate(jwk); !errors.Is(err, ErrPublicGiven) {
		t.Fatalf("the public JWK pasted as a private key: %v, want ErrPublicGiven", err)
	}
	pemText, err := p.PEM()
	if err != nil {
		t.Fatalf("PEM of an imported key: %v", err)
	}
	back, err = ParsePublic(pemText)
	if err != nil {
		t.Fatalf("the exported PEM does not import: %v", err)
	}
	if want, _ := p.Thumbprint(); !sameKey(back.Key, p.Key) || back.KeyID != want {
		t.Fatalf("the exported PEM imports as kid %q, want the thumbprint %q", back.KeyID, want)
	}
}
