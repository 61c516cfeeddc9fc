package setup

import "github.com/rolesync/rolesync/internal/keyservice"

// Secret names under which the wizard hands secrets to the keyring.
const (
	SecretOktaAPIToken = "okta-api-token"
	SecretSCIMToken    = "scim-token"
)

// Secrets holds the secrets typed into the wizard, by name. They stay in
// memory, are passed to the calls that need them, are written to the keyring
// only by Save, and never reach a draft.
type Secrets map[string][]byte

// KeyInfo describes a key pair whose private half the key service holds.
type KeyInfo = keyservice.Info

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

// Group is an Okta group as the picker lists it.
type Group struct {
	ID      string
	Name    string
	Members int
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
