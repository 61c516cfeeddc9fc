package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// valid returns a configuration that passes Validate.
func valid() Config {
	c := Default()
	c.Okta.Domain = "https://example.okta.com"
	c.Okta.ClientID = "0oa1abcdef"
	c.Mappings = []Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}}
	return c
}

func TestValidateMessages(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string // the whole message of the only problem
	}{
		{"domain without scheme", func(c *Config) { c.Okta.Domain = "example.okta.com" },
			`okta.domain: "example.okta.com" has no scheme; use "https://example.okta.com"`},
		{"domain without scheme, with path", func(c *Config) { c.Okta.Domain = "example.okta.com/app/x" },
			`okta.domain: "example.okta.com/app/x" has no scheme; use "https://example.okta.com"`},
		{"concurrency too high", func(c *Config) { c.Okta.Concurrency = 40 },
			`okta.concurrency: 40 groups at a time is outside 1 to 16; use 1 to 16, or leave it out for 4; Okta's limit on concurrent requests is shared by the whole org`},
		{"concurrency negative", func(c *Config) { c.Okta.Concurrency = -1 },
			`okta.concurrency: -1 groups at a time is outside 1 to 16; use 1 to 16, or leave it out for 4; Okta's limit on concurrent requests is shared by the whole org`},
		{"rate limit percent over 100", func(c *Config) { c.Okta.RateLimitPercent = 150 },
			`okta.rate_limit_percent: 150 is not a percentage; use 1 to 100, or leave it out for 50 (Okta's default share of one app)`},
		{"domain empty", func(c *Config) { c.Okta.Domain = "" },
			`okta.domain: is empty; set it to your Okta org address, such as https://example.okta.com`},
		{"domain over http", func(c *Config) { c.Okta.Domain = "http://example.okta.com" },
			`okta.domain: "http://example.okta.com" uses http; Okta must be reached over https; use "https://example.okta.com"`},
		{"domain with path", func(c *Config) { c.Okta.Domain = "https://example.okta.com/admin/dashboard" },
			`okta.domain: "https://example.okta.com/admin/dashboard" has a path or query; give the host only; use "https://example.okta.com"`},
		{"domain with query", func(c *Config) { c.Okta.Domain = "https://example.okta.com?x=1" },
			`okta.domain: "https://example.okta.com?x=1" has a path or query; give the host only; use "https://example.okta.com"`},
		{"admin console domain", func(c *Config) { c.Okta.Domain = "https://example-admin.okta.com" },
			`okta.domain: "https://example-admin.okta.com" is the Admin Console address, not the org; use "https://example.okta.com"`},
		{"domain with spaces", func(c *Config) { c.Okta.Domain = " https://example.okta.com" },
			`okta.domain: " https://example.okta.com" has spaces around it; use "https://example.okta.com"`},
		{"auth empty", func(c *Config) { c.Okta.Auth = "" },
			`okta.auth: is empty; use scoped_dpop (recommended), scoped or api_token`},
		{"auth unknown", func(c *Config) { c.Okta.Auth = "oauth" },
			`okta.auth: "oauth" is not an authentication type; use scoped_dpop (recommended), scoped or api_token`},
		{"client id missing for dpop", func(c *Config) { c.Okta.ClientID = "" },
			`okta.client_id: is required for auth scoped_dpop; copy the Client ID from the General tab of the API Services app in the Okta Admin Console`},
		{"client id missing for scoped", func(c *Config) { c.Okta.Auth, c.Okta.ClientID = AuthScoped, "" },
			`okta.client_id: is required for auth scoped; copy the Client ID from the General tab of the API Services app in the Okta Admin Console`},
		{"scope with spaces", func(c *Config) { c.Okta.Scopes = []string{"okta.users.read okta.logs.read"} },
			`okta.scopes[0]: "okta.users.read okta.logs.read" is not one scope; list one scope per entry, such as okta.users.read`},
		{"private JWK as public key", func(c *Config) { c.Okta.PublicKey = `{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}` },
			"okta.public_key: holds a private key; keep only the public half here; import the private key with `rolesync keys import --for client`"},
		{"private PEM as DPoP public key", func(c *Config) { c.Okta.DPoPPublicKey = "-----BEGIN PRIVATE KEY-----\nMIG\n-----END PRIVATE KEY-----" },
			"okta.dpop_public_key: holds a private key; keep only the public half here; import the private key with `rolesync keys import --for dpop`"},
		{"public key not JSON", func(c *Config) { c.Okta.PublicKey = `{"kty":` },
			"okta.public_key: is not a JWK: unexpected end of JSON input; paste the public key JSON as `rolesync keys show --for client` prints it"},
		{"interval not offered", func(c *Config) { c.Sync.Interval = 20 * time.Minute },
			`sync.interval: 20m is not an interval rolesync offers; use one of 5m 15m 30m 1h 2h 4h 6h 12h`},
		{"target kind unknown", func(c *Config) { c.Target.Kind = "ldap" },
			`target.kind: "ldap" is not a target kind; use local or scim`},
		{"target kind empty", func(c *Config) { c.Target.Kind = "" },
			`target.kind: is empty; use local or scim`},
		{"scim without base url", func(c *Config) { c.Target.Kind = TargetSCIM },
			`target.base_url: is required for a scim target; set it to the SCIM 2.0 service address, such as https://portal.example.com/scim/v2`},
		{"scim over http", func(c *Config) { c.Target = Target{Kind: TargetSCIM, BaseURL: "http://portal.example.com/scim/v2"} },
			`target.base_url: "http://portal.example.com/scim/v2" does not use https; use "https://portal.example.com/scim/v2"`},
		{"scim role mode", func(c *Config) {
			c.Target = Target{Kind: TargetSCIM, BaseURL: "https://p.example.com/scim/v2", RoleMode: "roles"}
		}, `target.role_mode: "roles" is not a role mode; use groups or attribute`},
		{"threatlocker without instance", func(c *Config) {
			c.Target = Target{Kind: TargetSCIM, BaseURL: "https://p.example.com/scim/v2", Profile: "threatlocker"}
		}, `target.instance: "" is not a ThreatLocker instance; use the letters between "portalapi." and ".threatlocker.com" in your portal API address, such as "d"`},
		{"threatlocker instance with dots", func(c *Config) {
			c.Target = Target{Kind: TargetSCIM, BaseURL: "https://p.example.com/scim/v2", Profile: "threatlocker", Instance: "d.threatlocker"}
		}, `target.instance: "d.threatlocker" is not a ThreatLocker instance; use the letters between "portalapi." and ".threatlocker.com" in your portal API address, such as "d"`},
		{"unknown profile", func(c *Config) {
			c.Target = Target{Kind: TargetSCIM, BaseURL: "https://p.example.com/scim/v2", Profile: "okta"}
		}, `target.profile: "okta" is not a profile; use generic or threatlocker`},
		{"no mappings", func(c *Config) { c.Mappings = nil },
			`mappings: none are set; map at least one Okta group to portal roles`},
		{"mapping without group", func(c *Config) { c.Mappings[0].Group = " " },
			`mappings[0].group: is empty; give an Okta group name or id`},
		{"mapping without roles", func(c *Config) { c.Mappings[0].Roles = nil },
			`mappings[0].roles: none are set; list at least one portal role, such as [Read Only]`},
		{"mapping with empty role", func(c *Config) { c.Mappings[0].Roles = []string{"Administrator", ""} },
			`mappings[0].roles[1]: is empty; give a portal role name or remove the entry`},
		{"mapping with role twice", func(c *Config) { c.Mappings[0].Roles = []string{"Auditor", "Auditor"} },
			`mappings[0].roles[1]: "Auditor" is listed twice; remove the duplicate`},
		{"group mapped twice", func(c *Config) {
			c.Mappings = append(c.Mappings, Mapping{Group: "engineering", Roles: []string{"Auditor"}})
		}, `mappings[1].group: "engineering" is mapped twice (also mappings[0]); merge the roles into one mapping`},
		{"negative max revocations", func(c *Config) { c.Safety.MaxRevocations = -1 },
			`safety.max_revocations: -1 is negative; use 0 or more (default 10)`},
		{"percent over 100", func(c *Config) { c.Safety.MaxRevocationPercent = 150 },
			`safety.max_revocation_percent: 150 is not a percentage; use 0 to 100 (default 20)`},
		{"empty protected account", func(c *Config) { c.Safety.ProtectedAccounts = []string{""} },
			`safety.protected_accounts[0]: is empty; give a login or email, or remove the entry`},
		{"empty admin role", func(c *Config) { c.Safety.AdminRoles = []string{" "} },
			`safety.admin_roles[0]: is empty; give a portal role name, or remove the entry`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			err := c.Validate()
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v; want a *ValidationError", err)
			}
			if len(ve.Errors) != 1 || ve.Errors[0].Error() != tt.want {
				t.Fatalf("problems = %q\nwant      %q", ve.Errors, tt.want)
			}
			if ve.Errors[0].Fix == "" {
				t.Error("problem has no fix")
			}
		})
	}
}

func TestValidateAcceptsGoodConfigurations(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"dpop", func(*Config) {}},
		{"api token without client id", func(c *Config) { c.Okta.Auth, c.Okta.ClientID = AuthAPIToken, "" }},
		{"simulator with port", func(c *Config) { c.Okta.Domain = "https://127.0.0.1:8443" }},
		{"trailing slash", func(c *Config) { c.Okta.Domain = "https://example.okta.com/" }},
		{"every interval", func(c *Config) { c.Sync.Interval = 12 * time.Hour }},
		{"public JWKs", func(c *Config) {
			c.Okta.PublicKey = `{"kty":"RSA","n":"abc","e":"AQAB","kid":"k1"}`
			c.Okta.DPoPPublicKey = "-----BEGIN PUBLIC KEY-----\nMFk\n-----END PUBLIC KEY-----"
		}},
		{"threatlocker scim", func(c *Config) {
			c.Target = Target{Kind: TargetSCIM, BaseURL: "https://portalapi.d.threatlocker.com/scim/v2", RoleMode: "attribute", Profile: "threatlocker", Instance: "d"}
		}},
		{"zero gates", func(c *Config) { c.Safety.MaxRevocations, c.Safety.MaxRevocationPercent = 0, 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.edit(&c)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate = %v", err)
			}
		})
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	c := Config{Okta: Okta{Domain: "example.okta.com", Auth: AuthScoped}, Sync: Sync{Interval: time.Minute}, Target: Target{Kind: "x"}}
	err := c.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v", err)
	}
	var fields []string
	for _, fe := range ve.Errors {
		fields = append(fields, fe.Field)
	}
	want := []string{"okta.domain", "okta.client_id", "sync.interval", "target.kind", "mappings"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Fatalf("fields = %v; want %v", fields, want)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "invalid configuration (5 problems): ") || strings.Contains(msg, "\n") {
		t.Fatalf("Error() = %q; want one line naming the count", msg)
	}
}

func writeCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).AddDate(100, 0, 0), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateCAFile(t *testing.T) {
	dir := t.TempDir()
	good := writeCA(t, dir)
	notPEM := filepath.Join(dir, "ca.der")
	if err := os.WriteFile(notPEM, []byte{0x30, 0x82, 0x01}, 0o600); err != nil {
		t.Fatal(err)
	}
	badCert := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(badCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name, path, want string
	}{
		{"good", good, ""},
		{"missing", missing, `okta.ca_file: cannot read "` + missing + `": no such file or directory; give the path of a PEM file of CA certificates, or leave it empty`},
		{"not pem", notPEM, `okta.ca_file: "` + notPEM + `" holds no PEM certificate; give a file with -----BEGIN CERTIFICATE----- blocks (convert DER with ` + "`openssl x509 -inform der`)"},
		{"bad certificate", badCert, `okta.ca_file: "` + badCert + `" holds a certificate that does not parse`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			c.Okta.CAFile = tt.path
			if p := c.Problems(false); len(p) != 0 {
				t.Fatalf("Problems(false) read the file: %v", p)
			}
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Errors) != 1 || !strings.HasPrefix(ve.Errors[0].Error(), tt.want) {
				t.Fatalf("Validate = %v\nwant %s", err, tt.want)
			}
		})
	}
}
