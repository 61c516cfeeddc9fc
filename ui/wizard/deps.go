// Package wizard is rolesync's setup wizard: nine screens that take an admin
// from nothing to a previewed sync. It walks through the portal's SAML app in
// Okta, the API Services app (by hand or automatically), the authentication
// type, the key pairs, the Okta domain and a connection test, the sync
// interval, the group-to-role mapping and a dry-run review. Settings opens
// the same screens prefilled from a saved configuration.
//
// The wizard takes a fyne.App and the small interfaces in Deps; it never
// creates the app and imports no package that talks to Okta or the portal.
package wizard

import (
	"context"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keyservice"
)

// Secret names under which the wizard hands secrets to Deps.SetSecret.
const (
	SecretOktaAPIToken = "okta-api-token"
	SecretSCIMToken    = "scim-token"
)

// Key uses: the client-authentication key pair and the DPoP key pair.
const (
	UseClient = keyservice.UseClient
	UseDPoP   = keyservice.UseDPoP
)

// Secrets holds the secrets typed into the wizard, by name. They stay in
// memory, are passed to the calls that need them, are written to the keyring
// only by Save, and never reach a draft.
type Secrets map[string][]byte

// KeyInfo describes a key pair whose private half the key service holds.
type KeyInfo = keyservice.Info

// KeyStore keeps private keys as PEM by use (UseClient, UseDPoP). The app
// backs it with the keyring.
type KeyStore = keyservice.KeyStore

// KeyService generates and imports key pairs. Private halves stay in the
// keyring; only Export hands one out, on the admin's explicit request.
type KeyService interface {
	// Generate makes a new key pair for use (UseClient or UseDPoP) and keeps
	// its private half.
	Generate(ctx context.Context, use string) (KeyInfo, error)
	// Inspect parses a pasted private key (PEM or JWK) and, when publicText
	// is not empty, checks that the public key is its pair. It checks the key
	// size and stores nothing.
	Inspect(privateText, publicText string) (KeyInfo, error)
	// Import stores a pasted private key (PEM or JWK) for use.
	Import(ctx context.Context, use, privateText string) (KeyInfo, error)
	// Export returns the private key for use as PEM.
	Export(ctx context.Context, use string) (string, error)
}

// CheckResult is one line of the connection test checklist.
type CheckResult struct {
	Name   string
	OK     bool
	Detail string
	Fix    string // what to do when the line failed
	// Skipped marks a line not run because an earlier one failed: it is
	// shown as pending, not as a failure, and does not count as passed.
	Skipped bool
}

// Tester runs the connection diagnostics against Okta.
type Tester interface {
	Test(ctx context.Context, cfg config.Config, secrets Secrets) []CheckResult
}

// Group is an Okta group as the picker lists it.
type Group struct {
	ID      string
	Name    string
	Members int
}

// GroupLister lists every group of the Okta org.
type GroupLister interface {
	ListGroups(ctx context.Context, cfg config.Config, secrets Secrets) ([]Group, error)
}

// Grant is one role the first sync will grant to a user.
type Grant struct {
	User string
	Role string
}

// Preview is the dry-run plan of the first sync.
type Preview struct {
	Creates      []string // logins of portal users to create
	Grants       []Grant
	LosingAccess []string // logins of portal admins who will lose access
}

// AutoSetupRequest asks for the API Services app to be created in Okta.
type AutoSetupRequest struct {
	Domain     string
	AppName    string
	Auth       string   // config.AuthScoped, config.AuthScopedDPoP or config.AuthAPIToken
	PublicKeys []string // public JWKs to register: the client authentication key
	// Token is a one-time super-admin API token, used for this call only.
	Token []byte
}

// AutoSetupStep is the result of one step of the automatic setup.
type AutoSetupStep struct {
	Name   string
	OK     bool
	Detail string
	// ByHand says what the admin must do in Okta when the step failed.
	ByHand string
}

// AutoSetupResult is what the automatic setup did.
type AutoSetupResult struct {
	ClientID string
	Steps    []AutoSetupStep
}

// AutoSetuper creates and configures the API Services app in Okta.
type AutoSetuper interface {
	Setup(ctx context.Context, req AutoSetupRequest) (AutoSetupResult, error)
}

// Deps is everything the wizard needs from the rest of the app. Nil
// functions and interfaces switch the matching feature off.
type Deps struct {
	// Config is the saved configuration: Settings opens the screens
	// prefilled from it, and secrets left empty keep their saved values.
	Config *config.Config
	// Draft, when Config is nil, prefills a new setup from a kept draft.
	Draft *config.Config
	// Save stores the finished configuration.
	Save func(ctx context.Context, cfg config.Config) error
	// SaveDraft keeps an unfinished configuration when the admin closes
	// the wizard midway. It never receives secrets.
	SaveDraft func(ctx context.Context, cfg config.Config) error
	// SetSecret writes a secret to the keyring.
	SetSecret func(name string, value []byte) error
	Keys      KeyService
	Tester    Tester
	Groups    GroupLister
	// Roles lists the target's roles, sorted.
	Roles func(ctx context.Context, cfg config.Config, secrets Secrets) ([]string, error)
	// Preview plans the first sync without applying it.
	Preview   func(ctx context.Context, cfg config.Config, secrets Secrets) (Preview, error)
	AutoSetup AutoSetuper
	// FetchMetadata downloads the Okta app's IdP metadata; nil uses HTTPS.
	FetchMetadata func(ctx context.Context, url string) ([]byte, error)
	// OnDone runs after "Save and start" saved the configuration.
	OnDone func(cfg config.Config)
}
