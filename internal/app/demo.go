package app

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/keyring"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// The demo's roles (DemoRoles), mappings and the portal users that exist
// before the first sync.
var (
	DemoRoles    = []string{"Administrator", "Read Only", "Auditor"}
	demoMappings = []config.Mapping{
		{Group: "IT Admins", Roles: []string{"Administrator"}},
		{Group: "Security", Roles: []string{"Auditor", "Read Only"}},
		{Group: "Support", Roles: []string{"Read Only"}},
	}
	demoPortalUsers = []target.User{
		// A portal admin in no synced group: the first sync revokes it.
		{Login: "legacy.admin@example.com", Email: "legacy.admin@example.com", FirstName: "Legacy", LastName: "Admin", Active: true, Roles: []string{"Administrator"}},
		// The break-glass account is protected: kept whatever Okta says.
		{Login: "breakglass@example.com", Email: "breakglass@example.com", FirstName: "Break", LastName: "Glass", Active: true, Roles: []string{"Administrator"}},
	}
)

// SetUpDemo configures rt against the simulated org sim in the recommended
// Scoped DPoP Okta Token mode (an API Services app registered with a fresh
// key pair, a second pair for DPoP, both in an in-memory keyring), with the
// demo roles, mappings and portal users, and runs a first sync.
func SetUpDemo(ctx context.Context, rt *Runtime, sim *oktasim.Server) (engine.Result, error) {
	rt.UseSecrets(keyring.NewArrayKeyring(nil))
	sec, err := rt.Secrets()
	if err != nil {
		return engine.Result{}, err
	}
	client, dpop, err := demoKeys(sec)
	if err != nil {
		return engine.Result{}, err
	}
	clientJWK, err := client.PublicJWK()
	if err != nil {
		return engine.Result{}, err
	}
	dpopJWK, err := dpop.PublicJWK()
	if err != nil {
		return engine.Result{}, err
	}
	clientID, err := sim.CreateServiceApp(oktasim.ServiceApp{Label: "rolesync", DPoP: true, PublicKeys: [][]byte{clientJWK},
		Scopes: []string{okta.ScopeGroupsRead, "okta.users.read", "okta.logs.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
	if err != nil {
		return engine.Result{}, fmt.Errorf("register the demo's API Services app: %w", err)
	}
	for _, r := range DemoRoles {
		if err := rt.Directory.AddRole(ctx, r); err != nil {
			return engine.Result{}, err
		}
	}
	for _, u := range demoPortalUsers {
		if _, err := rt.Directory.AddUser(ctx, u); err != nil {
			return engine.Result{}, err
		}
	}
	cfg := config.Default()
	cfg.Okta.Domain = sim.URL()
	cfg.Okta.Auth = config.AuthScopedDPoP
	cfg.Okta.ClientID = clientID
	cfg.Okta.PublicKey, cfg.Okta.KeyID = string(clientJWK), client.KeyID
	cfg.Okta.DPoPPublicKey, cfg.Okta.DPoPKeyID = string(dpopJWK), dpop.KeyID
	cfg.Okta.Scopes = []string{"okta.users.read", "okta.logs.read"}
	cfg.Okta.CAFile = sim.CAFile()
	cfg.Sync.Interval = 5 * time.Minute
	cfg.Target.Kind = config.TargetLocal
	cfg.Mappings = demoMappings
	cfg.Safety.ProtectedAccounts = []string{"breakglass@example.com"}
	cfg.Safety.AdminRoles = []string{"Administrator"}
	if err := SaveConfig(ctx, rt.Store, cfg); err != nil {
		return engine.Result{}, err
	}
	// The connection test the wizard runs before it saves; it also leaves
	// Okta's DPoP nonce for the first sync.
	cc, err := rt.ConnConfig(cfg)
	if err != nil {
		return engine.Result{}, err
	}
	cc.Nonces = rt.DPoPNonces(cfg)
	if bad := okta.FirstFailure(okta.TestConnection(ctx, cc)); bad != nil {
		return engine.Result{}, fmt.Errorf("the demo's connection test failed: %s: %s", bad.Name, bad.Detail)
	}
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		return engine.Result{}, err
	}
	return eng.Run(ctx, engine.RunOptions{Trigger: store.TriggerDemo})
}

// demoKeys generates the two key pairs of the demo and keeps their private
// halves in sec.
func demoKeys(sec *secrets.Store) (client, dpop *keys.Pair, err error) {
	for _, k := range []struct {
		pair **keys.Pair
		name string
	}{{&client, secrets.PrivateKey}, {&dpop, secrets.DPoPPrivateKey}} {
		p, err := keys.Generate(keys.ES256, 0)
		if err != nil {
			return nil, nil, err
		}
		pem, err := p.PrivatePEM()
		if err != nil {
			return nil, nil, err
		}
		if err := sec.Set(k.name, pem); err != nil {
			return nil, nil, err
		}
		*k.pair = p
	}
	return client, dpop, nil
}
