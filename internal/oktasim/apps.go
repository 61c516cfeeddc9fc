package oktasim

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Service apps: OAuth 2.0 clients that authenticate with private_key_jwt,
// created through Okta's Apps API shape with the admin API token, or in
// process with CreateServiceApp. An app's client_id is its app id, as for
// Okta's OIDC apps.

// Admin role types Okta assigns to clients, with their labels.
var roleLabels = map[string]string{
	"SUPER_ADMIN":            "Super Administrator",
	"ORG_ADMIN":              "Organizational Administrator",
	"APP_ADMIN":              "Application Administrator",
	"USER_ADMIN":             "Group Administrator",
	"HELP_DESK_ADMIN":        "Help Desk Administrator",
	"READ_ONLY_ADMIN":        "Read-only Administrator",
	"GROUP_MEMBERSHIP_ADMIN": "Group Membership Administrator",
	"REPORT_ADMIN":           "Report Administrator",
}

// Scopes the apps routes need (the admin API token holds them all).
const (
	scopeAppsManage  = "okta.apps.manage"
	scopeRolesManage = "okta.roles.manage"
)

// ServiceApp describes an API service app for CreateServiceApp.
type ServiceApp struct {
	Label string
	// DPoP is the "Require Demonstrating Proof of Possession (DPoP) header
	// in token requests" setting (settings.oauthClient.dpop_bound_access_tokens).
	DPoP bool
	// AuthMethod is token_endpoint_auth_method; default private_key_jwt.
	AuthMethod string
	// PublicKeys are public JWKs (JSON) registered as the app's keys.
	PublicKeys [][]byte
	// Scopes are granted on the Okta API Scopes tab.
	Scopes []string
	// Roles are admin role types assigned on the Admin roles tab, e.g.
	// READ_ONLY_ADMIN.
	Roles []string
}

type appKey struct {
	id, kid, status  string
	key              jose.JSONWebKey
	raw              map[string]any // the JWK members as registered
	created, updated time.Time
	jkt              string
}

type appGrant struct {
	id, scope string
	created   time.Time
}

type appRole struct {
	id, typ string
	created time.Time
}

type serviceApp struct {
	id, label, authMethod string
	dpop                  bool
	created, updated      time.Time
	keys                  []*appKey
	grants                []*appGrant
	roles                 []*appRole
}

// apps holds the service apps by client id.
type apps struct {
	mu   sync.RWMutex
	byID map[string]*serviceApp
	now  func() time.Time
}

func (a *apps) get(id string) *serviceApp {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.byID[id]
}

// create adds an app from a description.
func (a *apps) create(d ServiceApp) (*serviceApp, error) {
	if d.AuthMethod == "" {
		d.AuthMethod = "private_key_jwt"
	}
	switch d.AuthMethod {
	case "private_key_jwt", "client_secret_basic", "client_secret_post", "client_secret_jwt":
	default:
		return nil, fmt.Errorf("token_endpoint_auth_method %q is not supported", d.AuthMethod)
	}
	now := a.now()
	app := &serviceApp{id: "0oa" + randomID(17), label: d.Label, authMethod: d.AuthMethod, dpop: d.DPoP, created: now, updated: now}
	for _, raw := range d.PublicKeys {
		if _, err := app.addKey(raw, now); err != nil {
			return nil, err
		}
	}
	for _, sc := range d.Scopes {
		app.grant(sc, now)
	}
	for _, r := range d.Roles {
		if _, err := app.assignRole(r, now); err != nil {
			return nil, err
		}
	}
	a.mu.Lock()
	a.byID[app.id] = app
	a.mu.Unlock()
	return app, nil
}

// addKey registers a public JWK. The caller holds a.mu or owns app.
func (app *serviceApp) addKey(raw []byte, now time.Time) (*appKey, error) {
	var members map[string]any
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, errors.New("the key is not a JSON object")
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
		if _, ok := members[private]; ok {
			return nil, errors.New("the key contains private key material; register only the public key")
		}
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() {
		return nil, errors.New("the key is not a valid JWK")
	}
	if k.KeyID == "" {
		return nil, errors.New("kid: the key needs a kid")
	}
	if use, _ := members["use"].(string); use != "" && use != "sig" {
		return nil, errors.New("use: only signing keys (sig) are supported")
	}
	for _, old := range app.keys {
		if old.kid == k.KeyID {
			return nil, fmt.Errorf("kid: a key with kid %s already exists", k.KeyID)
		}
	}
	sum, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, errors.New("the key is not a valid JWK")
	}
	status, _ := members["status"].(string)
	if status == "" {
		status = "ACTIVE"
	}
	delete(members, "status")
	delete(members, "id")
	key := &appKey{id: "pks" + randomID(17), kid: k.KeyID, status: status, key: k, raw: members,
		created: now, updated: now, jkt: base64.RawURLEncoding.EncodeToString(sum)}
	app.keys = append(app.keys, key)
	app.updated = now
	return key, nil
}

func (app *serviceApp) grant(scope string, now time.Time) *appGrant {
	for _, g := range app.grants {
		if g.scope == scope {
			return g
		}
	}
	g := &appGrant{id: "oag" + randomID(17), scope: scope, created: now}
	app.grants = append(app.grants, g)
	return g
}

func (app *serviceApp) assignRole(typ string, now time.Time) (*appRole, error) {
	if _, ok := roleLabels[typ]; !ok {
		return nil, fmt.Errorf("type: unknown role type %q", typ)
	}
	for _, r := range app.roles {
		if r.typ == typ {
			return nil, fmt.Errorf("type: the role %s is already assigned to this client", typ)
		}
	}
	r := &appRole{id: "ra" + randomID(17), typ: typ, created: now}
	app.roles = append(app.roles, r)
	return r, nil
}

// granted reports whether scope is granted to the app.
func (app *serviceApp) granted(scope string) bool {
	return slices.ContainsFunc(app.grants, func(g *appGrant) bool { return g.scope == scope })
}

// CreateServiceApp registers an API service app in process and returns its
// client ID, as creating it through the Apps API would.
func (s *Server) CreateServiceApp(d ServiceApp) (string, error) {
	app, err := s.authority().apps.create(d)
	if err != nil {
		return "", fmt.Errorf("oktasim: create service app: %w", err)
	}
	return app.id, nil
}

// SetServiceAppDPoP changes an app's "Require DPoP" setting.
func (s *Server) SetServiceAppDPoP(clientID string, required bool) error {
	a := s.authority().apps
	a.mu.Lock()
	defer a.mu.Unlock()
	app := a.byID[clientID]
	if app == nil {
		return fmt.Errorf("oktasim: no service app %s", clientID)
	}
	app.dpop = required
	return nil
}
