package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// demoConnections name the connections of `demo --connections N`, the
// first N in this order.
var demoConnections = []string{
	"Contoso → ThreatLocker EU1",
	"Fabrikam → ThreatLocker US2",
	"Northwind → ThreatLocker UK1",
	"Tailspin → ThreatLocker AU1",
	"Woodgrove → ThreatLocker EU2",
	"Litware → ThreatLocker US1",
	"Adatum → ThreatLocker CA1",
	"Proseware → ThreatLocker DE1",
}

// demoOrg is one simulated org of the demo and the connection that syncs it.
type demoOrg struct {
	sim   *oktasim.Server
	rt    *app.Runtime
	users int
	res   engine.Result
}

// runDemoConnections sets up opts.Connections connections in the fresh
// data directory dir, each against a simulated org of its own (seeds
// opts.Seed, opts.Seed+1, …, opts.Users split among them), and opens the
// app on their list. The simulators serve until the app quits.
func runDemoConnections(ctx context.Context, c *call, dir string, opts DemoOptions, noGUI bool) error {
	var sims []*oktasim.Server
	defer func() {
		for _, s := range sims {
			s.Close()
		}
	}()
	var opened []*app.Runtime
	closeAll := func() error {
		var errs []error
		for _, rt := range opened {
			errs = append(errs, rt.Close())
		}
		return errors.Join(errs...)
	}
	for i := range opts.Connections {
		org, err := startDemoOrg(ctx, c, dir, opts, i)
		if org.sim != nil {
			sims = append(sims, org.sim)
		}
		if org.rt != nil {
			opened = append(opened, org.rt)
		}
		if err != nil {
			return errors.Join(err, closeAll())
		}
		fmt.Fprintf(c.stdout(), "demo: %q: simulated Okta org at %s (%d users, %d groups); first sync, run %d %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
			org.rt.Connection.Name, org.sim.URL(), org.users, opts.Groups,
			org.res.RunID, org.res.Status, org.res.Created, org.res.Granted, org.res.Revoked, org.res.Held, org.res.APICalls)
	}
	fmt.Fprintf(c.stdout(), "demo: %d connections; data in %s\n", opts.Connections, dir)
	if noGUI || c.env.GUI == nil {
		return closeAll()
	}
	// The demo's keyrings are in memory: the app takes the opened
	// connections, and shows their list first.
	return c.env.GUI(ctx, app.Desktop{Root: dir, Env: appEnv(c.env), Opened: opened})
}

// startDemoOrg adds connection number i of the demo, starts its simulated
// org and sets the connection up against it with a first sync. What it
// started is returned even on error, for the caller to close.
func startDemoOrg(ctx context.Context, c *call, dir string, opts DemoOptions, i int) (demoOrg, error) {
	org := demoOrg{users: demoShare(opts.Users, opts.Connections, i)}
	conn, err := app.AddConnection(ctx, dir, demoConnections[i])
	if err != nil {
		return org, err
	}
	// The org's CA file lives with the connection that trusts it.
	org.sim, err = oktasim.Start(ctx, oktasim.Options{Users: org.users, Groups: opts.Groups, Seed: opts.Seed + int64(i),
		CAFile: filepath.Join(app.ConnectionDir(dir, conn.Slug), "oktasim-ca.pem")})
	if err != nil {
		return org, fmt.Errorf("start the simulated Okta org of %q: %w", conn.Name, err)
	}
	if org.rt, err = app.OpenConnection(ctx, dir, conn, appEnv(c.env)); err != nil {
		return org, err
	}
	if org.res, err = app.SetUpDemo(ctx, org.rt, org.sim); err != nil {
		return org, fmt.Errorf("set up %q: %w", conn.Name, err)
	}
	return org, nil
}

// demoShare is org i's share of users split among n orgs: the same for
// each, the remainder going to the first ones, so that they add up to users.
func demoShare(users, n, i int) int {
	share := users / n
	if i < users%n {
		share++
	}
	return share
}
