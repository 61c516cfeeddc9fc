package okta

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkDPoPProof signs the DPoP proof of one API call with an ES256
// key, as the client does (claims written directly, header encoded once,
// deterministic ECDSA) and with github.com/golang-jwt/jwt/v5 signing the
// same header and claims, so that the reason for the hand-written signer
// stays measurable. Each proof has a fresh jti, as every request's does.
func BenchmarkDPoPProof(b *testing.B) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	s, err := newDPoPSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse("https://example.okta.com/api/v1/groups/00g1abcdefghijklmnop/users?limit=1000")
	now := time.Unix(1_760_000_000, 0)
	ath := ATH("eyJraWQiOiJhY2Nlc3MtdG9rZW4ifQ.e30.c2lnbmF0dXJl")
	jwk, err := (&jose.JSONWebKey{Key: key.Public()}).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	library := func() (string, error) {
		t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
			"htm": "GET", "htu": HTU(u), "iat": now.Unix(), "jti": newJTI(), "ath": ath,
		})
		t.Header["typ"] = "dpop+jwt"
		t.Header["jwk"] = json.RawMessage(jwk)
		return t.SignedString(key)
	}
	own := func() (string, error) { return s.proof("GET", u, now, "", ath) }

	// Both proofs verify with the public key and carry the same claims.
	for name, sign := range map[string]func() (string, error){"client": own, "golang-jwt": library} {
		proof, err := sign()
		if err != nil {
			b.Fatal(name, err)
		}
		claims := jwt.MapClaims{}
		tok, err := jwt.ParseWithClaims(proof, claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil },
			jwt.WithValidMethods([]string{"ES256"}), jwt.WithoutClaimsValidation())
		if err != nil || tok.Header["typ"] != "dpop+jwt" || tok.Header["jwk"] == nil {
			b.Fatalf("%s proof does not verify: %v (header %v)", name, err, tok.Header)
		}
		if claims["htm"] != "GET" || claims["htu"] != HTU(u) || claims["ath"] != ath || claims["jti"] == "" || claims["iat"] != float64(now.Unix()) {
			b.Fatalf("%s proof claims %v", name, claims)
		}
	}
	for _, bm := range []struct {
		name string
		sign func() (string, error)
	}{{"golang-jwt", library}, {"client", own}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bm.sign(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
