// Package samlmeta fetches and reads the SAML 2.0 IdP metadata of an Okta
// SAML app: its entity ID, its single sign-on URL and its signing
// certificate, with the warnings an admin should act on (a certificate that
// expired or expires soon). The setup wizard uses it to check the app that
// signs users in to the portal.
package samlmeta

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// certWarnWindow is how close to expiry a signing certificate draws a warning.
const certWarnWindow = 30 * 24 * time.Hour

// maxMetadata bounds the metadata document read.
const maxMetadata = 1 << 20

// IdP is what the wizard reads from an Okta SAML app's IdP metadata.
type IdP struct {
	EntityID     string
	SSOURL       string
	CertSubject  string
	CertNotAfter time.Time
}

// Warnings lists what the admin should act on at time now.
func (m IdP) Warnings(now time.Time) []string {
	var out []string
	switch left := m.CertNotAfter.Sub(now); {
	case left <= 0:
		out = append(out, fmt.Sprintf("The signing certificate expired on %s: in the Okta SAML app open Sign On > SAML Signing Certificates, generate a new certificate, activate it and upload it to the portal's SAML integration.", m.CertNotAfter.Format("2 Jan 2006")))
	case left <= certWarnWindow:
		out = append(out, fmt.Sprintf("The signing certificate expires on %s, in %d days: in the Okta SAML app open Sign On > SAML Signing Certificates, generate a new certificate and upload it to the portal before then.", m.CertNotAfter.Format("2 Jan 2006"), int(left.Hours()/24)))
	}
	return out
}

type samlKey struct {
	Use   string   `xml:"use,attr"`
	Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
}

type samlSSO struct {
	Binding  string `xml:"Binding,attr"`
	Location string `xml:"Location,attr"`
}

type samlIDP struct {
	Keys []samlKey `xml:"KeyDescriptor"`
	SSO  []samlSSO `xml:"SingleSignOnService"`
}

type samlEntity struct {
	XMLName  xml.Name  `xml:"EntityDescriptor"`
	EntityID string    `xml:"entityID,attr"`
	IDP      []samlIDP `xml:"IDPSSODescriptor"`
}

// errNotMetadata explains how to find the right URL.
var errNotMetadata = errors.New("this is not SAML IdP metadata: copy the 'Metadata URL' from the Sign On tab of the Okta SAML app")

// Parse reads SAML 2.0 IdP metadata XML.
func Parse(data []byte) (IdP, error) {
	var e samlEntity
	if err := xml.Unmarshal(data, &e); err != nil {
		return IdP{}, fmt.Errorf("%w (%w)", errNotMetadata, err)
	}
	if e.EntityID == "" || len(e.IDP) == 0 {
		return IdP{}, errNotMetadata
	}
	m := IdP{EntityID: e.EntityID}
	idp := e.IDP[0]
	if m.SSOURL = ssoURL(idp.SSO); m.SSOURL == "" {
		return IdP{}, errors.New("the metadata has no SingleSignOnService: check that the Okta app uses SAML 2.0 and copy its Metadata URL again")
	}
	cert, err := signingCert(idp.Keys)
	if err != nil {
		return IdP{}, err
	}
	m.CertSubject = cert.Subject.String()
	m.CertNotAfter = cert.NotAfter
	return m, nil
}

// ssoURL picks the single sign-on location: the HTTP-POST binding first,
// then HTTP-Redirect, then any; empty when there is none.
func ssoURL(services []samlSSO) string {
	for _, pref := range []string{"HTTP-POST", "HTTP-Redirect", ""} {
		for _, s := range services {
			if s.Location != "" && strings.HasSuffix(s.Binding, pref) {
				return s.Location
			}
		}
	}
	return ""
}

// signingCert decodes the first certificate of the first key used for
// signing (or for any use).
func signingCert(keys []samlKey) (*x509.Certificate, error) {
	var certText string
	for _, k := range keys {
		if (k.Use == "" || k.Use == "signing") && len(k.Certs) > 0 {
			certText = k.Certs[0]
			break
		}
	}
	if certText == "" {
		return nil, errors.New("the metadata has no signing certificate: in the Okta SAML app open Sign On > SAML Signing Certificates and activate one")
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(certText), ""))
	if err != nil {
		return nil, fmt.Errorf("the signing certificate in the metadata is not valid base64: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("the signing certificate in the metadata cannot be read: %w", err)
	}
	return cert, nil
}

// Fetch downloads metadata over HTTPS.
func Fetch(ctx context.Context, url string) ([]byte, error) {
	return FetchWith(ctx, &http.Client{Timeout: 20 * time.Second}, url)
}

// FetchWith downloads metadata with client.
func FetchWith(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("the metadata URL is not valid: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the metadata could not be fetched: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the metadata returned HTTP %d: check the Metadata URL on the Okta app's Sign On tab", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxMetadata))
}
