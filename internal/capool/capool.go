// Package capool adds a configured CA bundle (a PEM file) to the
// certificates rolesync trusts, for the Okta client and the SCIM target
// alike.
package capool

import (
	"crypto/x509"
	"errors"
	"os"
)

// ErrNoCertificate is returned for a bundle that holds no PEM certificate.
var ErrNoCertificate = errors.New("no PEM certificate in the CA bundle")

// WithFile returns base, or the system pool when base is nil, plus the PEM
// certificates in the file at path; base is not changed. With path empty it
// returns base itself. A file that cannot be read returns the error of
// reading it; one without a certificate ErrNoCertificate.
func WithFile(base *x509.CertPool, path string) (*x509.CertPool, error) {
	if path == "" {
		return base, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := base
	if pool == nil {
		if pool, err = x509.SystemCertPool(); err != nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, ErrNoCertificate
	}
	return pool, nil
}
