package wizard

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"

	"github.com/rolesync/rolesync/internal/keys"
)

// KeyStore keeps private keys as PEM by use (UseClient, UseDPoP). The app
// backs it with the keyring.
type KeyStore interface {
	PutKey(ctx context.Context, use string, privatePEM []byte) error
	GetKey(ctx context.Context, use string) ([]byte, error)
}

// keyService is the KeyService over internal/keys and a KeyStore.
type keyService struct{ store KeyStore }

// NewKeyService returns a KeyService that generates key pairs (RSA 2048-bit
// RS256 for client authentication, EC P-256 ES256 for DPoP), reads pasted
// PEM or JWK keys, and keeps private halves in store.
func NewKeyService(store KeyStore) KeyService { return keyService{store: store} }

func (s keyService) Generate(ctx context.Context, use string) (KeyInfo, error) {
	// The client key is RSA, as Okta's own "Generate new key" makes; the
	// DPoP key signs a proof on every API call, where ES256 costs a small
	// fraction of RS256.
	alg, bits := keys.RS256, 2048
	if use == UseDPoP {
		alg = keys.ES256
	}
	pair, err := keys.Generate(alg, bits)
	if err != nil {
		return KeyInfo{}, fmt.Errorf("generate the key pair: %w", err)
	}
	return s.keep(ctx, use, pair)
}

func (s keyService) Inspect(privateText, publicText string) (KeyInfo, error) {
	pair, err := keys.ParsePrivate([]byte(privateText))
	if err != nil {
		return KeyInfo{}, err
	}
	if publicText != "" {
		pub, err := keys.ParsePublic([]byte(publicText))
		if err != nil {
			return KeyInfo{}, err
		}
		if err := keys.Match(pair, pub); err != nil {
			return KeyInfo{}, err
		}
	}
	return describe(pair)
}

func (s keyService) Import(ctx context.Context, use, privateText string) (KeyInfo, error) {
	pair, err := keys.ParsePrivate([]byte(privateText))
	if err != nil {
		return KeyInfo{}, err
	}
	return s.keep(ctx, use, pair)
}

func (s keyService) Export(ctx context.Context, use string) (string, error) {
	pem, err := s.store.GetKey(ctx, use)
	if err != nil {
		return "", fmt.Errorf("read the %s key from the keyring: %w", keyName(use), err)
	}
	return string(pem), nil
}

// keep stores the private half and describes the pair.
func (s keyService) keep(ctx context.Context, use string, pair *keys.Pair) (KeyInfo, error) {
	info, err := describe(pair)
	if err != nil {
		return KeyInfo{}, err
	}
	pem, err := pair.PrivatePEM()
	if err != nil {
		return KeyInfo{}, err
	}
	if err := s.store.PutKey(ctx, use, pem); err != nil {
		return KeyInfo{}, fmt.Errorf("store the %s key in the keyring: %w", keyName(use), err)
	}
	return info, nil
}

// describe returns the public facts of a pair.
func describe(pair *keys.Pair) (KeyInfo, error) {
	jwk, err := pair.PublicJWK()
	if err != nil {
		return KeyInfo{}, err
	}
	tp, err := pair.Public().Thumbprint()
	if err != nil {
		return KeyInfo{}, err
	}
	info := KeyInfo{PublicJWK: string(jwk), KeyID: pair.KeyID, Thumbprint: tp}
	switch k := pair.Signer.Public().(type) {
	case *rsa.PublicKey:
		info.Summary = fmt.Sprintf("RSA %d-bit (%s)", k.N.BitLen(), pair.Alg)
	case *ecdsa.PublicKey:
		info.Summary = fmt.Sprintf("EC %s (%s)", k.Curve.Params().Name, pair.Alg)
	}
	return info, nil
}
