package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// demoMarker marks a data directory the demo made, so that only such a
// directory is ever reset.
const demoMarker = ".rolesync-demo"

// DemoOptions size the simulated org of the demo, or its simulated orgs
// when Connections is above 1 (see runDemoConnections).
type DemoOptions struct {
	Users, Groups int
	Seed          int64
	// Connections is how many connections, each with an org of its own.
	Connections int
}

func demoCmd(c *call) *cobra.Command {
	var noGUI bool
	opts := DemoOptions{Users: 300, Groups: 40, Seed: 7, Connections: 1}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "start the simulated Okta org, sync once and open the app",
		Long: `Demo starts a simulated Okta org in-process, configures rolesync against it
in a data directory of its own (reset on each start; --data-dir names another),
runs a first sync and opens the app. With --connections N (2 to 8) it starts
N simulated orgs, each synced by a connection of its own, the users split
among them.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), c, opts, noGUI) },
	}
	fs := cmd.Flags()
	fs.BoolVar(&noGUI, "no-gui", false, "set up and sync once, without opening the app")
	fs.IntVar(&opts.Users, "users", opts.Users, "users in the simulated org")
	fs.IntVar(&opts.Groups, "groups", opts.Groups, "groups in the simulated org")
	fs.Int64Var(&opts.Seed, "seed", opts.Seed, "seed of the simulated org")
	fs.IntVar(&opts.Connections, "connections", opts.Connections,
		fmt.Sprintf("connections to set up, 1 to %d, each with a simulated org of its own", len(demoConnections)))
	return cmd
}

// runDemo starts the simulated Okta org in-process, writes a demo
// configuration into a data directory of its own, runs a first sync and
// opens the app; with opts.Connections above 1, see runDemoConnections.
func runDemo(ctx context.Context, c *call, opts DemoOptions, noGUI bool) error {
	if opts.Connections < 1 || opts.Connections > len(demoConnections) {
		return usagef("demo: --connections takes 1 to %d, not %d", len(demoConnections), opts.Connections)
	}
	if err := c.resolve(); err != nil {
		return err
	}
	dir := demoDir(c)
	if err := resetDemoDir(dir); err != nil {
		return err
	}
	if opts.Connections > 1 {
		return runDemoConnections(ctx, c, dir, opts, noGUI)
	}
	return runDemoConnection(ctx, c, dir, opts, noGUI)
}

// demoDir is the demo's data directory: --data-dir when given, else one in
// the user's cache directory.
func demoDir(c *call) string {
	if c.dataDirSet {
		return c.dataDir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "rolesync-demo")
}

// runDemoConnection sets up the demo's one connection, named demo, in the
// fresh data directory dir, and opens the app on it.
func runDemoConnection(ctx context.Context, c *call, dir string, opts DemoOptions, noGUI bool) error {
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: opts.Users, Groups: opts.Groups, Seed: opts.Seed,
		CAFile: filepath.Join(dir, "oktasim-ca.pem")})
	if err != nil {
		return fmt.Errorf("start the simulated Okta org: %w", err)
	}
	defer sim.Close()
	rt, err := openConnection(ctx, dir, "demo", c.env, false)
	if err != nil {
		return err
	}
	res, err := app.SetUpDemo(ctx, rt, sim)
	if err != nil || noGUI || c.env.GUI == nil {
		if cerr := rt.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout(), "demo: simulated Okta org at %s (%d users, %d groups); data in %s\n", sim.URL(), opts.Users, opts.Groups, dir)
	fmt.Fprintf(c.stdout(), "demo: first sync, run %d %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
		res.RunID, res.Status, res.Created, res.Granted, res.Revoked, res.Held, res.APICalls)
	if noGUI || c.env.GUI == nil {
		return nil
	}
	// The demo's keyring is in memory: the app takes the opened connection.
	return c.env.GUI(ctx, app.Desktop{Root: dir, Env: appEnv(c.env), Connection: rt.Connection.Slug, Opened: []*app.Runtime{rt}})
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
