// Package setup is the model behind rolesync's setup wizard: what an admin
// has entered so far (the target, the Okta apps, the key pairs, the mapping,
// the safety gates and the secrets typed in this session), and the
// configuration it makes. It is plain Go: the wizard's screens in ui/wizard
// read and write a State, and the checks of each field live in
// internal/config.
package setup

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keyservice"
)

// Target choices on the first screen.
const (
	ChoiceThreatLocker = "ThreatLocker"
	ChoiceSCIM         = "Generic SCIM 2.0 service"
	ChoiceLocal        = "Local directory"
)

// Ways to create the API Services app.
const (
	ModeByHand = "By hand in the Okta Admin Console"
	ModeAuto   = "Automatically, with a one-time super-admin API token"
)

// Ways to provide a key pair.
const (
	KeyGenerate = "Generate the key pair in rolesync"
	KeyPaste    = "Paste an existing key (PEM or JWK)"
)

// AudienceURI is the Audience URI (SP Entity ID) of the portal's SAML app.
const AudienceURI = "https://threatlocker.com"

// DefaultThreshold is the deletion threshold offered to a new setup.
const DefaultThreshold = 10

// SSOURL is the Single sign-on URL of the ThreatLocker instance.
func SSOURL(instance string) string {
	return "https://portalapi." + strings.ToLower(instance) + ".threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService"
}

// KeyState is one key pair being set up.
type KeyState struct {
	Mode      string
	Info      *KeyInfo // set once generated or imported
	Source    string   // KeyGenerate, KeyPaste, or "" for a saved key
	Inspected *KeyInfo // the pasted key, once it checks out
	Priv      string   // pasted private key; never leaves memory except to Keys.Import
	Pub       string   // pasted public key
	Imported  string   // the pasted private text that info came from
}

// MappingRow is one [Okta group][roles] row.
type MappingRow struct {
	Group Group
	Roles []string
}

// State is everything entered so far. Back and Next keep it.
type State struct {
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
	Keys map[string]*KeyState

	Domain string
	Checks []CheckResult
	Tested string // the connection settings the checks were made for

	Interval time.Duration
	Rows     []*MappingRow

	Protected string
	Threshold string
	Preview   *Preview

	Secrets Secrets
}

// New makes the State for a new setup, or prefilled from cfg.
func New(cfg *config.Config) *State {
	s := &State{
		Target:    ChoiceThreatLocker,
		AppMode:   ModeByHand,
		Auth:      config.AuthScopedDPoP,
		Interval:  config.DefaultInterval,
		Threshold: strconv.Itoa(DefaultThreshold),
		Secrets:   Secrets{},
		Keys: map[string]*KeyState{
			keyservice.UseClient: {Mode: KeyGenerate},
			keyservice.UseDPoP:   {Mode: KeyGenerate},
		},
	}
	if cfg == nil {
		// A new setup starts from the defaults: among them the deletion
		// threshold's percentage, which the wizard does not ask for and
		// which 0 would switch off.
		s.Base = config.Default()
		s.Rows = []*MappingRow{{}}
		return s
	}
	s.Base = *cfg
	switch {
	case cfg.Target.Kind == config.TargetLocal:
		s.Target = ChoiceLocal
	case cfg.Target.Kind == config.TargetSCIM && cfg.Target.Profile != "threatlocker":
		s.Target = ChoiceSCIM
	}
	s.Instance = cfg.Target.Instance
	s.SCIMURL = cfg.Target.BaseURL
	s.ClientID = cfg.Okta.ClientID
	if cfg.Okta.Auth != "" {
		s.Auth = cfg.Okta.Auth
	}
	if cfg.Okta.PublicKey != "" {
		s.Keys[keyservice.UseClient].Info = &KeyInfo{PublicJWK: cfg.Okta.PublicKey, KeyID: cfg.Okta.KeyID, Summary: "Saved key"}
	}
	if cfg.Okta.DPoPPublicKey != "" {
		s.Keys[keyservice.UseDPoP].Info = &KeyInfo{PublicJWK: cfg.Okta.DPoPPublicKey, KeyID: cfg.Okta.DPoPKeyID, Summary: "Saved key"}
	}
	s.Domain = cfg.Okta.Domain
	if cfg.Sync.Interval != 0 {
		s.Interval = cfg.Sync.Interval
	}
	for _, m := range cfg.Mappings {
		s.Rows = append(s.Rows, &MappingRow{Group: Group{ID: m.GroupID, Name: m.Group, Members: -1}, Roles: slices.Clone(m.Roles)})
	}
	if len(s.Rows) == 0 {
		s.Rows = []*MappingRow{{}}
	}
	s.Protected = strings.Join(cfg.Safety.ProtectedAccounts, "\n")
	s.Threshold = strconv.Itoa(cfg.Safety.MaxRevocations)
	return s
}

// Config builds the configuration from what was entered. It holds no secrets.
func (s *State) Config() config.Config {
	c := s.Base
	c.Okta.Domain = strings.TrimRight(strings.TrimSpace(s.Domain), "/")
	c.Okta.Auth = s.Auth
	c.Okta.ClientID, c.Okta.PublicKey, c.Okta.KeyID, c.Okta.DPoPPublicKey, c.Okta.DPoPKeyID = "", "", "", "", ""
	if s.Auth != config.AuthAPIToken {
		c.Okta.ClientID = strings.TrimSpace(s.ClientID)
		if k := s.Keys[keyservice.UseClient].Info; k != nil {
			c.Okta.PublicKey, c.Okta.KeyID = k.PublicJWK, k.KeyID
		}
	}
	if s.Auth == config.AuthScopedDPoP {
		if k := s.Keys[keyservice.UseDPoP].Info; k != nil {
			c.Okta.DPoPPublicKey, c.Okta.DPoPKeyID = k.PublicJWK, k.KeyID
		}
	}
	c.Sync.Interval = s.Interval
	switch s.Target {
	case ChoiceThreatLocker:
		c.Target.Kind, c.Target.Profile = config.TargetSCIM, "threatlocker"
		c.Target.Instance, c.Target.BaseURL = strings.TrimSpace(s.Instance), strings.TrimRight(strings.TrimSpace(s.SCIMURL), "/")
	case ChoiceSCIM:
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
	c.Safety.ProtectedAccounts = config.ParseAccounts(s.Protected)
	if n, err := config.ParseThreshold(s.Threshold); err == nil {
		c.Safety.MaxRevocations = n
	}
	return c
}

// ConnectionKey identifies the settings a connection test depends on.
func (s *State) ConnectionKey() string {
	c := s.Config()
	key := func(u string) string {
		if k := s.Keys[u].Info; k != nil {
			return k.KeyID + k.Thumbprint
		}
		return ""
	}
	return strings.Join([]string{c.Okta.Domain, c.Okta.Auth, c.Okta.ClientID, key(keyservice.UseClient), key(keyservice.UseDPoP),
		fmt.Sprintf("%x", sha256.Sum256(s.Secrets[SecretOktaAPIToken]))}, "\x00")
}

// CopySecrets copies the secrets for a call off the UI goroutine.
func (s *State) CopySecrets() Secrets {
	out := make(Secrets, len(s.Secrets))
	for k, v := range s.Secrets {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

// LosingAccess lists the admins who lose access, less the protected accounts.
func (s *State) LosingAccess() []string {
	if s.Preview == nil {
		return nil
	}
	protected := config.ParseAccounts(s.Protected)
	var out []string
	for _, u := range s.Preview.LosingAccess {
		if !slices.ContainsFunc(protected, func(p string) bool { return strings.EqualFold(p, u) }) {
			out = append(out, u)
		}
	}
	return out
}

// NeededSecrets names the secrets the chosen settings use.
func (s *State) NeededSecrets() []string {
	var out []string
	if s.Auth == config.AuthAPIToken {
		out = append(out, SecretOktaAPIToken)
	}
	if s.Target != ChoiceLocal {
		out = append(out, SecretSCIMToken)
	}
	return out
}
