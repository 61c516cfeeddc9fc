package okta

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Authentication modes, spelled as the configuration spells them.
const (
	AuthAPIToken   = "api_token"
	AuthScoped     = "scoped"
	AuthScopedDPoP = "scoped_dpop"
)

// Names of the connection checks, in the order TestConnection runs them.
const (
	CheckReachable = "DNS and TLS reachable"
	CheckClock     = "Clock in step with Okta"
	CheckToken     = "Token obtained"
	CheckScope     = "okta.groups.read granted"
	CheckAdminRole = "Admin role in effect (group members can be listed)"
	CheckDPoP      = "DPoP binding as configured"
)

// MaxClockSkew is the largest clock difference with Okta the checks accept.
const MaxClockSkew = time.Minute

// ConnConfig is an Okta connection to test.
type ConnConfig struct {
	Domain   string // https://yourorg.okta.com
	Auth     string // AuthAPIToken, AuthScoped or AuthScopedDPoP
	APIToken string // for AuthAPIToken
	ClientID string
	Key      crypto.Signer // client-authentication private key
	KeyID    string
	Alg      string        // optional, as in ScopedConfig
	DPoPKey  crypto.Signer // for AuthScopedDPoP
	Scopes   []string      // optional scopes beyond okta.groups.read
	CAFile   string        // extra CA bundle (PEM)
	RootCAs  *x509.CertPool
	// Transport replaces the base transport (and CAFile and RootCAs).
	Transport http.RoundTripper
	// LookupHost resolves the Okta host; nil means net.DefaultResolver.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Now is this computer's clock; nil means time.Now.
	Now func() time.Time
	// Nonces receives the token endpoint's DPoP nonce, for the syncs that
	// follow (ScopedConfig.Nonces). The test itself always starts without
	// one, so that it exercises Okta's nonce challenge.
	Nonces NonceCache
}

// CheckStatus is the outcome of one check.
type CheckStatus string

// Check outcomes.
const (
	Pass CheckStatus = "pass"
	Fail CheckStatus = "fail"
	Skip CheckStatus = "skip" // not run, because an earlier check failed
)

// Check is one item of the connection checklist.
type Check struct {
	Name   string
	Status CheckStatus
	// Detail says what was found; Fix, for a failure, what to change.
	Detail string
	Fix    string
}

// FirstFailure returns the first failed check, or nil when none failed.
func FirstFailure(checks []Check) *Check {
	for i := range checks {
		if checks[i].Status == Fail {
			return &checks[i]
		}
	}
	return nil
}

// doctor runs the checks and fills in the list.
type doctor struct {
	cfg    ConnConfig
	domain string
	host   string
	checks []Check
}

func (d *doctor) set(name string, st CheckStatus, detail, fix string) {
	for i := range d.checks {
		if d.checks[i].Name == name {
			d.checks[i] = Check{Name: name, Status: st, Detail: detail, Fix: fix}
		}
	}
}

// TestConnection checks an Okta connection step by step, as the setup
// wizard and "rolesync doctor" show it: the host resolves and answers over
// TLS, the clocks agree, a token is obtained, okta.groups.read is granted,
// an admin role is in effect (group members can be listed) and DPoP is used
// as configured. Each failure says what to fix in Okta; the checks after a
// failure that depend on it are skipped. It only reads from Okta.
func TestConnection(ctx context.Context, cfg ConnConfig) []Check {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LookupHost == nil {
		cfg.LookupHost = net.DefaultResolver.LookupHost
	}
	d := &doctor{cfg: cfg}
	for _, n := range []string{CheckReachable, CheckClock, CheckToken, CheckScope, CheckAdminRole, CheckDPoP} {
		d.checks = append(d.checks, Check{Name: n, Status: Skip, Detail: "not checked until the items above pass"})
	}
	d.run(ctx)
	return d.checks
}

func (d *doctor) run(ctx context.Context) {
	cfg := d.cfg
	switch cfg.Auth {
	case AuthAPIToken, AuthScoped, AuthScopedDPoP:
	default:
		d.set(CheckReachable, Fail, fmt.Sprintf("unknown authentication type %q", cfg.Auth),
			"Choose API Token, Scoped Okta Token or Scoped DPoP Okta Token.")
		return
	}
	domain, err := normalizeDomain(cfg.Domain)
	if err != nil {
		d.set(CheckReachable, Fail, err.Error(), "Enter the Okta domain as https://yourorg.okta.com.")
		return
	}
	d.domain = domain
	u, _ := url.Parse(domain)
	d.host = u.Hostname()
	base := cfg.Transport
	if base == nil {
		t, err := NewBaseTransport(cfg.CAFile, cfg.RootCAs)
		if err != nil {
			d.set(CheckReachable, Fail, err.Error(), "Fix the CA bundle file (okta.ca_file) or remove it.")
			return
		}
		base = t
	}
	date, ok := d.reachable(ctx, base)
	if !ok {
		return
	}
	if !d.clock(date) && cfg.Auth != AuthAPIToken {
		return
	}
	auth, tok, ok := d.token(ctx, base)
	if !ok {
		return
	}
	if !d.admin(ctx, auth, tok) {
		return
	}
	d.dpop(tok)
}

// reachable resolves the host and makes one HTTPS request.
func (d *doctor) reachable(ctx context.Context, base http.RoundTripper) (time.Time, bool) {
	if net.ParseIP(d.host) == nil {
		if _, err := d.cfg.LookupHost(ctx, d.host); err != nil {
			d.set(CheckReachable, Fail, fmt.Sprintf("the host %s does not resolve (unknown host)", d.host),
				"Check the Okta domain for typos: it is your org's URL, such as https://yourorg.okta.com, as shown in the Okta Admin Console's address bar.")
			return time.Time{}, false
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.domain+"/.well-known/openid-configuration", nil)
	if err != nil {
		d.set(CheckReachable, Fail, err.Error(), "Enter the Okta domain as https://yourorg.okta.com.")
		return time.Time{}, false
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		err = classifyNetError(d.host, err)
		fix := "Check the Okta domain and that this computer can reach it (proxy, firewall, VPN)."
		if errors.Is(err, ErrCertificate) {
			fix = "This computer does not trust Okta's TLS certificate: if your network inspects TLS, set the CA bundle (okta.ca_file) to your organisation's CA certificate in PEM form."
		}
		d.set(CheckReachable, Fail, err.Error(), fix)
		return time.Time{}, false
	}
	discard(resp)
	d.set(CheckReachable, Pass, fmt.Sprintf("%s resolves and answers over TLS", d.host), "")
	date, _ := http.ParseTime(resp.Header.Get("Date"))
	return date, true
}

// clock compares this computer's clock with Okta's Date header.
func (d *doctor) clock(date time.Time) bool {
	if date.IsZero() {
		d.set(CheckClock, Pass, "Okta sent no Date header to compare with", "")
		return true
	}
	skew := d.cfg.Now().Sub(date).Round(time.Second)
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		dir := "ahead of"
		if skew < 0 {
			dir, skew = "behind", -skew
		}
		d.set(CheckClock, Fail, fmt.Sprintf("this computer's clock is %s %s Okta's", skew, dir),
			"Set this computer's clock automatically (NTP): Okta rejects client assertions and DPoP proofs from a clock more than a minute off.")
		return false
	}
	d.set(CheckClock, Pass, "within a minute of Okta's clock", "")
	return true
}

// token obtains a token (scoped modes) and returns the transport that
// authenticates API calls.
func (d *doctor) token(ctx context.Context, base http.RoundTripper) (http.RoundTripper, *accessToken, bool) {
	cfg := d.cfg
	if cfg.Auth == AuthAPIToken {
		if strings.TrimSpace(cfg.APIToken) == "" {
			d.set(CheckToken, Fail, "no API token is configured",
				"Create an API token in the Okta Admin Console (Security > API > Tokens) and enter it in rolesync.")
			return nil, nil, false
		}
		d.set(CheckToken, Pass, "API token mode: requests carry the SSWS token; no OAuth token is needed", "")
		d.set(CheckScope, Pass, "API tokens act with the permissions of the admin who created them", "")
		return APITokenTransport(cfg.APIToken, base), nil, true
	}
	sc := ScopedConfig{Domain: d.domain, ClientID: cfg.ClientID, Key: cfg.Key, KeyID: cfg.KeyID, Alg: cfg.Alg,
		Scopes: cfg.Scopes, Now: cfg.Now, HTTPClient: &http.Client{Transport: base}}
	if cfg.Nonces != nil {
		sc.Nonces = saveOnly{cfg.Nonces}
	}
	if cfg.Auth == AuthScopedDPoP {
		if cfg.DPoPKey == nil {
			d.set(CheckToken, Fail, "Scoped DPoP Okta Token is chosen but no DPoP key is configured",
				"Generate or import the DPoP key pair (rolesync keys generate --for dpop) and add its public key to the app in Okta.")
			return nil, nil, false
		}
		sc.DPoPKey = cfg.DPoPKey
	}
	src, err := newTokenSource(sc, base)
	if err != nil {
		d.set(CheckToken, Fail, err.Error(), "Complete the Okta settings in rolesync: client ID, key ID and private key.")
		return nil, nil, false
	}
	tok, err := src.token(ctx)
	var te *TokenError
	switch {
	case errors.As(err, &te):
		detail := fmt.Sprintf("Okta refused the token request: %s", te.Code)
		if te.Description != "" {
			detail += " (" + te.Description + ")"
		}
		fix := sentence(te.Fix())
		d.set(CheckToken, Fail, detail, fix)
		switch te.Code {
		case "invalid_scope", "no_org_scopes_granted":
			d.set(CheckScope, Fail, detail, fix)
		case "invalid_dpop_proof":
			d.set(CheckDPoP, Fail, detail, fix)
		}
		return nil, nil, false
	case err != nil:
		err = classifyNetError(d.host, err)
		d.set(CheckToken, Fail, err.Error(), "Check the Okta domain and that this computer can reach Okta's token endpoint.")
		return nil, nil, false
	}
	d.set(CheckToken, Pass, fmt.Sprintf("%s token valid until %s", tok.typ, tok.expiry.Format(time.RFC3339)), "")
	if !strings.Contains(" "+tok.scope+" ", " "+ScopeGroupsRead+" ") && tok.scope != "" {
		d.set(CheckScope, Fail, "the token's scopes are: "+tok.scope, sentence(fixScope))
		return nil, nil, false
	}
	d.set(CheckScope, Pass, "the token carries okta.groups.read", "")
	return &scopedTransport{base: base, src: src}, tok, true
}

const fixScope = "grant okta.groups.read (and any extra scopes configured in rolesync) on the app's Okta API Scopes tab."

// sentence capitalises a fix for display as a checklist line.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// saveOnly passes nonces on to a NonceCache without reading from it.
type saveOnly struct{ NonceCache }

func (saveOnly) DPoPNonce() string { return "" }
