package capool

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// caPEM makes a self-signed CA certificate, PEM-encoded, and the certificate.
func caPEM(t *testing.T) ([]byte, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), cert
}

func TestWithFile(t *testing.T) {
	dir := t.TempDir()
	data, cert := caPEM(t)
	good := filepath.Join(dir, "ca.pem")
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(good, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := x509.NewCertPool()

	if p, err := WithFile(base, ""); err != nil || p != base {
		t.Fatalf("WithFile(base, \"\") = %p, %v; want base itself", p, err)
	}
	p, err := WithFile(base, good)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: p}); err != nil {
		t.Fatalf("the bundle's CA is not trusted: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: base}); err == nil {
		t.Fatal("base was changed")
	}
	if p, err := WithFile(nil, good); err != nil || p == nil {
		t.Fatalf("WithFile(nil, good) = %v, %v; want the system pool plus the bundle", p, err)
	}
	if _, err := WithFile(base, junk); !errors.Is(err, ErrNoCertificate) {
		t.Fatalf("a file without a certificate: %v, want ErrNoCertificate", err)
	}
	if _, err := WithFile(base, filepath.Join(dir, "missing.pem")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a missing file: %v, want fs.ErrNotExist", err)
	}
}
