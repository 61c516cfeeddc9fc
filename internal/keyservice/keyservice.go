// Package keyservice generates, reads and keeps the key pairs rolesync signs
// with towards Okta: an RSA pair for client authentication and an EC P-256
// pair for DPoP proofs. Private halves go to a KeyStore (the keyring in the
// app); only Export hands one out. The setup wizard drives it.
package keyservice

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	"github.com/rolesync/rolesync/internal/keys"
)

// Key uses: the client-authentication key pair and the DPoP key pair.
const (
	UseClient = "client"
	UseDPoP   = "dpop"
)

// Info describes a key pair whose private half the service holds.
type Info struct {
	PublicJWK  string // public key as JWK JSON, for Okta's "Add a public key"
	KeyID      string // kid
	Thumbprint string // RFC 7638 thumbprint; equal thumbprints mean the same key
	Summary    string // e.g. "RSA 2048-bit"
}

// KeyStore keeps private keys as PEM by use (UseClient, UseDPoP). The app
// backs it with the keyring.
type KeyStore interface {
	PutKey(ctx context.Context, use string, privatePEM []byte) error
	GetKey(ctx context.Context, use string) ([]byte, error)
}

// Service generates key pairs (RSA 2048-bit RS256 for client
// authentication, EC P-256 ES256 for DPoP), reads pasted PEM or JWK keys,
// and keeps private halves in a KeyStore.
type Service struct{ store KeyStore }

// New returns a Service that keeps private halves in store.
func New(store KeyStore) Service { return Service{store: store} }

// Generate makes a new key pair for use (UseClient or UseDPoP) and keeps
// its private half.
func (s Service) Generate(ctx context.Context, use string) (Info, error) {
	// The client key is RSA, as Okta's own "Generate new key" makes; the
	// DPoP key signs a proof on every API call, where ES256 costs a small
	// fraction of RS256.
	alg, bits := keys.RS256, 2048
	if use == UseDPoP {
		alg = keys.ES256
	}
	pair, err := keys.Generate(alg, bits)
	if err != nil {
		return Info{}, fmt.Errorf("generate the key pair: %w", err)
	}
	return s.keep(ctx, use, pair)
}

// Inspect parses a pasted private key (PEM or JWK) and, when publicText is
// not empty, checks that the public key is its pair. It stores nothing.
func (s Service) Inspect(privateText, publicText string) (Info, error) {
	pair, err := keys.ParsePrivate([]byte(privateText))
	if err != nil {
		return Info{}, err
	}
	if publicText != "" {
		pub, err := keys.ParsePublic([]byte(publicText))
		if err != nil {
			return Info{}, err
		}
		if err := keys.Match(pair, pub); err != nil {
			return Info{}, err
		}
	}
	return describe(pair)
}

// Import stores a pasted private key (PEM or JWK) for use.
func (s Service) Import(ctx context.Context, use, privateText string) (Info, error) {
	pair, err := keys.ParsePrivate([]byte(privateText))
	if err != nil {
		return Info{}, err
	}
	return s.keep(ctx, use, pair)
}

// Export returns the private key for use as PEM.
func (s Service) Export(ctx context.Context, use string) (string, error) {
	pem, err := s.store.GetKey(ctx, use)
	if err != nil {
		return "", fmt.Errorf("read the %s key from the keyring: %w", keyName(use), err)
	}
	return string(pem), nil
}

// keep stores the private half and describes the pair.
func (s Service) keep(ctx context.Context, use string, pair *keys.Pair) (Info, error) {
	info, err := describe(pair)
	if err != nil {
		return Info{}, err
	}
	pem, err := pair.PrivatePEM()
	if err != nil {
		return Info{}, err
	}
	if err := s.store.PutKey(ctx, use, pem); err != nil {
		return Info{}, fmt.Errorf("store the %s key in the keyring: %w", keyName(use), err)
	}
	return info, nil
}

// describe returns the public facts of a pair.
func describe(pair *keys.Pair) (Info, error) {
	jwk, err := pair.PublicJWK()
	if err != nil {
		return Info{}, err
	}
	tp, err := pair.Public().Thumbprint()
	if err != nil {
		return Info{}, err
	}
	info := Info{PublicJWK: string(jwk), KeyID: pair.KeyID, Thumbprint: tp}
	switch k := pair.Signer.Public().(type) {
	case *rsa.PublicKey:
		info.Summary = fmt.Sprintf("RSA %d-bit (%s)", k.N.BitLen(), pair.Alg)
	case *ecdsa.PublicKey:
		info.Summary = fmt.Sprintf("EC %s (%s)", k.Curve.Params().Name, pair.Alg)
	}
	return info, nil
}

// keyName names the pair of use in messages.
func keyName(use string) string {
	if use == UseDPoP {
		return "DPoP"
	}
	return "client authentication"
}
