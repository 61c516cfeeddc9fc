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
	"errors"
	"fmt"
	"net/url"
	"strconv"
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
// header, which carries the public JWK, is encoded once; so is the ath of
// each access token (accessToken.ath).
type dpopSigner struct {
	key    crypto.Signer
	method jwt.SigningMethod
	header string // base64url of {"alg","typ":"dpop+jwt","jwk"}
	jkt    string // RFC 7638 thumbprint of the public key
	// For an EC key: the private key, the JWS hash and the size of r and s.
	ec     *ecdsa.PrivateKey
	hash   crypto.Hash
	ecSize int
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
	s := &dpopSigner{
		key:    key,
		method: m,
		header: base64.RawURLEncoding.EncodeToString(hdr),
		jkt:    base64.RawURLEncoding.EncodeToString(sum),
	}
	if ec, ok := key.(*ecdsa.PrivateKey); ok {
		if es, ok := m.(*jwt.SigningMethodECDSA); ok {
			s.ec, s.hash, s.ecSize = ec, es.Hash, (es.CurveBits+7)/8
		}
	}
	return s, nil
}

// proof signs a DPoP proof for one request. ath is empty at the token
// endpoint; otherwise it binds the proof to the access token (ATH).
func (s *dpopSigner) proof(method string, u *url.URL, now time.Time, nonce, ath string) (string, error) {
	// The claims, written directly: htm, htu, iat, jti, then nonce and ath
	// when set.
	body := make([]byte, 0, 256+len(nonce)+len(ath))
	body = append(body, `{"htm":`...)
	body = appendJSONString(body, method)
	body = append(body, `,"htu":`...)
	body = appendJSONString(body, HTU(u))
	body = append(body, `,"iat":`...)
	body = strconv.AppendInt(body, now.Unix(), 10)
	body = append(body, `,"jti":`...)
	body = appendJSONString(body, newJTI())
	if nonce != "" {
		body = append(body, `,"nonce":`...)
		body = appendJSONString(body, nonce)
	}
	if ath != "" {
		body = append(body, `,"ath":`...)
		body = appendJSONString(body, ath)
	}
	body = append(body, '}')

	enc := base64.RawURLEncoding
	out := make([]byte, 0, len(s.header)+1+enc.EncodedLen(len(body))+1+enc.EncodedLen(2*66+512))
	out = append(out, s.header...)
	out = append(out, '.')
	out = enc.AppendEncode(out, body)
	sig, err := s.sign(out)
	if err != nil {
		return "", fmt.Errorf("sign DPoP proof: %w", err)
	}
	out = append(out, '.')
	out = enc.AppendEncode(out, sig)
	return string(out), nil
}

// sign signs the JWS signing input. EC keys sign deterministically
// (RFC 6979, a nil random source): the signature is an ordinary ECDSA
// signature, its nonce derived from the key and the message with SHA-256
// rather than drawn and mixed with SHA-512, which costs about a quarter
// less CPU per proof; every proof's message differs by its jti.
func (s *dpopSigner) sign(input []byte) ([]byte, error) {
	if s.ec == nil {
		return s.method.Sign(string(input), s.key)
	}
	h := s.hash.New()
	h.Write(input)
	der, err := s.ec.Sign(nil, h.Sum(nil), s.hash)
	if err != nil {
		return nil, err
	}
	return derToJWS(der, s.ecSize)
}

// derToJWS converts an ASN.1 DER ECDSA signature, SEQUENCE { INTEGER r,
// INTEGER s }, to the JWS form: r and s as big-endian numbers of size
// bytes each (RFC 7518 section 3.4).
func derToJWS(der []byte, size int) ([]byte, error) {
	bad := errors.New("malformed ECDSA signature")
	if len(der) < 2 || der[0] != 0x30 {
		return nil, bad
	}
	n, rest := int(der[1]), der[2:]
	if n == 0x81 { // long form, for P-521
		if len(rest) < 1 {
			return nil, bad
		}
		n, rest = int(rest[0]), rest[1:]
	} else if n > 0x7f {
		return nil, bad
	}
	if n != len(rest) {
		return nil, bad
	}
	out := make([]byte, 2*size)
	for i := range 2 {
		var v []byte
		var ok bool
		if v, rest, ok = derInteger(rest, size); !ok {
			return nil, bad
		}
		copy(out[(i+1)*size-len(v):(i+1)*size], v)
	}
	if len(rest) != 0 {
		return nil, bad
	}
	return out, nil
}

// derInteger reads a DER INTEGER of at most size bytes (leading zeros
// dropped) from the start of b, and returns it with the bytes after it.
func derInteger(b []byte, size int) (v, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != 0x02 {
		return nil, nil, false
	}
	l := int(b[1])
	if l > 0x7f || len(b) < 2+l {
		return nil, nil, false
	}
	v, rest = b[2:2+l], b[2+l:]
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	return v, rest, len(v) <= size
}

// appendJSONString appends s as a JSON string. The claims of a proof are
// plain ASCII as a rule; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
