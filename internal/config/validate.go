package config

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// FieldError is one problem with one field: what is wrong and how to fix it.
type FieldError struct {
	Field   string // the YAML path, such as "okta.domain" or "mappings[2].roles"
	Problem string
	Fix     string
}

// Error reads like `okta.domain: "example.okta.com" has no scheme; use "https://example.okta.com"`.
func (e FieldError) Error() string {
	if e.Fix == "" {
		return e.Field + ": " + e.Problem
	}
	return e.Field + ": " + e.Problem + "; " + e.Fix
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	Errors []FieldError
}

// Error puts all problems on one line.
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		msgs[i] = fe.Error()
	}
	if len(msgs) == 1 {
		return "invalid configuration: " + msgs[0]
	}
	return fmt.Sprintf("invalid configuration (%d problems): %s", len(msgs), strings.Join(msgs, " | "))
}

// Validate checks the whole configuration, including that configured CA
// files exist and hold PEM certificates, and returns a *ValidationError
// listing every problem, or nil.
func (c Config) Validate() error {
	if errs := c.Problems(true); len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	return nil
}

// Problems returns every problem in the configuration. With checkFiles
// false it does no I/O, so a form can call it on every edit.
func (c Config) Problems(checkFiles bool) []FieldError {
	var v validator
	v.okta(c.Okta, checkFiles)
	if !slices.Contains(Intervals, c.Sync.Interval) {
		v.add("sync.interval", fmt.Sprintf("%s is not an interval rolesync offers", FormatInterval(c.Sync.Interval)),
			"use one of "+intervalList())
	}
	v.target(c.Target, checkFiles)
	v.mappings(c.Mappings)
	v.safety(c.Safety)
	return v.errs
}

type validator struct{ errs []FieldError }

// problemPrivateKey is the problem of a public key field holding a private key.
const problemPrivateKey = "holds a private key"

func (v *validator) add(field, problem, fix string) {
	v.errs = append(v.errs, FieldError{Field: field, Problem: problem, Fix: fix})
}

var authTypes = []string{AuthAPIToken, AuthScoped, AuthScopedDPoP}

func (v *validator) okta(o Okta, checkFiles bool) {
	v.oktaDomain(o.Domain)
	v.oktaAuth(o)
	for i, s := range o.Scopes {
		if s == "" || strings.ContainsAny(s, " \t,") {
			v.add(fmt.Sprintf("okta.scopes[%d]", i), fmt.Sprintf("%q is not one scope", s),
				"list one scope per entry, such as okta.users.read")
		}
	}
	v.oktaPacing(o)
	v.publicKey("okta.public_key", o.PublicKey, "client")
	v.publicKey("okta.dpop_public_key", o.DPoPPublicKey, "dpop")
	if checkFiles {
		v.caFile("okta.ca_file", o.CAFile)
	}
}

// oktaAuth checks the authentication type and the client id it needs.
func (v *validator) oktaAuth(o Okta) {
	switch {
	case o.Auth == "":
		v.add("okta.auth", "is empty", "use scoped_dpop (recommended), scoped or api_token")
	case !slices.Contains(authTypes, o.Auth):
		v.add("okta.auth", fmt.Sprintf("%q is not an authentication type", o.Auth), "use scoped_dpop (recommended), scoped or api_token")
	case o.Auth != AuthAPIToken && strings.TrimSpace(o.ClientID) == "":
		v.add("okta.client_id", "is required for auth "+o.Auth,
			"copy the Client ID from the General tab of the API Services app in the Okta Admin Console")
	}
}

// oktaPacing checks how hard rolesync may read Okta: the groups read at a
// time, the share of the rate limit and the search overlap.
func (v *validator) oktaPacing(o Okta) {
	if o.Concurrency < 0 || o.Concurrency > MaxConcurrency {
		v.add("okta.concurrency", fmt.Sprintf("%d groups at a time is outside 1 to %d", o.Concurrency, MaxConcurrency),
			fmt.Sprintf("use 1 to %d, or leave it out for %d; Okta's limit on concurrent requests is shared by the whole org", MaxConcurrency, DefaultConcurrency))
	}
	if o.RateLimitPercent < 0 || o.RateLimitPercent > 100 {
		v.add("okta.rate_limit_percent", fmt.Sprintf("%d is not a percentage", o.RateLimitPercent),
			fmt.Sprintf("use 1 to 100, or leave it out for %d (Okta's default share of one app)", DefaultRateLimitPercent))
	}
	if d := time.Duration(o.SearchOverlap); d != 0 && (d < MinSearchOverlap || d > MaxSearchOverlap) {
		v.add("okta.search_overlap", fmt.Sprintf("%s is outside %s to %s", FormatInterval(d), FormatInterval(MinSearchOverlap), FormatInterval(MaxSearchOverlap)),
			fmt.Sprintf("use a duration such as 30m, or leave it out for %s; Okta's users search can show a change minutes late, and the overlap reads those again", FormatInterval(DefaultSearchOverlap)))
	}
}

// PrivateKeyProblem returns the FieldError of the first public key field
// that holds a private key, or nil. Saving refuses such a configuration
// even when it is not validated yet, so that no secret reaches the store.
func (c Config) PrivateKeyProblem() error {
	var v validator
	v.publicKey("okta.public_key", c.Okta.PublicKey, "client")
	v.publicKey("okta.dpop_public_key", c.Okta.DPoPPublicKey, "dpop")
	for _, fe := range v.errs {
		if fe.Problem == problemPrivateKey {
			return fe
		}
	}
	return nil
}

// publicKey flags a private key pasted where only the public half belongs,
// so that it never reaches the configuration store.
func (v *validator) publicKey(field, key, use string) {
	k := strings.TrimSpace(key)
	if k == "" {
		return
	}
	private := strings.Contains(k, "PRIVATE KEY")
	if strings.HasPrefix(k, "{") {
		var jwk map[string]any
		if err := json.Unmarshal([]byte(k), &jwk); err != nil {
			v.add(field, "is not a JWK: "+err.Error(), "paste the public key JSON as `rolesync keys show --for "+use+"` prints it")
			return
		}
		_, private = jwk["d"]
	}
	if private {
		v.add(field, problemPrivateKey, "keep only the public half here; import the private key with `rolesync keys import --for "+use+"`")
	}
}

func (v *validator) oktaDomain(d string) {
	const field = "okta.domain"
	switch {
	case strings.TrimSpace(d) == "":
		v.add(field, "is empty", "set it to your Okta org address, "+domainExample)
	case d != strings.TrimSpace(d):
		v.add(field, fmt.Sprintf("%q has spaces around it", d), fmt.Sprintf("use %q", strings.TrimSpace(d)))
	case !strings.Contains(d, "://"):
		fixed := "https://" + strings.TrimRight(d, "/")
		if u, err := url.Parse(fixed); err == nil && u.Host != "" {
			fixed = "https://" + u.Host
		}
		v.add(field, fmt.Sprintf("%q has no scheme", d), fmt.Sprintf("use %q", fixed))
	default:
		v.oktaDomainURL(field, d)
	}
}

// domainExample ends the fixes of okta.domain.
const domainExample = "such as https://example.okta.com"

// oktaDomainURL checks an okta.domain that has a scheme: it must be the
// org's https address, host only.
func (v *validator) oktaDomainURL(field, d string) {
	u, err := url.Parse(d)
	if err != nil || u.Host == "" {
		v.add(field, fmt.Sprintf("%q is not an address", d), "use your Okta org address, "+domainExample)
		return
	}
	fixed := "https://" + u.Host
	if strings.HasSuffix(u.Hostname(), "-admin.okta.com") || strings.HasSuffix(u.Hostname(), "-admin.oktapreview.com") {
		fixed = "https://" + strings.Replace(u.Host, "-admin.", ".", 1)
		v.add(field, fmt.Sprintf("%q is the Admin Console address, not the org", d), fmt.Sprintf("use %q", fixed))
		return
	}
	switch {
	case u.Scheme != "https":
		v.add(field, fmt.Sprintf("%q uses %s; Okta must be reached over https", d, u.Scheme), fmt.Sprintf("use %q", fixed))
	case u.User != nil:
		v.add(field, fmt.Sprintf("%q holds a user name", d), fmt.Sprintf("use %q", fixed))
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		v.add(field, fmt.Sprintf("%q has a path or query; give the host only", d), fmt.Sprintf("use %q", fixed))
	}
}

// caFile checks that a configured CA bundle exists and holds certificates.
func (v *validator) caFile(field, path string) {
	if path == "" {
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		v.add(field, fmt.Sprintf("cannot read %q: %v", path, unwrapPath(err)), "give the path of a PEM file of CA certificates, or leave it empty")
		return
	}
	n := 0
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			v.add(field, fmt.Sprintf("%q holds a certificate that does not parse: %v", path, err), "export the CA certificates again as PEM")
			return
		}
		n++
	}
	if n == 0 {
		v.add(field, fmt.Sprintf("%q holds no PEM certificate", path),
			"give a file with -----BEGIN CERTIFICATE----- blocks (convert DER with `openssl x509 -inform der`)")
	}
}

// unwrapPath drops the path from an os error, which the message already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

var instanceRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func (v *validator) target(t Target, checkFiles bool) {
	switch t.Kind {
	case TargetLocal:
		return
	case TargetSCIM:
	case "":
		v.add("target.kind", "is empty", "use local or scim")
		return
	default:
		v.add("target.kind", fmt.Sprintf("%q is not a target kind", t.Kind), "use local or scim")
		return
	}
	v.scimBaseURL(t.BaseURL)
	if t.RoleMode != "" && t.RoleMode != "groups" && t.RoleMode != "attribute" {
		v.add("target.role_mode", fmt.Sprintf("%q is not a role mode", t.RoleMode), "use groups or attribute")
	}
	v.scimProfile(t)
	if t.Concurrency < 0 || t.Concurrency > MaxConcurrency {
		v.add("target.concurrency", fmt.Sprintf("%d SCIM requests at a time is outside 1 to %d", t.Concurrency, MaxConcurrency),
			fmt.Sprintf("use 1 to %d, or leave it out for %d", MaxConcurrency, DefaultConcurrency))
	}
	if checkFiles {
		v.caFile("target.ca_file", t.CAFile)
	}
}

// scimBaseURL checks a scim target's address: required, and https.
func (v *validator) scimBaseURL(base string) {
	if base == "" {
		v.add("target.base_url", "is required for a scim target", "set it to the SCIM 2.0 service address, such as "+ExampleSCIMURL)
	} else if u, err := url.Parse(base); err != nil || u.Host == "" {
		v.add("target.base_url", fmt.Sprintf("%q is not an address", base), "use an https address such as "+ExampleSCIMURL)
	} else if u.Scheme != "https" {
		u.Scheme = "https"
		v.add("target.base_url", fmt.Sprintf("%q does not use https", base), fmt.Sprintf("use %q", u.String()))
	}
}

// scimProfile checks a scim target's profile, and the instance the
// ThreatLocker profile needs.
func (v *validator) scimProfile(t Target) {
	switch t.Profile {
	case "", "generic":
	case "threatlocker":
		if !instanceRE.MatchString(t.Instance) {
			v.add("target.instance", fmt.Sprintf("%q is not a ThreatLocker instance", t.Instance),
				`use the letters between "portalapi." and ".threatlocker.com" in your portal API address, such as "d"`)
		}
	default:
		v.add("target.profile", fmt.Sprintf("%q is not a profile", t.Profile), "use generic or threatlocker")
	}
}

func (v *validator) mappings(ms []Mapping) {
	if len(ms) == 0 {
		v.add("mappings", "none are set", "map at least one Okta group to portal roles")
		return
	}
	seen := map[string]int{}
	for i, m := range ms {
		field := fmt.Sprintf("mappings[%d]", i)
		g := strings.TrimSpace(m.Group)
		if g == "" {
			v.add(field+".group", "is empty", "give an Okta group name or id")
		} else if j, dup := seen[strings.ToLower(g)]; dup {
			v.add(field+".group", fmt.Sprintf("%q is mapped twice (also mappings[%d])", g, j), "merge the roles into one mapping")
		} else {
			seen[strings.ToLower(g)] = i
		}
		if len(m.Roles) == 0 {
			v.add(field+".roles", "none are set", "list at least one portal role, such as [Read Only]")
		}
		roles := map[string]bool{}
		for k, r := range m.Roles {
			switch {
			case strings.TrimSpace(r) == "":
				v.add(fmt.Sprintf("%s.roles[%d]", field, k), "is empty", "give a portal role name or remove the entry")
			case roles[r]:
				v.add(fmt.Sprintf("%s.roles[%d]", field, k), fmt.Sprintf("%q is listed twice", r), "remove the duplicate")
			}
			roles[r] = true
		}
	}
}

func (v *validator) safety(s Safety) {
	if s.MaxRevocations < 0 {
		v.add("safety.max_revocations", fmt.Sprintf("%d is negative", s.MaxRevocations),
			fmt.Sprintf("use 0 or more (default %d)", DefaultMaxRevocations))
	}
	if s.MaxRevocationPercent < 0 || s.MaxRevocationPercent > 100 {
		v.add("safety.max_revocation_percent", fmt.Sprintf("%d is not a percentage", s.MaxRevocationPercent),
			fmt.Sprintf("use 0 to 100 (default %d)", DefaultMaxRevocationPercent))
	}
	for i, a := range s.ProtectedAccounts {
		if strings.TrimSpace(a) == "" {
			v.add(fmt.Sprintf("safety.protected_accounts[%d]", i), "is empty", "give a login or email, or remove the entry")
		}
	}
	for i, r := range s.AdminRoles {
		if strings.TrimSpace(r) == "" {
			v.add(fmt.Sprintf("safety.admin_roles[%d]", i), "is empty", "give a portal role name, or remove the entry")
		}
	}
}
