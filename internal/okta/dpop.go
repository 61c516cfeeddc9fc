package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// signingMethod picks the JWS algorithm for a private key.
func signingMethod(key crypto.Signer, alg string) (jwt.SigningMethod, error) {
	if alg != "" {
		m := jwt.GetSigningMethod(alg)
		if m == nil {
			return nil, fmt.Errorf("unsupported signing algorithm %q: use RS256 or ES256", alg)
		}
		return m, nil
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return jwt.SigningMethodRS256, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return jwt.SigningMethodES256, nil
		case elliptic.P384():
			return jwt.SigningMethodES384, nil
		case elliptic.P521():
			return jwt.SigningMethodES512, nil
		}
	}
	return nil, fmt.Errorf("unsupported private key type %T: use an RSA or EC P-256 key", key)
}

// dpopSigner makes DPoP proofs (RFC 9449) with one key. The protected
// header, which carries the public JWK, is encoded once.
type dpopSigner struct {
	key    crypto.Signer
	method jwt.SigningMethod
	header string // base64url of {"alg","typ":"dpop+jwt","jwk"}
	jkt    string // RFC 7638 thumbprint of the public key
}

func newDPoPSigner(key crypto.Signer) (*dpopSigner, error) {
	m, err := signingMethod(key, "")
	if err != nil {
		return nil, fmt.Errorf("DPoP key: %w", err)
	}
	pub := jose.JSONWebKey{Key: key.Public()}
	jwkJSON, err := pub.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("DPoP key: encode public JWK: %w", err)
	}
	sum, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("DPoP key: thumbprint: %w", err)
	}
	hdr, err := json.Marshal(struct {
		Alg string          `json:"alg"`
		Typ string          `json:"typ"`
		JWK json.RawMessage `json:"jwk"`
	}{m.Alg(), "dpop+jwt", jwkJSON})
	if err != nil {
		return nil, fmt.Errorf("DPoP key: encode header: %w", err)
	}
	return &dpopSigner{
		key:    key,
		method: m,
		header: base64.RawURLEncoding.EncodeToString(hdr),
		jkt:    base64.RawURLEncoding.EncodeToString(sum),
	}, nil
}

// dpopClaims are the claims of a DPoP proof.
type dpopClaims struct {
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	JTI   string `json:"jti"`
	Nonce string `json:"nonce,omitempty"`
	ATH   string `json:"ath,omitempty"`
}

// proof signs a DPoP proof for one request. accessToken is empty at the
// token endpoint; otherwise ath binds the proof to it.
func (s *dpopSigner) proof(method string, u *url.URL, now time.Time, nonce, accessToken string) (string, error) {
	c := dpopClaims{HTM: method, HTU: HTU(u), IAT: now.Unix(), JTI: newJTI(), Nonce: nonce}
	if accessToken != "" {
		c.ATH = ATH(accessToken)
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("DPoP proof: %w", err)
	}
	var b strings.Builder
	b.Grow(len(s.header) + 1 + base64.RawURLEncoding.EncodedLen(len(body)) + 400)
	b.WriteString(s.header)
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(body))
	sig, err := s.method.Sign(b.String(), s.key)
	if err != nil {
		return "", fmt.Errorf("sign DPoP proof: %w", err)
	}
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(sig))
	return b.String(), nil
}

// HTU is the DPoP htu of a request URL: scheme, host and path, without
// query or fragment (RFC 9449 section 4.2).
func HTU(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// ATH is the DPoP ath of an access token: base64url(SHA-256(token)).
func ATH(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newJTI returns a random, unique JWT id (128 bits of randomness).
func newJTI() string { return rand.Text() }
