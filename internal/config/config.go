// Package config holds rolesync's typed, non-secret configuration: the Okta
// connection, the sync interval, the target, the group-to-role mappings and
// the safety gates. It validates with messages that name the field and the
// fix, and imports and exports YAML. Secrets never live here.
package config

import "time"

// Authentication types, as the seed offers them.
const (
	AuthAPIToken   = "api_token"   // Okta API Token: least secure, not recommended
	AuthScoped     = "scoped"      // Scoped Okta Token: OAuth 2.0 client credentials, private_key_jwt
	AuthScopedDPoP = "scoped_dpop" // Scoped DPoP Okta Token: the default and recommended
)

// Target kinds.
const (
	TargetLocal = "local"
	TargetSCIM  = "scim"
)

// Intervals are the sync intervals the seed offers; DefaultInterval is its default.
var Intervals = []time.Duration{
	5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// DefaultInterval is the seed's default sync interval.
const DefaultInterval = 15 * time.Minute

// Config is the whole non-secret configuration.
type Config struct {
	Okta     Okta      `yaml:"okta"`
	Sync     Sync      `yaml:"sync"`
	Target   Target    `yaml:"target"`
	Mappings []Mapping `yaml:"mappings"`
	Safety   Safety    `yaml:"safety"`
}

// Okta is the connection to the Okta org.
type Okta struct {
	Domain   string   `yaml:"domain"`              // https://example.okta.com
	Auth     string   `yaml:"auth"`                // api_token | scoped | scoped_dpop
	ClientID string   `yaml:"client_id,omitempty"` // for the scoped modes
	CAFile   string   `yaml:"ca_file,omitempty"`   // optional extra CA bundle (PEM)
	Scopes   []string `yaml:"scopes,omitempty"`    // optional scopes beyond okta.groups.read
	// Public keys (JWK JSON) and their kids; the private halves live in the keyring.
	PublicKey     string `yaml:"public_key,omitempty"`
	KeyID         string `yaml:"key_id,omitempty"`
	DPoPPublicKey string `yaml:"dpop_public_key,omitempty"`
	DPoPKeyID     string `yaml:"dpop_key_id,omitempty"`
	// Concurrency is how many Okta groups are read at the same time; 0
	// means DefaultConcurrency.
	Concurrency int `yaml:"concurrency,omitempty"`
	// RateLimitPercent is the share of each Okta rate-limit bucket rolesync
	// may use; 0 means DefaultRateLimitPercent, Okta's default share of one
	// app or token. The buckets are shared by the whole org.
	RateLimitPercent int `yaml:"rate_limit_percent,omitempty"`
	// SearchOverlap is how far before the newest lastUpdated it has seen
	// the users-search delta feed (used without okta.logs.read) starts its
	// next search, since Okta's search shows changes late: MinSearchOverlap
	// to MaxSearchOverlap; 0 means DefaultSearchOverlap.
	SearchOverlap Overlap `yaml:"search_overlap,omitempty"`
}

// Defaults and bounds of the Okta read.
const (
	DefaultConcurrency      = 4
	MaxConcurrency          = 16
	DefaultRateLimitPercent = 50
	DefaultSearchOverlap    = 15 * time.Minute
	MinSearchOverlap        = time.Minute
	MaxSearchOverlap        = 24 * time.Hour
)

// Overlap is the okta.search_overlap duration, written as "15m" or "1h".
type Overlap time.Duration

// Sync holds the schedule.
type Sync struct {
	Interval time.Duration `yaml:"interval"`
}

// Target is where users and roles are provisioned.
type Target struct {
	Kind     string `yaml:"kind"`                // local | scim
	BaseURL  string `yaml:"base_url,omitempty"`  // scim
	RoleMode string `yaml:"role_mode,omitempty"` // scim: groups | attribute
	CAFile   string `yaml:"ca_file,omitempty"`
	Profile  string `yaml:"profile,omitempty"` // scim: generic | threatlocker
	Instance string `yaml:"instance,omitempty"`
	// Concurrency is how many SCIM writes are in flight at once, 1 to
	// MaxConcurrency; 0 means DefaultConcurrency.
	Concurrency int `yaml:"concurrency,omitempty"`
}

// Mapping maps one Okta group (by name or id) to portal roles.
type Mapping struct {
	Group string   `yaml:"group"`
	Roles []string `yaml:"roles"`
	// GroupID is the id of the Okta group the mapping was chosen with or
	// first resolved to. When the group's name later resolves to another
	// id (deleted and re-created, or a case variant), the sync holds the
	// revocations of the mapping's roles until approved.
	GroupID string `yaml:"group_id,omitempty"`
}

// Safety configures the gates checked before a plan is applied.
//
// MaxRevocations (N) and MaxRevocationPercent (P) make the deletion
// threshold: a run that would take access or roles from more than
// max(N, P% of managed users) users holds every revocation for approval.
// Each is taken as written: 0 lets its term allow none, so both at 0 hold
// every revocation. A file that leaves one out gets its default
// (DefaultMaxRevocations, DefaultMaxRevocationPercent) from Parse, and
// Marshal always writes both, so an export keeps a 0.
type Safety struct {
	ProtectedAccounts    []string `yaml:"protected_accounts,omitempty"`
	AdminRoles           []string `yaml:"admin_roles,omitempty"`
	MaxRevocations       int      `yaml:"max_revocations"`
	MaxRevocationPercent int      `yaml:"max_revocation_percent"`
}
