package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/99designs/keyring"
	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// demoMarker marks a data directory the demo made, so that only such a
// directory is ever reset.
const demoMarker = ".rolesync-demo"

// Demo roles and the portal users that exist before the first sync.
var (
	demoRoles    = []string{"Administrator", "Read Only", "Auditor"}
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

// DemoOptions size the simulated org of the demo.
type DemoOptions struct {
	Users, Groups int
	Seed          int64
}

func demoCmd(c *call) *cobra.Command {
	var noGUI bool
	opts := DemoOptions{Users: 300, Groups: 40, Seed: 7}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "start the simulated Okta org, sync once and open the app",
		Long: `Demo starts a simulated Okta org in-process, configures rolesync against it
in a data directory of its own (reset on each start; --data-dir names another),
runs a first sync and opens the app.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), c, opts, noGUI) },
	}
	fs := cmd.Flags()
	fs.BoolVar(&noGUI, "no-gui", false, "set up and sync once, without opening the app")
	fs.IntVar(&opts.Users, "users", opts.Users, "users in the simulated org")
	fs.IntVar(&opts.Groups, "groups", opts.Groups, "groups in the simulated org")
	fs.Int64Var(&opts.Seed, "seed", opts.Seed, "seed of the simulated org")
	return cmd
}

// runDemo starts the simulated Okta org in-process, writes a demo
// configuration into a data directory of its own, runs a first sync and
// opens the app.
func runDemo(ctx context.Context, c *call, opts DemoOptions, noGUI bool) error {
	if err := c.resolve(); err != nil {
		return err
	}
	dir := c.dataDir
	if !c.dataDirSet {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		dir = filepath.Join(base, "rolesync-demo")
	}
	if err := resetDemoDir(dir); err != nil {
		return err
	}
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: opts.Users, Groups: opts.Groups, Seed: opts.Seed,
		CAFile: filepath.Join(dir, "oktasim-ca.pem")})
	if err != nil {
		return fmt.Errorf("start the simulated Okta org: %w", err)
	}
	defer sim.Close()
	rt, err := Open(ctx, dir, c.env)
	if err != nil {
		return err
	}
	defer rt.Close()
	res, err := SetUpDemo(ctx, rt, sim)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout(), "demo: simulated Okta org at %s (%d users, %d groups); data in %s\n", sim.URL(), opts.Users, opts.Groups, dir)
	fmt.Fprintf(c.stdout(), "demo: first sync, run %d %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
		res.RunID, res.Status, res.Created, res.Granted, res.Revoked, res.Held, res.APICalls)
	if noGUI || c.env.GUI == nil {
		return nil
	}
	rt.Holder = "gui"
	return c.env.GUI(ctx, rt)
}

// resetDemoDir empties a data directory the demo made before, and refuses
// to touch one it did not make.
func resetDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by rolesync demo\n"), 0o600)
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
		return fmt.Errorf("%s is not empty and is not a demo directory; the demo starts afresh each time, so give it an empty or new --data-dir", dir)
	}
	for _, e := range entries {
		if e.Name() == demoMarker {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

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
	for _, r := range demoRoles {
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
	if err := config.Save(ctx, rt.Store, cfg); err != nil {
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
