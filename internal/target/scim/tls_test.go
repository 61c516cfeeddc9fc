package scim_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

func writeCA(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCAFile(t *testing.T) {
	srv := newServer(t, 100)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		caFile  string
		newErr  string
		listErr string
	}{
		{"trusted through ca_file", writeCA(t, srv.Certificate()), "", ""},
		{"system pool only", "", "", "not signed by a trusted CA: if the portal uses a private CA, or TLS inspection rewrites certificates, set target.ca_file"},
		{"missing file", filepath.Join(t.TempDir(), "nope.pem"), "read ca_file", ""},
		{"no PEM in file", junk, "holds no PEM certificate", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := scim.New(scim.Options{BaseURL: srv.BaseURL(), Token: testToken, CAFile: tt.caFile})
			if tt.newErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.newErr) {
					t.Fatalf("New() error = %v, want %q", err, tt.newErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListUsers(context.Background())
			if tt.listErr == "" && err != nil || tt.listErr != "" && (err == nil || !strings.Contains(err.Error(), tt.listErr)) {
				t.Fatalf("ListUsers() error = %v, want %q", err, tt.listErr)
			}
		})
	}
}

func TestCertificateForAnotherHost(t *testing.T) {
	srv := newServer(t, 100)
	// The test certificate names 127.0.0.1 and example.com, not localhost.
	base := strings.Replace(srv.BaseURL(), "127.0.0.1", "localhost", 1)
	c, err := scim.New(scim.Options{BaseURL: base, Token: testToken, CAFile: writeCA(t, srv.Certificate())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "does not name this host: check target.base_url") {
		t.Fatalf("ListUsers() error = %v, want the hostname mismatch explained", err)
	}
}

func TestRedirectAwayFromHTTPSIsRefused(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer tlsSrv.Close()
	c, err := scim.New(scim.Options{BaseURL: tlsSrv.URL + "/scim/v2", Token: testToken, CAFile: writeCA(t, tlsSrv.Certificate())})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "must stay on https") {
		t.Fatalf("ListUsers() error = %v, want a refused redirect", err)
	}
	if plainHits.Load() != 0 {
		t.Fatal("the client followed a redirect to plain http")
	}
}

func TestFlushAfterAFailedReadReloads(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{})
	ann, err := c.CreateUser(ctx, target.User{Login: "ann@example.com", Email: "ann@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.SetRoles(ctx, ann.ID, []string{"Admin"}); err != nil {
		t.Fatal(err)
	}
	srv.SetFault(nth(http.MethodGet, "/Users", 1, false, 500, nil, ""))
	if _, err := c.ListUsers(ctx); err == nil {
		t.Fatal("ListUsers succeeded through a 500")
	}
	srv.SetFault(nil)
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	checkUser(t, usersByLogin(t, c)["ann@example.com"], true, "Admin")
}
