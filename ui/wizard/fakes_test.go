package wizard

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/config"
)

// fakeKeys stands in for the key service. Pasted keys in tests are written
// "PRIVATE name bits" and "PUBLIC name"; the thumbprint is the name.
type fakeKeys struct {
	n        int
	imported map[string]string
}

func (f *fakeKeys) Generate(_ context.Context, use string) (KeyInfo, error) {
	f.n++
	name := fmt.Sprintf("gen-%s-%d", use, f.n)
	return KeyInfo{PublicJWK: `{"kty":"RSA","kid":"` + name + `"}`, KeyID: name, Thumbprint: name, Summary: "RSA 2048-bit"}, nil
}

func (f *fakeKeys) Inspect(priv, pub string) (KeyInfo, error) {
	var name string
	var bits int
	if _, err := fmt.Sscanf(strings.TrimSpace(priv), "PRIVATE %s %d", &name, &bits); err != nil {
		return KeyInfo{}, errors.New("not a PEM or JWK private key: paste the whole key")
	}
	if bits < 2048 {
		return KeyInfo{}, fmt.Errorf("the RSA key has %d bits: use at least 2048", bits)
	}
	if pub = strings.TrimSpace(pub); pub != "" && pub != "PUBLIC "+name {
		return KeyInfo{}, errors.New("the public key is not the pair of the private key")
	}
	return KeyInfo{PublicJWK: `{"kty":"RSA","kid":"` + name + `"}`, KeyID: name, Thumbprint: name, Summary: fmt.Sprintf("RSA %d-bit", bits)}, nil
}

func (f *fakeKeys) Import(_ context.Context, use, priv string) (KeyInfo, error) {
	info, err := f.Inspect(priv, "")
	if err == nil {
		if f.imported == nil {
			f.imported = map[string]string{}
		}
		f.imported[use] = info.KeyID
	}
	return info, err
}

func (f *fakeKeys) Export(context.Context, string) (string, error) {
	return "-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n", nil
}

// fakeTester passes when the settings are complete for the chosen type.
type fakeTester struct {
	calls   int
	lastCfg config.Config
}

func (f *fakeTester) Test(_ context.Context, cfg config.Config, secrets Secrets) []CheckResult {
	f.calls++
	f.lastCfg = cfg
	out := []CheckResult{{Name: "Okta domain answers over HTTPS", OK: cfg.Okta.Domain == "https://acme.okta.com", Detail: cfg.Okta.Domain,
		Fix: "check the spelling of the Okta domain"}}
	switch cfg.Okta.Auth {
	case config.AuthAPIToken:
		out = append(out, CheckResult{Name: "API token accepted", OK: len(secrets[SecretOktaAPIToken]) > 0, Fix: "paste a valid token"})
	default:
		out = append(out, CheckResult{Name: "Access token issued", OK: cfg.Okta.ClientID != "" && cfg.Okta.KeyID != "", Fix: "check the Client ID and the public key in Okta"})
	}
	out = append(out, CheckResult{Name: "okta.groups.read granted", OK: true})
	return out
}

// fakeGroups lists n groups, the first few with telling names.
type fakeGroups struct{ groups []Group }

func newFakeGroups(n int) *fakeGroups {
	gs := []Group{
		{ID: "00g-admins", Name: "Portal Admins", Members: 3},
		{ID: "00g-help", Name: "Helpdesk", Members: 12},
		{ID: "00g-eng", Name: "Engineering", Members: 1200},
	}
	for i := len(gs); i < n; i++ {
		gs = append(gs, Group{ID: fmt.Sprintf("00g%06d", i), Name: fmt.Sprintf("Team %06d", i), Members: i % 50})
	}
	return &fakeGroups{groups: gs}
}

func (f *fakeGroups) ListGroups(context.Context, config.Config, Secrets) ([]Group, error) {
	return f.groups, nil
}

// fakeAuto records the request and reports the steps it was told to.
type fakeAuto struct {
	req      AutoSetupRequest
	tokenSaw string
	failAt   string
}

func (f *fakeAuto) Setup(_ context.Context, req AutoSetupRequest) (AutoSetupResult, error) {
	f.req, f.tokenSaw = req, string(req.Token)
	res := AutoSetupResult{ClientID: "0oaAUTO123"}
	for _, s := range []struct{ name, hand string }{
		{"Create the API Services app", "create the app"},
		{"Register the public keys", "add the public keys"},
		{"Set Require DPoP", "set Require DPoP"},
		{"Grant okta.groups.read", "On the 'Okta API Scopes' tab, grant okta.groups.read."},
		{"Assign Read-only Administrator", "On the 'Admin roles' tab, assign Read-only Administrator."},
	} {
		ok := s.name != f.failAt
		step := AutoSetupStep{Name: s.name, OK: ok}
		if !ok {
			step.Detail, step.ByHand = "403 E0000006", s.hand
		}
		res.Steps = append(res.Steps, step)
	}
	return res, nil
}

// previewFor plans: one user per mapped group, and old.admin loses access
// unless Portal Admins is mapped.
func previewFor(_ context.Context, cfg config.Config, _ Secrets) (Preview, error) {
	p := Preview{}
	admins := false
	for _, m := range cfg.Mappings {
		user := strings.ToLower(strings.ReplaceAll(m.Group, " ", ".")) + "@acme.com"
		p.Creates = append(p.Creates, user)
		for _, r := range m.Roles {
			p.Grants = append(p.Grants, Grant{User: user, Role: r})
		}
		admins = admins || m.Group == "Portal Admins"
	}
	if !admins {
		p.LosingAccess = []string{"old.admin@acme.com"}
	}
	return p, nil
}

// recorder collects what the wizard saved.
type recorder struct {
	saved   []config.Config
	drafts  []config.Config
	secrets map[string]string
	done    int
}

func newDeps(t *testing.T, rec *recorder) (Deps, *fakeKeys, *fakeTester, *fakeAuto) {
	t.Helper()
	keys, tester, auto := &fakeKeys{}, &fakeTester{}, &fakeAuto{}
	rec.secrets = map[string]string{}
	return Deps{
		Save: func(_ context.Context, c config.Config) error {
			rec.saved = append(rec.saved, c)
			return nil
		},
		SaveDraft: func(_ context.Context, c config.Config) error {
			rec.drafts = append(rec.drafts, c)
			return nil
		},
		SetSecret: func(name string, v []byte) error {
			rec.secrets[name] = string(v)
			return nil
		},
		Keys:   keys,
		Tester: tester,
		Groups: newFakeGroups(50),
		Roles: func(context.Context, config.Config, Secrets) ([]string, error) {
			return []string{"Administrator", "Auditor", "Helpdesk Technician", "Read Only"}, nil
		},
		Preview:   previewFor,
		AutoSetup: auto,
		OnDone:    func(config.Config) { rec.done++ },
	}, keys, tester, auto
}

// testCertMetadata returns IdP metadata whose signing certificate expires at notAfter.
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
