// Package keys generates, imports and exports the key pairs rolesync uses to
// authenticate to Okta: one pair for client authentication (private_key_jwt)
// and, in the Scoped DPoP mode, a second pair for DPoP proofs. Public keys are
// exported as the JWK Okta's "Add a public key" dialog accepts and as PEM;
// private keys are imported from PEM (PKCS#1, PKCS#8, SEC 1) or from the JWK
// Okta's "Generate new key" shows. Key ids are RFC 7638 thumbprints.
package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// Signing algorithms rolesync generates keys for.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// MinRSABits is the smallest RSA modulus rolesync accepts.
const MinRSABits = 2048

// Pair is a private key with the id and algorithm it signs under.
type Pair struct {
	// Signer is the private key (*rsa.PrivateKey or *ecdsa.PrivateKey).
	Signer crypto.Signer
	// KeyID is the kid Okta knows the public half by: the RFC 7638
	// thumbprint for generated keys, or the kid an imported JWK carried.
	KeyID string
	// Alg is the JWS algorithm: RS256/RS384/RS512 or ES256/ES384/ES512.
	Alg string
}

// Public is a public key with the id and algorithm it verifies.
type Public struct {
	Key   crypto.PublicKey
	KeyID string
	Alg   string
}

// Generate makes a new key pair. alg is RS256 or ES256; bits is the RSA
// modulus size (2048 or 3072) and is ignored for ES256 (always P-256).
func Generate(alg string, bits int) (*Pair, error) {
	var signer crypto.Signer
	switch alg {
	case RS256:
		if bits != 2048 && bits != 3072 {
			return nil, fmt.Errorf("RSA keys must be 2048 or 3072 bits, not %d", bits)
		}
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		signer = k
	case ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate EC key: %w", err)
		}
		signer = k
	default:
		return nil, fmt.Errorf("unsupported key algorithm %q: choose RS256 or ES256", alg)
	}
	kid, err := Thumbprint(signer.Public())
	if err != nil {
		return nil, err
	}
	return &Pair{Signer: signer, KeyID: kid, Alg: alg}, nil
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of a public key,
// base64url-encoded without padding.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

// Public returns the public half of the pair.
func (p *Pair) Public() *Public {
	return &Public{Key: p.Signer.Public(), KeyID: p.KeyID, Alg: p.Alg}
}

// PublicJWK returns the public key as the JWK Okta's "Add a public key"
// dialog and the Apps API accept: kty, e and n (RSA) or crv, x and y (EC),
// plus kid, alg and "use":"sig".
func (p *Pair) PublicJWK() ([]byte, error) { return p.Public().JWK() }

// PublicPEM returns the public key as a PEM "PUBLIC KEY" block (PKIX).
func (p *Pair) PublicPEM() ([]byte, error) { return p.Public().PEM() }

// PrivatePEM returns the private key as a PEM "PRIVATE KEY" block (PKCS#8),
// the form rolesync keeps in the keyring. The result is a secret.
func (p *Pair) PrivatePEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(p.Signer)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// JWK returns the public key as a JWK with kid, alg and "use":"sig".
func (p *Public) JWK() ([]byte, error) {
	b, err := json.Marshal(jose.JSONWebKey{Key: p.Key, KeyID: p.KeyID, Algorithm: p.Alg, Use: "sig"})
	if err != nil {
		return nil, fmt.Errorf("encode public JWK: %w", err)
	}
	return b, nil
}

// PEM returns the public key as a PEM "PUBLIC KEY" block (PKIX).
func (p *Public) PEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(p.Key)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// Thumbprint returns the RFC 7638 thumbprint of the public key.
func (p *Public) Thumbprint() (string, error) { return Thumbprint(p.Key) }

// defaultAlg picks the JWS algorithm for a key when none is given.
func defaultAlg(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return RS256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
	}
	return "", errUnsupportedType
}

// sameKey reports whether two public keys are the same key.
func sameKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}
