package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// oktaPrivateJWK renders a private key the way Okta's "Generate new key"
// dialog shows it: a single JWK with an Okta-assigned kid, alg and use.
func oktaPrivateJWK(t *testing.T, p *Pair, kid string) []byte {
	t.Helper()
	return mustJSON(t, jose.JSONWebKey{Key: p.Signer, KeyID: kid, Algorithm: p.Alg, Use: "sig"})
}

func TestParsePrivate(t *testing.T) {
	ecKey := ec256.Signer.(*ecdsa.PrivateKey)
	sec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(rsa2048.Signer)
	okta := oktaPrivateJWK(t, rsa2048, "oktaKid123")
	set := []byte(`{"keys":[` + string(oktaPrivateJWK(t, ec256, "")) + `]}`)
	for _, tc := range []struct {
		name    string
		in      []byte
		want    *Pair
		wantKid string
	}{
		{"PKCS#1 RSA", pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsa2048.Signer.(*rsa.PrivateKey))), rsa2048, rsa2048.KeyID},
		{"PKCS#8 RSA", pemOf("PRIVATE KEY", pkcs8RSA), rsa2048, rsa2048.KeyID},
		{"PKCS#8 RSA 3072 with blank lines", append(append([]byte("\n\n"), mustPEM(t, rsa3072)...), "\n  "...), rsa3072, rsa3072.KeyID},
		{"SEC 1 EC", pemOf("EC PRIVATE KEY", sec1), ec256, ec256.KeyID},
		{"PEM with Windows line ends", []byte(strings.ReplaceAll(string(pemOf("EC PRIVATE KEY", sec1)), "\n", "\r\n")), ec256, ec256.KeyID},
		{"JWK pretty-printed", mustIndent(t, oktaPrivateJWK(t, ec256, "")), ec256, ec256.KeyID},
		{"SEC 1 EC after EC PARAMETERS", append(pemOf("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}), pemOf("EC PRIVATE KEY", sec1)...), ec256, ec256.KeyID},
		{"Okta JWK keeps Okta's kid", okta, rsa2048, "oktaKid123"},
		{"JWK set with one EC key", set, ec256, ec256.KeyID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrivate(tc.in)
			if err != nil {
				t.Fatalf("ParsePrivate: %v", err)
			}
			if err := Match(got, tc.want.Public()); err != nil {
				t.Fatalf("parsed key is not the original: %v", err)
			}
			if got.KeyID != tc.wantKid || got.Alg != tc.want.Alg {
				t.Errorf("kid, alg = %q, %q; want %q, %q", got.KeyID, got.Alg, tc.wantKid, tc.want.Alg)
			}
		})
	}
}

func mustIndent(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	return append([]byte("\r\n"), out.Bytes()...)
}

func mustPEM(t *testing.T, p *Pair) []byte {
	t.Helper()
	b, err := p.PrivatePEM()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePrivateRefuses(t *testing.T) {
	weak8, _ := x509.MarshalPKCS8PrivateKey(rsa1024)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ed8, _ := x509.MarshalPKCS8PrivateKey(edKey)
	pubPEM, _ := rsa2048.PublicPEM()
	pubJWK, _ := ec256.PublicJWK()
	two := []byte(`{"keys":[` + string(oktaPrivateJWK(t, ec256, "a")) + `,` + string(oktaPrivateJWK(t, ec256b, "b")) + `]}`)
	var ecAsRS map[string]any
	_ = json.Unmarshal(oktaPrivateJWK(t, ec256, "x"), &ecAsRS)
	ecAsRS["alg"] = "RS256"
	var encUse map[string]any
	_ = json.Unmarshal(oktaPrivateJWK(t, ec256, "x"), &encUse)
	encUse["use"] = "enc"
	var noQ map[string]any
	_ = json.Unmarshal(oktaPrivateJWK(t, rsa2048, "x"), &noQ)
	delete(noQ, "q")
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "  \n", ErrGarbage},
		{"garbage", "hunter2 correct horse battery staple", ErrGarbage},
		{"broken JSON", `{"kty":"RSA",`, ErrGarbage},
		{"JSON without kty", `{"hello":"world"}`, ErrGarbage},
		{"damaged PEM", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", ErrGarbage},
		{"PEM header only", "-----BEGIN PRIVATE KEY-----", ErrGarbage},
		{"unknown PEM type", string(pemOf("OPENSSH PRIVATE KEY", []byte("x"))), ErrGarbage},
		{"public PEM", string(pubPEM), ErrPublicGiven},
		{"public JWK", string(pubJWK), ErrPublicGiven},
		{"RSA 1024 PEM", string(pemOf("PRIVATE KEY", weak8)), ErrWeakRSA},
		{"RSA 1024 JWK", string(mustJSON(t, jose.JSONWebKey{Key: rsa1024})), ErrWeakRSA},
		{"Ed25519", string(pemOf("PRIVATE KEY", ed8)), ErrUnsupported},
		{"symmetric JWK", `{"kty":"oct","k":"c2VjcmV0"}`, ErrUnsupported},
		{"encrypted PEM", string(pemOf("ENCRYPTED PRIVATE KEY", []byte("x"))), ErrEncrypted},
		{"two keys in a set", string(two), ErrAmbiguous},
		{"alg that does not fit", string(mustJSON(t, ecAsRS)), ErrUnsupported},
		{"encryption key", string(mustJSON(t, encUse)), ErrUnsupported},
		{"RSA JWK missing q", string(mustJSON(t, noQ)), ErrGarbage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePrivate([]byte(tc.in))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want kind %v", err, tc.want)
			}
			checkSentence(t, err)
			if len(tc.in) > 40 && strings.Contains(err.Error(), tc.in[20:40]) {
				t.Errorf("refusal echoes the pasted key: %q", err)
			}
		})
	}
}

func TestParsePublic(t *testing.T) {
	rsaPub := rsa2048.Signer.Public().(*rsa.PublicKey)
	jwk, _ := rsa3072.PublicJWK()
	for _, tc := range []struct {
		name    string
		in      []byte
		want    *Pair
		wantKid string
	}{
		{"PKIX PEM", must(rsa2048.PublicPEM()), rsa2048, rsa2048.KeyID},
		{"PKCS#1 PEM", pemOf("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(rsaPub)), rsa2048, rsa2048.KeyID},
		{"certificate", selfSignedCert(t, ec256), ec256, ec256.KeyID},
		{"JWK", jwk, rsa3072, rsa3072.KeyID},
		{"JWK with Okta kid", mustJSON(t, jose.JSONWebKey{Key: ec256.Signer.Public(), KeyID: "okta-kid", Use: "sig"}), ec256, "okta-kid"},
		{"JWK set", []byte(`{"keys":[` + string(must(ec256.PublicJWK())) + `]}`), ec256, ec256.KeyID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePublic(tc.in)
			if err != nil {
				t.Fatalf("ParsePublic: %v", err)
			}
			if err := Match(tc.want, got); err != nil {
				t.Fatal(err)
			}
			if got.KeyID != tc.wantKid || got.Alg != tc.want.Alg {
				t.Errorf("kid, alg = %q, %q; want %q, %q", got.KeyID, got.Alg, tc.wantKid, tc.want.Alg)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestParsePublicRefuses(t *testing.T) {
	weak, _ := x509.MarshalPKIXPublicKey(&rsa1024.PublicKey)
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrGarbage},
		{"garbage", "ssh-rsa AAAAB3NzaC1yc2E", ErrGarbage},
		{"private PEM", string(mustPEM(t, rsa2048)), ErrPrivateGiven},
		{"private JWK", string(oktaPrivateJWK(t, ec256, "k")), ErrPrivateGiven},
		{"RSA 1024", string(pemOf("PUBLIC KEY", weak)), ErrWeakRSA},
		{"damaged PEM", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", ErrGarbage},
		{"symmetric JWK", `{"kty":"oct","k":"c2VjcmV0"}`, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePublic([]byte(tc.in))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want kind %v", err, tc.want)
			}
			checkSentence(t, err)
		})
	}
}

// TestParsePrivateRefusesECKeyWhoseDDoesNotMatch pastes an EC JWK whose
// private scalar d belongs to another key than its public point x/y: such a
// key would sign with one key while Okta holds the other.
func TestParsePrivateRefusesECKeyWhoseDDoesNotMatch(t *testing.T) {
	var mixed, other map[string]any
	if err := json.Unmarshal(oktaPrivateJWK(t, ec256, "x"), &mixed); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(oktaPrivateJWK(t, ec256b, "x"), &other); err != nil {
		t.Fatal(err)
	}
	mixed["d"] = other["d"]
	in := mustJSON(t, mixed)
	_, err := ParsePrivate(in)
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("err = %v, want kind %v", err, ErrMismatch)
	}
	checkSentence(t, err)
	for _, want := range []string{"EC private key", "\"d\"", "\"x\"", "\"y\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), other["d"].(string)) {
		t.Errorf("refusal echoes the private key: %q", err)
	}
}
