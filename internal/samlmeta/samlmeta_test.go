package samlmeta

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		data     []byte
		wantErr  string
		wantWarn string
	}{
		{"valid for a year", testCertMetadata(t, now.AddDate(1, 0, 0)), "", ""},
		{"expires in 10 days", testCertMetadata(t, now.AddDate(0, 0, 10)), "", "in 10 days"},
		{"expired", testCertMetadata(t, now.AddDate(0, 0, -1)), "", "expired on 27 Nov 2026"},
		{"html page", []byte("<html><body>Sign in</body></html>"), "not SAML IdP metadata", ""},
		{"no certificate", []byte(`<EntityDescriptor entityID="x"><IDPSSODescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://a"/></IDPSSODescriptor></EntityDescriptor>`), "no signing certificate", ""},
		{"no SSO service", []byte(`<EntityDescriptor entityID="x"><IDPSSODescriptor></IDPSSODescriptor></EntityDescriptor>`), "no SingleSignOnService", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			md, err := Parse(tc.data)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				return
			}
			if md.EntityID != "http://www.okta.com/exk123" || md.SSOURL != "https://acme.okta.com/app/x/exk123/sso/saml/post" {
				t.Errorf("metadata = %+v", md)
			}
			warns := strings.Join(md.Warnings(now), " ")
			if tc.wantWarn == "" && warns != "" || !strings.Contains(warns, tc.wantWarn) {
				t.Errorf("warnings %q, want %q", warns, tc.wantWarn)
			}
		})
	}
}

func TestFetchMetadata(t *testing.T) {
	doc := testCertMetadata(t, time.Now().AddDate(1, 0, 0))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/app/exk123/sso/saml/metadata" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(doc)
	}))
	defer srv.Close()
	got, err := FetchWith(context.Background(), srv.Client(), srv.URL+"/app/exk123/sso/saml/metadata")
	if err != nil || string(got) != string(doc) {
		t.Fatalf("fetch = %d bytes, %v", len(got), err)
	}
	_, err = FetchWith(context.Background(), srv.Client(), srv.URL+"/wrong")
	checkErr(t, err, "HTTP 404")
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

// testCertMetadata is Okta-style IdP metadata with a fresh self-signed
// signing certificate valid until notAfter.
func testCertMetadata(t testing.TB, notAfter time.Time) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "acme"},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk123">
 <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>` +
		base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
  <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://acme.okta.com/app/x/exk123/sso/saml"/>
  <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://acme.okta.com/app/x/exk123/sso/saml/post"/>
 </md:IDPSSODescriptor>
</md:EntityDescriptor>`)
}
