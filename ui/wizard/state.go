package wizard

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/config"
)

// Target choices on the first screen.
const (
	choiceThreatLocker = "ThreatLocker"
	choiceSCIM         = "Generic SCIM 2.0 service"
	choiceLocal        = "Local directory"
)

// Ways to create the API Services app.
const (
	modeByHand = "By hand in the Okta Admin Console"
	modeAuto   = "Automatically, with a one-time super-admin API token"
)

// Ways to provide a key pair.
const (
	keyGenerate = "Generate the key pair in rolesync"
	keyPaste    = "Paste an existing key (PEM or JWK)"
)

// AudienceURI is the Audience URI (SP Entity ID) of the portal's SAML app.
const AudienceURI = "https://threatlocker.com"

// defaultThreshold is the deletion threshold offered to a new setup.
const defaultThreshold = 10

// SSOURL is the Single sign-on URL of the ThreatLocker instance.
func SSOURL(instance string) string {
	return "https://portalapi." + strings.ToLower(instance) + ".threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService"
}

// keyState is one key pair being set up.
type keyState struct {
	Mode      string
	Info      *KeyInfo // set once generated or imported
	Source    string   // keyGenerate, keyPaste, or "" for a saved key
	Inspected *KeyInfo // the pasted key, once it checks out
	Priv      string   // pasted private key; never leaves memory except to Keys.Import
	Pub       string   // pasted public key
	Imported  string   // the pasted private text that info came from
}

// mappingRow is one [Okta group][roles] row.
type mappingRow struct {
	Group Group
	Roles []string
}

// state is everything entered so far. Back and Next keep it.
type state struct {
	Base config.Config // the prefill, for fields the wizard does not edit

	Target   string
	Instance string
	SCIMURL  string

	MetadataURL string

	AppMode    string
	ClientID   string
	AutoResult *AutoSetupResult
	AutoAuth   string // the type the automatic setup configured the app for

	Auth string
	Keys map[string]*keyState

	Domain string
	Checks []CheckResult
	Tested string // the connection settings the checks were made for

	Interval time.Duration
	Rows     []*mappingRow

	Protected string
	Threshold string
	Preview   *Preview

	Secrets Secrets
}

// newState makes the state for a new setup, or prefilled from cfg.
func newState(cfg *config.Config) *state {
	s := &state{
		Target:    choiceThreatLocker,
		AppMode:   modeByHand,
		Auth:      config.AuthScopedDPoP,
		Interval:  config.DefaultInterval,
		Threshold: strconv.Itoa(defaultThreshold),
		Secrets:   Secrets{},
		Keys: map[string]*keyState{
			UseClient: {Mode: keyGenerate},
			UseDPoP:   {Mode: keyGenerate},
		},
	}
	if cfg == nil {
		// A new setup starts from the defaults: among them the deletion
		// threshold's percentage, which the wizard does not ask for and
		// which 0 would switch off.
		s.Base = config.Default()
		s.Rows = []*mappingRow{{}}
		return s
	}
	s.Base = *cfg
	switch {
	case cfg.Target.Kind == config.TargetLocal:
		s.Target = choiceLocal
	case cfg.Target.Kind == config.TargetSCIM && cfg.Target.Profile != "threatlocker":
		s.Target = choiceSCIM
	}
	s.Instance = cfg.Target.Instance
	s.SCIMURL = cfg.Target.BaseURL
	s.ClientID = cfg.Okta.ClientID
	if cfg.Okta.Auth != "" {
		s.Auth = cfg.Okta.Auth
	}
	if cfg.Okta.PublicKey != "" {
		s.Keys[UseClient].Info = &KeyInfo{PublicJWK: cfg.Okta.PublicKey, KeyID: cfg.Okta.KeyID, Summary: "Saved key"}
	}
	if cfg.Okta.DPoPPublicKey != "" {
		s.Keys[UseDPoP].Info = &KeyInfo{PublicJWK: cfg.Okta.DPoPPublicKey, KeyID: cfg.Okta.DPoPKeyID, Summary: "Saved key"}
	}
	s.Domain = cfg.Okta.Domain
	if cfg.Sync.Interval != 0 {
		s.Interval = cfg.Sync.Interval
	}
	for _, m := range cfg.Mappings {
		s.Rows = append(s.Rows, &mappingRow{Group: Group{ID: m.GroupID, Name: m.Group, Members: -1}, Roles: slices.Clone(m.Roles)})
	}
	if len(s.Rows) == 0 {
		s.Rows = []*mappingRow{{}}
	}
	s.Protected = strings.Join(cfg.Safety.ProtectedAccounts, "\n")
	s.Threshold = strconv.Itoa(cfg.Safety.MaxRevocations)
	return s
}

// config builds the configuration from what was entered. It holds no secrets.
func (s *state) Config() config.Config {
	c := s.Base
	c.Okta.Domain = strings.TrimRight(strings.TrimSpace(s.Domain), "/")
	c.Okta.Auth = s.Auth
	c.Okta.ClientID, c.Okta.PublicKey, c.Okta.KeyID, c.Okta.DPoPPublicKey, c.Okta.DPoPKeyID = "", "", "", "", ""
	if s.Auth != config.AuthAPIToken {
		c.Okta.ClientID = strings.TrimSpace(s.ClientID)
		if k := s.Keys[UseClient].Info; k != nil {
			c.Okta.PublicKey, c.Okta.KeyID = k.PublicJWK, k.KeyID
		}
	}
	if s.Auth == config.AuthScopedDPoP {
		if k := s.Keys[UseDPoP].Info; k != nil {
			c.Okta.DPoPPublicKey, c.Okta.DPoPKeyID = k.PublicJWK, k.KeyID
		}
	}
	c.Sync.Interval = s.Interval
	switch s.Target {
	case choiceThreatLocker:
		c.Target.Kind, c.Target.Profile = config.TargetSCIM, "threatlocker"
		c.Target.Instance, c.Target.BaseURL = strings.TrimSpace(s.Instance), strings.TrimRight(strings.TrimSpace(s.SCIMURL), "/")
	case choiceSCIM:
		c.Target.Kind, c.Target.Profile = config.TargetSCIM, "generic"
		c.Target.Instance, c.Target.BaseURL = "", strings.TrimRight(strings.TrimSpace(s.SCIMURL), "/")
	default:
		c.Target = config.Target{Kind: config.TargetLocal}
	}
	c.Mappings = nil
	for _, r := range s.Rows {
		if r.Group.Name == "" {
			continue
		}
		c.Mappings = append(c.Mappings, config.Mapping{Group: r.Group.Name, Roles: slices.Clone(r.Roles), GroupID: r.Group.ID})
	}
	c.Safety.ProtectedAccounts = parseAccounts(s.Protected)
	if n, err := parseThreshold(s.Threshold); err == nil {
		c.Safety.MaxRevocations = n
	}
	return c
}

// connectionKey identifies the settings a connection test depends on.
func (s *state) ConnectionKey() string {
	c := s.Config()
	key := func(u string) string {
		if k := s.Keys[u].Info; k != nil {
			return k.KeyID + k.Thumbprint
		}
		return ""
	}
	return strings.Join([]string{c.Okta.Domain, c.Okta.Auth, c.Okta.ClientID, key(UseClient), key(UseDPoP),
		fmt.Sprintf("%x", sha256.Sum256(s.Secrets[SecretOktaAPIToken]))}, "\x00")
}

// validateInstance checks a ThreatLocker instance.
func validateInstance(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("enter the ThreatLocker instance: in the portal, open Help and copy the letters or digits in parentheses after 'ThreatLocker Access'")
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("the instance %q may contain only letters and digits (for example d or us1): copy just the characters in parentheses after 'ThreatLocker Access'", v)
		}
	}
	return nil
}

// Examples for the URL fields' messages.
const (
	exampleSCIMURL     = "https://portal.example.com/scim/v2"
	exampleMetadataURL = "https://example.okta.com/app/exk…/sso/saml/metadata"
)

// validateHTTPSURL checks a URL that must use HTTPS. When the scheme is
// missing it returns the URL with https:// as a fix to offer.
func validateHTTPSURL(what, example, v string) (fix string, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("enter the %s, for example %s", what, example)
	}
	if !strings.Contains(v, "://") {
		fix = "https://" + v
		if _, ferr := validateHTTPSURL(what, example, fix); ferr != nil {
			fix = ""
		}
		return fix, fmt.Errorf("the %s must start with https:// (for example %s)", what, example)
	}
	u, perr := url.Parse(v)
	if perr != nil {
		return "", fmt.Errorf("the %s %q is not a valid URL (%w): enter it as https://host", what, v, perr)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("the %s must use https://, not %s://: Okta and the portal are reached over HTTPS only", what, u.Scheme)
	}
	if u.Host == "" || strings.ContainsAny(u.Host, " _") {
		return "", fmt.Errorf("the %s %q has no valid host name: enter it as https://host", what, v)
	}
	return "", nil
}

// validateDomain checks the Okta domain: HTTPS, a host and nothing after it.
func validateDomain(v string) (fix string, err error) {
	if fix, err = validateHTTPSURL("Okta domain", "https://example.okta.com", v); err != nil {
		return fix, err
	}
	u, _ := url.Parse(strings.TrimSpace(v))
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return u.Scheme + "://" + u.Host, fmt.Errorf("the Okta domain is the org address only: remove %q", strings.TrimPrefix(strings.TrimSpace(v), u.Scheme+"://"+u.Host))
	}
	return "", nil
}

// validateClientID checks an Okta client ID.
func validateClientID(v string) error {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return errors.New("enter the Client ID: in Okta open Applications > Applications, select the API Services app and copy it from 'Client Credentials' on the General tab")
	case strings.ContainsAny(v, " \t\n"):
		return errors.New("the Client ID contains spaces: copy it again from 'Client Credentials' on the app's General tab")
	}
	return nil
}

// validateToken checks an Okta API token as typed.
func validateToken(v string) error {
	switch {
	case v == "":
		return errors.New("paste the API token: in Okta open Security > API > Tokens and create one (its value is shown only once)")
	case strings.ContainsAny(v, " \t\n"):
		return errors.New("the API token contains spaces or line breaks: paste only the token value")
	case len(v) < 20:
		return errors.New("the API token is too short: Okta API tokens are about 40 characters, paste the whole value")
	}
	return nil
}

// parseAccounts splits protected accounts given one a line or comma separated.
func parseAccounts(v string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// validateAccounts checks the protected accounts: logins, one a line.
func validateAccounts(v string) error {
	for _, a := range parseAccounts(v) {
		if strings.ContainsAny(a, " \t") {
			return fmt.Errorf("%q is not one login: put each login on its own line", a)
		}
	}
	return nil
}

// parseThreshold reads the deletion threshold.
func parseThreshold(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("the deletion threshold %q is not a whole number: enter how many users one run may revoke before it stops for review, for example 10 (0 turns the gate off)", strings.TrimSpace(v))
	}
	return n, nil
}

// intervalLabel names an interval as the seed does: "5 Minutes", "1 Hour".
func intervalLabel(d time.Duration) string {
	unit, n := "Minute", int(d/time.Minute)
	if d >= time.Hour && d%time.Hour == 0 {
		unit, n = "Hour", int(d/time.Hour)
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// copySecrets copies the secrets for a call off the UI goroutine.
func (s *state) CopySecrets() Secrets {
	out := make(Secrets, len(s.Secrets))
	for k, v := range s.Secrets {
		out[k] = append([]byte(nil), v...)
	}
	return out
}
