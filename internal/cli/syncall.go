package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
)

// connectionResult is one connection's run in `sync --once --all --json`.
type connectionResult struct {
	Connection string `json:"connection"`
	engine.Result
}

// runSyncAll syncs every connection once, one after another; one that
// fails does not stop the others, and the command fails naming each.
func runSyncAll(ctx context.Context, c *call, o syncOptions) error {
	if c.connection() != "" {
		return usagef("sync: --all syncs every connection; leave out --connection (or ROLESYNC_CONNECTION), or --all")
	}
	return withRoot(c, func(root string) error {
		conns, err := app.Connections(ctx, root)
		if err != nil {
			return err
		}
		if len(conns) == 0 {
			return fmt.Errorf("sync: %w: add one with `rolesync connections add NAME`", app.ErrNoConnection)
		}
		var results []connectionResult
		var failed []string
		for _, conn := range conns {
			res, err := syncConnection(ctx, c, root, conn, o)
			if err != nil && res.Error == "" {
				res.Error = err.Error()
			}
			results = append(results, connectionResult{conn.Name, res})
			if err != nil {
				failed = append(failed, fmt.Sprintf("%s: %s", conn.Name, oneLine(err.Error())))
			}
			if !o.asJSON {
				printConnectionRun(c, conn.Name, res, err)
			}
			if ctx.Err() != nil {
				break
			}
		}
		if o.asJSON {
			if err := printJSON(c.stdout(), results); err != nil {
				return err
			}
		}
		if len(failed) > 0 {
			return fmt.Errorf("%d of %d connections failed: %s", len(failed), len(conns), strings.Join(failed, "; "))
		}
		return nil
	})
}

// syncConnection opens conn and runs one sync of it.
func syncConnection(ctx context.Context, c *call, root string, conn app.Connection, o syncOptions) (engine.Result, error) {
	rt, err := app.OpenConnection(ctx, root, conn, appEnv(c.env))
	if err != nil {
		return engine.Result{}, err
	}
	defer rt.Close()
	res, err := syncConnectionOnce(ctx, rt, o, nil)
	return res, runFailure(res, err)
}

func printConnectionRun(c *call, name string, res engine.Result, err error) {
	if res.RunID == 0 {
		fmt.Fprintf(c.stdout(), "%s: no run: %s\n", name, oneLine(err.Error()))
		return
	}
	fmt.Fprintf(c.stdout(), "%s: run %d %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
		name, res.RunID, res.Status, res.Created, res.Granted, res.Revoked, res.Held, res.APICalls)
}
