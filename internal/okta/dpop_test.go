package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

func TestDPoPProofVerifies(t *testing.T) {
	ec := func(c elliptic.Curve) crypto.Signer {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://Example.okta.com:8443/api/v1/groups/00g1/users?limit=1000&after=x")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		key    crypto.Signer
		alg    string
		rounds int // enough for r or s with leading zero bytes
		nonce  string
		ath    string
	}{
		{name: "ES256", key: ec(elliptic.P256()), alg: "ES256", rounds: 600, nonce: "n-1", ath: ATH("tok")},
		{name: "ES384", key: ec(elliptic.P384()), alg: "ES384", rounds: 20},
		{name: "ES512", key: ec(elliptic.P521()), alg: "ES512", rounds: 20, ath: ATH("tok")},
		{name: "RS256", key: rk, alg: "RS256", rounds: 2, nonce: "n-1"},
		{name: "nonce that needs escaping", key: ec(elliptic.P256()), alg: "ES256", rounds: 1, nonce: "a\"b\\c\u00e9\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newDPoPSigner(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			jtis := map[string]bool{}
			for range tt.rounds {
				proof, err := s.proof("GET", u, now, tt.nonce, tt.ath)
				if err != nil {
					t.Fatal(err)
				}
				claims := jwt.MapClaims{}
				tok, err := jwt.ParseWithClaims(proof, claims, func(tok *jwt.Token) (any, error) {
					raw, _ := json.Marshal(tok.Header["jwk"])
					var jwk jose.JSONWebKey
					if err := jwk.UnmarshalJSON(raw); err != nil {
						return nil, err
					}
					return jwk.Key, nil
				}, jwt.WithValidMethods([]string{tt.alg}), jwt.WithIssuedAt(), jwt.WithTimeFunc(func() time.Time { return now }))
				if err != nil {
					t.Fatalf("proof does not verify: %v", err)
				}
				if tok.Header["typ"] != "dpop+jwt" {
					t.Fatalf("typ %v", tok.Header["typ"])
				}
				want := map[string]any{"htm": "GET", "htu": "https://example.okta.com:8443/api/v1/groups/00g1/users", "iat": float64(now.Unix())}
				if tt.nonce != "" {
					want["nonce"] = tt.nonce
				}
				if tt.ath != "" {
					want["ath"] = tt.ath
				}
				for k, v := range want {
					if claims[k] != v {
						t.Fatalf("claim %s = %#v, want %#v", k, claims[k], v)
					}
				}
				jti, _ := claims["jti"].(string)
				if jti == "" || jtis[jti] {
					t.Fatalf("jti %q missing or repeated", jti)
				}
				jtis[jti] = true
				if len(claims) != len(want)+1 {
					t.Fatalf("claims %v, want only %v and jti", claims, want)
				}
			}
		})
	}
}

func TestDERToJWS(t *testing.T) {
	tests := []struct {
		name string
		der  []byte
		size int
		want []byte
		err  bool
	}{
		{name: "short r, padded s", der: []byte{0x30, 0x07, 0x02, 0x01, 0x05, 0x02, 0x02, 0x00, 0x80}, size: 2, want: []byte{0, 5, 0, 0x80}},
		{name: "full size", der: []byte{0x30, 0x08, 0x02, 0x02, 0x12, 0x34, 0x02, 0x02, 0x56, 0x78}, size: 2, want: []byte{0x12, 0x34, 0x56, 0x78}},
		{name: "not a sequence", der: []byte{0x31, 0x00}, size: 2, err: true},
		{name: "length mismatch", der: []byte{0x30, 0x09, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06}, size: 2, err: true},
		{name: "integer too long", der: []byte{0x30, 0x08, 0x02, 0x03, 0x01, 0x02, 0x03, 0x02, 0x01, 0x06}, size: 2, err: true},
		{name: "trailing bytes", der: []byte{0x30, 0x08, 0x02, 0x01, 0x05, 0x02, 0x01, 0x06, 0x00, 0x00}, size: 2, err: true},
		{name: "one integer", der: []byte{0x30, 0x03, 0x02, 0x01, 0x05}, size: 2, err: true},
		{name: "empty", der: nil, size: 2, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := derToJWS(tt.der, tt.size)
			if tt.err {
				if err == nil {
					t.Fatalf("derToJWS = %x, want an error", got)
				}
				return
			}
			if err != nil || string(got) != string(tt.want) {
				t.Fatalf("derToJWS = %x, %v; want %x", got, err, tt.want)
			}
		})
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain-ASCII_123", `q"uote`, `back\slash`, "tab\t", "é", "<&>"} {
		t.Run(s, func(t *testing.T) {
			var got string
			if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil || got != s {
				t.Fatalf("round trip of %q: %q, %v", s, got, err)
			}
			if strings.ContainsAny(s, "\"\\\t") && !strings.Contains(string(appendJSONString(nil, s)), `\`) {
				t.Fatalf("%q not escaped", s)
			}
		})
	}
}
