package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Keys generated once for the whole package: RSA generation is slow.
var (
	rsa2048, rsa3072, ec256, ec256b *Pair
	rsa1024                         *rsa.PrivateKey
)

func TestMain(m *testing.M) {
	var err error
	must := func(p *Pair, e error) *Pair {
		if e != nil {
			err = e
		}
		return p
	}
	rsa2048 = must(Generate(RS256, 2048))
	rsa3072 = must(Generate(RS256, 3072))
	ec256 = must(Generate(ES256, 0))
	ec256b = must(Generate(ES256, 0))
	if err == nil {
		rsa1024, err = rsa.GenerateKey(rand.Reader, 1024)
	}
	if err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pair    *Pair
		alg     string
		members []string
		bits    int
	}{
		{"RSA 2048", rsa2048, RS256, []string{"kty", "e", "n", "kid", "alg", "use"}, 2048},
		{"RSA 3072", rsa3072, RS256, []string{"kty", "e", "n", "kid", "alg", "use"}, 3072},
		{"EC P-256", ec256, ES256, []string{"kty", "crv", "x", "y", "kid", "alg", "use"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.pair.Alg != tc.alg {
				t.Errorf("alg = %q, want %q", tc.pair.Alg, tc.alg)
			}
			if k, ok := tc.pair.Signer.(*rsa.PrivateKey); ok && k.N.BitLen() != tc.bits {
				t.Errorf("bits = %d, want %d", k.N.BitLen(), tc.bits)
			}
			jwk := jose.JSONWebKey{Key: tc.pair.Signer.Public()}
			sum, err := jwk.Thumbprint(crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			tp, _ := Thumbprint(tc.pair.Signer.Public())
			if tc.pair.KeyID != tp || len(sum) != 32 {
				t.Errorf("kid = %q, want thumbprint %q", tc.pair.KeyID, tp)
			}
			raw, err := tc.pair.PublicJWK()
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			for _, k := range tc.members {
				if _, ok := m[k]; !ok {
					t.Errorf("public JWK lacks %q: %s", k, raw)
				}
			}
			if len(m) != len(tc.members) {
				t.Errorf("public JWK has extra members (private material?): %s", raw)
			}
			if m["use"] != "sig" || m["kid"] != tc.pair.KeyID || m["alg"] != tc.alg {
				t.Errorf("public JWK use/kid/alg wrong: %s", raw)
			}
			// The exported forms read back as the same key.
			pub, err := ParsePublic(raw)
			if err != nil {
				t.Fatal(err)
			}
			if err := Match(tc.pair, pub); err != nil {
				t.Errorf("JWK round trip: %v", err)
			}
			pemText, err := tc.pair.PublicPEM()
			if err != nil {
				t.Fatal(err)
			}
			pub2, err := ParsePublic(pemText)
			if err != nil {
				t.Fatal(err)
			}
			if err := Match(tc.pair, pub2); err != nil || pub2.KeyID != tc.pair.KeyID {
				t.Errorf("PEM round trip: %v (kid %q)", err, pub2.KeyID)
			}
			priv, err := tc.pair.PrivatePEM()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParsePrivate(priv)
			if err != nil {
				t.Fatal(err)
			}
			if back.KeyID != tc.pair.KeyID || back.Alg != tc.alg || Match(back, pub) != nil {
				t.Errorf("private PEM round trip: kid %q alg %q", back.KeyID, back.Alg)
			}
		})
	}
	if ec256.KeyID == ec256b.KeyID {
		t.Error("two generated keys share a kid")
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		alg  string
		bits int
		want string
	}{
		{"short RSA", RS256, 1024, "2048 or 3072"},
		{"odd RSA", RS256, 4000, "2048 or 3072"},
		{"HMAC", "HS256", 0, "RS256 or ES256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.alg, tc.bits)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMatchAndDistinct(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"matching pair", Match(rsa2048, rsa2048.Public()), nil},
		{"mismatched RSA", Match(rsa2048, rsa3072.Public()), ErrMismatch},
		{"mismatched EC", Match(ec256, ec256b.Public()), ErrMismatch},
		{"RSA private, EC public", Match(rsa2048, ec256.Public()), ErrMismatch},
		{"missing public", Match(rsa2048, nil), ErrMismatch},
		{"distinct keys", Distinct(rsa2048, ec256), nil},
		{"same key twice", Distinct(ec256, &Pair{Signer: ec256.Signer, KeyID: "other", Alg: ES256}), ErrSameKey},
		{"no DPoP key", Distinct(rsa2048, nil), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !errors.Is(tc.err, tc.want) || (tc.want == nil) != (tc.err == nil) {
				t.Fatalf("err = %v, want %v", tc.err, tc.want)
			}
			if tc.err != nil {
				checkSentence(t, tc.err)
			}
		})
	}
}

// checkSentence asserts a refusal is one sentence without key material.
func checkSentence(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasSuffix(msg, ".") || strings.Count(msg, ". ") != 0 || strings.Contains(msg, "\n") {
		t.Errorf("refusal is not one sentence: %q", msg)
	}
	if strings.Contains(msg, "go-jose") || strings.Contains(msg, "asn1") || strings.Contains(msg, "BEGIN") && !strings.Contains(msg, "-----BEGIN PRIVATE KEY-----") && !strings.Contains(msg, "-----BEGIN PUBLIC KEY-----") && !strings.Contains(msg, "BEGIN and END") {
		t.Errorf("refusal leaks library detail: %q", msg)
	}
}

func selfSignedCert(t *testing.T, p *Pair) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rolesync test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, p.Signer.Public(), p.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf("CERTIFICATE", der)
}
