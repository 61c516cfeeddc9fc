package keyservice

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/keys"
)

// memKeyStore is a KeyStore in memory.
type memKeyStore map[string][]byte

func (m memKeyStore) PutKey(_ context.Context, use string, p []byte) error {
	m[use] = p
	return nil
}

func (m memKeyStore) GetKey(_ context.Context, use string) ([]byte, error) {
	p, ok := m[use]
	if !ok {
		return nil, errors.New("no such key")
	}
	return p, nil
}

// pemPair is a fresh EC P-256 pair as PEM.
func pemPair(t *testing.T) (priv, pub string) {
	t.Helper()
	p, err := keys.Generate(keys.ES256, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.PrivatePEM()
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	return string(a), string(b)
}

func TestKeyService(t *testing.T) {
	store := memKeyStore{}
	ks := New(store)
	ctx := context.Background()
	info, err := ks.Generate(ctx, UseClient)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.PublicJWK, `"kty":"RSA"`) || info.KeyID == "" || info.Summary != "RSA 2048-bit (RS256)" {
		t.Fatalf("generated %+v", info)
	}
	if strings.Contains(info.PublicJWK, `"d"`) {
		t.Fatal("the public JWK carries the private exponent")
	}
	exported, err := ks.Export(ctx, UseClient)
	if err != nil || !strings.HasPrefix(exported, "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("export: %v", err)
	}

	priv, pub := pemPair(t)
	_, otherPub := pemPair(t)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakDER, _ := x509.MarshalPKCS8PrivateKey(weak)
	weakPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: weakDER}))
	cases := []struct {
		name, priv, pub, wantErr string
	}{
		{"pair matches", priv, pub, ""},
		{"private alone", priv, "", ""},
		{"other public key", priv, otherPub, "does not belong"},
		{"weak RSA", weakPEM, "", "2048"},
		{"garbage", "hello", "", "not a private key"},
		{"public where private belongs", pub, "", "public"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ks.Inspect(tc.priv, tc.pub)
			checkErr(t, err, tc.wantErr)
			if err == nil && got.Summary != "EC P-256 (ES256)" {
				t.Fatalf("summary %q", got.Summary)
			}
		})
	}
	imported, err := ks.Import(ctx, UseDPoP, priv)
	if err != nil || string(store[UseDPoP]) == "" || imported.Thumbprint == info.Thumbprint {
		t.Fatalf("import: %+v, %v", imported, err)
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Fatalf("no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}
