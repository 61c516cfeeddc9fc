package okta

import (
	"context"
	"crypto"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"
)

func passAll(t *testing.T, checks []Check) {
	t.Helper()
	for _, c := range checks {
		if c.Status != Pass {
			t.Errorf("%s: %s (%s) %s", c.Name, c.Status, c.Detail, c.Fix)
		}
	}
}

func TestConnectionPassesInEveryMode(t *testing.T) {
	testKeys(t)
	for _, tc := range []struct {
		name    string
		auth    string
		dpopApp bool
		dpopKey crypto.Signer
	}{
		{"API token", AuthAPIToken, false, nil},
		{"Scoped Okta Token", AuthScoped, false, nil},
		{"Scoped DPoP Okta Token", AuthScopedDPoP, true, testECDPoP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), tc.dpopApp)
			f.tokens["00api-token"] = fakeToken{expiry: time.Now().Add(time.Hour)}
			checks := TestConnection(context.Background(), ConnConfig{Domain: f.srv.URL, Auth: tc.auth, APIToken: "00api-token",
				ClientID: "0oaclient", Key: testRSA, KeyID: "kid-1", DPoPKey: tc.dpopKey, Transport: f.srv.Client().Transport})
			if len(checks) != 6 {
				t.Fatalf("%d checks, want 6", len(checks))
			}
			passAll(t, checks)
		})
	}
}

func TestConnectionFailures(t *testing.T) {
	testKeys(t)
	type setup struct {
		cfg *ConnConfig
		f   *fakeOkta
	}
	seen := map[string]string{}
	for _, tc := range []struct {
		name    string
		auth    string
		dpopApp bool
		prepare func(s setup)
		check   string // the check that fails
		fix     string // part of the advice
		sameAs  string // the case whose advice this one shares, if any
	}{
		{"unknown host", AuthScoped, false, func(s setup) {
			s.cfg.Domain = "https://yourorg.okta.invalid"
			s.cfg.LookupHost = func(context.Context, string) ([]string, error) {
				return nil, &net.DNSError{Err: "no such host", Name: "yourorg.okta.invalid", IsNotFound: true}
			}
		}, CheckReachable, "Check the Okta domain for typos", ""},
		{"certificate not trusted", AuthScoped, false, func(s setup) {
			s.cfg.Transport, s.cfg.RootCAs = nil, x509.NewCertPool()
		}, CheckReachable, "CA bundle (okta.ca_file)", ""},
		{"clock five minutes off", AuthScopedDPoP, true, func(s setup) {
			s.f.date = time.Now().Add(-5 * time.Minute)
		}, CheckClock, "NTP", ""},
		{"invalid_client: kid mismatch", AuthScoped, false, func(s setup) {
			s.cfg.KeyID = "another-kid"
		}, CheckToken, "public key is added to the app's Public keys", ""},
		{"invalid_scope", AuthScoped, false, func(s setup) {
			s.f.tokenErr = &TokenError{StatusCode: 400, Code: "invalid_scope", Description: "The following scopes were requested, but not granted to the client: okta.groups.read."}
		}, CheckScope, "Okta API Scopes tab", ""},
		{"no_org_scopes_granted", AuthScoped, false, func(s setup) {
			s.f.tokenErr = &TokenError{StatusCode: 400, Code: "no_org_scopes_granted", Description: "No org scopes granted."}
		}, CheckScope, "Okta API Scopes tab", "invalid_scope"},
		{"403 E0000006: no admin role", AuthScoped, false, func(s setup) {
			s.f.groupsCode, s.f.groupsError = 403, "E0000006"
		}, CheckAdminRole, "Read-only Administrator role to the app", ""},
		{"members forbidden", AuthScopedDPoP, true, func(s setup) {
			s.f.usersCode, s.f.usersError = 403, "E0000006"
		}, CheckAdminRole, "Admin roles tab", "403 E0000006: no admin role"},
		{"app requires DPoP, Scoped Okta Token chosen", AuthScoped, true, nil, CheckDPoP, "choose Scoped DPoP Okta Token", ""},
		{"app without DPoP, Scoped DPoP Okta Token chosen", AuthScopedDPoP, false, nil, CheckDPoP, "choose Scoped Okta Token", ""},
		{"DPoP chosen without a DPoP key", AuthScopedDPoP, true, func(s setup) {
			s.cfg.DPoPKey = nil
		}, CheckToken, "rolesync keys generate --for dpop", ""},
		{"API token revoked", AuthAPIToken, false, func(s setup) {
			s.cfg.APIToken = "00canary-api-token-Zq81"
		}, CheckToken, "Security > API > Tokens", ""},
		{"API token of an admin without permission", AuthAPIToken, false, func(s setup) {
			s.f.tokens["00revoked"] = fakeToken{expiry: time.Now().Add(time.Hour)}
			s.cfg.APIToken = "00revoked"
			s.f.groupsCode, s.f.groupsError = 403, "E0000006"
		}, CheckAdminRole, "create the token as an admin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeOkta(t, "0oaclient", "kid-1", testRSA.Public(), tc.dpopApp)
			cfg := &ConnConfig{Domain: f.srv.URL, Auth: tc.auth, ClientID: "0oaclient", Key: testRSA, KeyID: "kid-1",
				Transport: f.srv.Client().Transport}
			if tc.auth == AuthScopedDPoP {
				cfg.DPoPKey = testECDPoP
			}
			if tc.prepare != nil {
				tc.prepare(setup{cfg, f})
			}
			checks := TestConnection(context.Background(), *cfg)
			for _, c := range checks {
				if cfg.APIToken != "" && strings.Contains(c.Detail+c.Fix, cfg.APIToken) {
					t.Errorf("%s shows the API token", c.Name)
				}
			}
			var failed *Check
			for i := range checks {
				if checks[i].Name == tc.check {
					failed = &checks[i]
				}
			}
			if failed == nil || failed.Status != Fail || !strings.Contains(failed.Fix, tc.fix) {
				t.Fatalf("check %q = %+v; want a failure whose fix mentions %q\nall: %+v", tc.check, failed, tc.fix, checks)
			}
			first := FirstFailure(checks)
			if other, dup := seen[first.Fix]; dup && other != tc.sameAs {
				t.Errorf("advice %q is the same as for %q", first.Fix, other)
			}
			if tc.sameAs == "" {
				seen[first.Fix] = tc.name
			}
			after := false
			for _, c := range checks {
				if after && c.Status == Pass {
					t.Errorf("%s passed after the failure of %s", c.Name, first.Name)
				}
				after = after || c.Name == first.Name
			}
		})
	}
}
