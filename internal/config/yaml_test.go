package config

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const issueExample = `okta:
  domain: https://example.okta.com   # https:// required
  auth: api_token                     # api_token | scoped | scoped_dpop
  client_id: ""                       # for the scoped modes
  ca_file: ""                         # optional extra CA bundle (PEM)
sync:
  interval: 15m                       # 5m 15m 30m 1h 2h 4h 6h 12h
target:
  kind: local                         # local | scim
mappings:
  - group: Engineering                # Okta group name or id
    roles: [Administrator, Read Only]
`

func TestParseDocumentedExample(t *testing.T) {
	cfg, err := Parse([]byte(issueExample))
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Okta.Domain = "https://example.okta.com"
	want.Okta.Auth = AuthAPIToken
	want.Mappings = []Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("Parse = %+v\nwant %+v", cfg, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

func TestParseKeepsDefaultsForOmittedFields(t *testing.T) {
	cfg, err := Parse([]byte("okta:\n  domain: https://example.okta.com\n  client_id: 0oa1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Okta.Auth != AuthScopedDPoP || cfg.Sync.Interval != 15*time.Minute || cfg.Target.Kind != TargetLocal ||
		cfg.Safety.MaxRevocations != 10 || cfg.Safety.MaxRevocationPercent != 20 {
		t.Fatalf("defaults not kept: %+v", cfg)
	}
}

func TestParseSafetySection(t *testing.T) {
	cfg, err := Parse([]byte(`safety:
  protected_accounts: [breakglass@example.com]
  admin_roles: [Administrator]
  max_revocations: 0
  max_revocation_percent: 5
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Safety{ProtectedAccounts: []string{"breakglass@example.com"}, AdminRoles: []string{"Administrator"},
		MaxRevocations: 0, MaxRevocationPercent: 5}
	if !reflect.DeepEqual(cfg.Safety, want) {
		t.Fatalf("Safety = %+v; want %+v", cfg.Safety, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the error
	}{
		{"empty", "  \n", []string{"empty"}},
		{"comments only", "# nothing\n", []string{"only comments"}},
		{"unknown top-level field", "okta:\n  domain: https://x.okta.com\nsyncing: true\n",
			[]string{"line 3", `unknown field "syncing"`, "top level", "okta, sync, target, mappings, safety"}},
		{"unknown okta field", "okta:\n  domian: https://x.okta.com\n",
			[]string{"line 2", `unknown field "domian" in okta`, "domain"}},
		{"unknown mapping field", "mappings:\n  - group: Eng\n    role: [Admin]\n",
			[]string{"line 3", `unknown field "role" in a mapping`, "roles"}},
		{"unknown sync field", "sync:\n  every: 15m\n", []string{"line 2", `unknown field "every" in sync`}},
		{"interval without unit", "sync:\n  interval: 15\n", []string{"line 2", "has no unit", "15m"}},
		{"interval not a duration", "sync:\n  interval: often\n", []string{"line 2", `"often" is not a duration`, "5m 15m 30m 1h 2h 4h 6h 12h"}},
		{"interval not offered", "sync:\n  interval: 20m\n", []string{"line 2", "20m is not an interval rolesync offers", "5m 15m 30m 1h 2h 4h 6h 12h"}},
		{"secret in the config", "okta:\n  api_token: abc\n", []string{"line 2", `unknown field "api_token"`, "rolesync secrets set"}},
		{"malformed yaml", "okta:\n  domain: [https://x\n  auth: api_token\n", []string{"line"}},
		{"bad indentation", "okta:\n  domain: x\n auth: y\n", []string{"yaml: line 2"}},
		{"wrong type", "safety:\n  max_revocations: many\n", []string{"line 2", "many"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatal("Parse succeeded; want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"default", Default()},
		{"full", Config{
			Okta: Okta{Domain: "https://example.okta.com", Auth: AuthScoped, ClientID: "0oa1", CAFile: "/etc/ca.pem",
				Scopes: []string{"okta.users.read", "okta.logs.read"}, PublicKey: `{"kty":"RSA"}`, KeyID: "kid1",
				DPoPPublicKey: `{"kty":"EC"}`, DPoPKeyID: "kid2"},
			Sync:     Sync{Interval: 2 * time.Hour},
			Target:   Target{Kind: TargetSCIM, BaseURL: "https://portal.example.com/scim/v2", RoleMode: "groups", Profile: "threatlocker", Instance: "d"},
			Mappings: []Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}, {Group: "00g1", Roles: []string{"Auditor"}}},
			Safety:   Safety{ProtectedAccounts: []string{"bg@example.com"}, AdminRoles: []string{"Administrator"}, MaxRevocations: 0, MaxRevocationPercent: 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.cfg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse(Marshal()) = %v\n%s", err, data)
			}
			if len(tt.cfg.Mappings) == 0 && len(got.Mappings) == 0 {
				got.Mappings = tt.cfg.Mappings
			}
			if !reflect.DeepEqual(got, tt.cfg) {
				t.Fatalf("round trip = %+v\nwant %+v\n%s", got, tt.cfg, data)
			}
		})
	}
}

func TestMarshalWritesIntervalAsDuration(t *testing.T) {
	for _, d := range Intervals {
		cfg := Default()
		cfg.Sync.Interval = d
		data, err := cfg.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if want := "interval: " + FormatInterval(d) + "\n"; !strings.Contains(string(data), want) {
			t.Fatalf("Marshal of %v lacks %q:\n%s", d, want, data)
		}
	}
	if got := intervalList(); got != "5m 15m 30m 1h 2h 4h 6h 12h" {
		t.Fatalf("intervalList = %q", got)
	}
}

// TestParseRefusesASecondDocument: a file holding two YAML documents was
// read as its first alone, so the second's settings were silently lost.
func TestParseRefusesASecondDocument(t *testing.T) {
	for _, tc := range []struct{ name, in, line string }{
		{"second document", "okta:\n  domain: https://example.okta.com\n---\nokta:\n  domain: https://other.okta.com\n", "line 3"},
		{"second document of comments and a mapping", "sync:\n  interval: 15m\n---\n# the real one\ntarget:\n  kind: scim\n", "line 3"},
		{"bare scalar after the separator", "sync:\n  interval: 15m\n--- x\n", "line 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatal("Parse accepted a file with two YAML documents")
			}
			for _, want := range []string{"more than one YAML document", tc.line, "---"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
	// A lone document start or end marker is still one document.
	for _, in := range []string{"---\nsync:\n  interval: 15m\n", "sync:\n  interval: 15m\n...\n", "sync:\n  interval: 15m\n---\n", "sync:\n  interval: 15m\n---\n# nothing more\n"} {
		if _, err := Parse([]byte(in)); err != nil {
			t.Errorf("Parse(%q) = %v", in, err)
		}
	}
}

// TestParseErrorsAreTyped: each unknown or repeated field is an error of
// its own type, with its line, in document order.
func TestParseErrorsAreTyped(t *testing.T) {
	_, err := Parse([]byte("okta:\n  domian: https://x.okta.com\n  auth: scoped\n  auth: api_token\ntarget:\n  knd: local\n"))
	var unknown *UnknownFieldError
	if !errors.As(err, &unknown) || unknown.Line != 2 || unknown.Field != "domian" || unknown.Section != "okta" || !slices.Contains(unknown.Known, "domain") {
		t.Fatalf("Parse = %v; want the unknown field domian at line 2", err)
	}
	var dup *DuplicateFieldError
	if !errors.As(err, &dup) || dup.Line != 4 || dup.FirstLine != 3 || dup.Field != "auth" {
		t.Fatalf("Parse = %v; want auth repeated at line 4", err)
	}
	want := `parse config: line 2: unknown field "domian" in okta`
	if msg := err.Error(); !strings.HasPrefix(msg, want) || !strings.Contains(msg, `; line 4: field "auth" is set twice in okta (first at line 3); keep one; line 6: unknown field "knd" in target`) {
		t.Fatalf("Parse = %q", msg)
	}
}
