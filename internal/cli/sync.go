package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/store"
)

// withRuntime opens the connection the command names (see connection),
// or the only one, for one subcommand.
func (c *call) withRuntime(ctx context.Context, fn func(rt *app.Runtime) error) error {
	return c.withConnection(ctx, false, fn)
}

// withConnection is withRuntime; with first set, a data directory of
// several connections, none named, opens the first (the desktop app).
func (c *call) withConnection(ctx context.Context, first bool, fn func(rt *app.Runtime) error) error {
	if err := c.resolve(); err != nil {
		return err
	}
	rt, err := openConnection(ctx, c.dataDir, c.connection(), c.env, first)
	if err != nil {
		return err
	}
	defer rt.Close()
	return fn(rt)
}

// syncOptions are the flags of `rolesync sync`.
type syncOptions struct{ once, dryRun, full, asJSON, all bool }

func syncCmd(c *call) *cobra.Command {
	var o syncOptions
	cmd := &cobra.Command{
		Use:   "sync --once",
		Short: "sync now, once",
		Long: `Sync reads the mapped Okta groups, plans the changes and applies them to the
portal, once. Safety gates may hold revocations for approval (see approve).
Interrupted (Ctrl-C, SIGTERM), it stops and says so. When standard output
is a terminal, a line on standard error shows the groups read and the
changes applied, with their rate, while the run goes on. With --all it
syncs every connection, one after another.`,
		Example: "  rolesync sync --once\n  rolesync sync --once --dry-run --json\n  rolesync sync --once --all",
		Args:    maxArgs(0),
		RunE:    func(cmd *cobra.Command, _ []string) error { return runSync(cmd.Context(), c, o) },
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.once, "once", false, "run one sync and exit")
	fs.BoolVar(&o.dryRun, "dry-run", false, "plan and record, change nothing")
	fs.BoolVar(&o.full, "full", false, "read every mapped group in full")
	fs.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	fs.BoolVar(&o.all, "all", false, "sync every connection, one after another")
	return cmd
}

func runSync(ctx context.Context, c *call, o syncOptions) error {
	once, dryRun, asJSON := o.once, o.dryRun, o.asJSON
	if !once {
		return usagef("sync: say --once for one run, or use `rolesync daemon` to sync on the interval")
	}
	if o.all {
		return runSyncAll(ctx, c, o)
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		var prog *syncProgress
		if !asJSON && isTerminal(c.stdout()) {
			// One line on stderr, rewritten, while the run goes on.
			prog = newSyncProgress(stderrOf(c.env), time.Now)
		}
		res, runErr := syncConnectionOnce(ctx, rt, o, prog)
		if dryRun && res.Plan != nil && !asJSON {
			printPlan(c.stdout(), res.Plan)
		}
		if asJSON {
			if err := printJSON(c.stdout(), res); err != nil {
				return err
			}
		} else if res.RunID != 0 {
			fmt.Fprintf(c.stdout(), "run %d %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
				res.RunID, res.Status, res.Created, res.Granted, res.Revoked, res.Held, res.APICalls)
		}
		return runFailure(res, runErr)
	})
}

// syncConnectionOnce runs one sync of rt's connection.
// prog, when not nil, shows the run's progress and is ended with it.
func syncConnectionOnce(ctx context.Context, rt *app.Runtime, o syncOptions, prog *syncProgress) (engine.Result, error) {
	eng, _, err := rt.Engine(ctx)
	if err != nil {
		return engine.Result{}, err
	}
	ro := engine.RunOptions{Trigger: store.TriggerCLI, DryRun: o.dryRun, Full: o.full}
	if prog != nil {
		ro.Progress = prog.update
		defer prog.end()
	}
	return eng.Run(ctx, ro)
}

// runFailure is the error of a run: a run that failed, or one the engine
// marks otherwise (interrupted), is an error; held revocations are not.
func runFailure(res engine.Result, runErr error) error {
	if runErr != nil {
		return runErr
	}
	if res.Status != store.StatusSucceeded && res.Status != store.StatusHeld {
		return fmt.Errorf("run %d %s: %s", res.RunID, res.Status, res.Error)
	}
	return nil
}

func planCmd(c *call) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "show what the next sync would change, and why",
		Args:  maxArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runPlan(cmd.Context(), c, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}

func runPlan(ctx context.Context, c *call, asJSON bool) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		eng, _, err := rt.Engine(ctx)
		if err != nil {
			return err
		}
		p, err := eng.Plan(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(c.stdout(), p)
		}
		printPlan(c.stdout(), p)
		return nil
	})
}

// printPlan prints each concrete change as a table: held revocations and the
// accounts kept by a gate are listed after the changes a run would make.
func printPlan(w io.Writer, p *engine.Plan) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tACTION\tROLE\tREASON")
	for _, ch := range p.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ch.User, ch.Action, dash(ch.Role), ch.Reason)
	}
	for _, ch := range p.Held {
		fmt.Fprintf(tw, "%s\t%s (held)\t%s\t%s\n", ch.User, ch.Action, dash(ch.Role), ch.Reason)
	}
	for _, k := range p.Kept {
		fmt.Fprintf(tw, "%s\tkept\t%s\t%s\n", k.User, dash(k.Role), k.Reason)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d changes, %d held, %d kept; %d Okta users in %d mapped groups\n",
		len(p.Changes), len(p.Held), len(p.Kept), p.OktaUsers, p.Groups)
	for _, r := range p.HoldReasons {
		fmt.Fprintf(w, "held: %s\n", r)
	}
	for _, m := range p.Missing {
		fmt.Fprintf(w, "warning: no Okta group matches the mapping %q\n", m)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runIDCmd is approve or reject: both name one run.
func runIDCmd(c *call, name string) *cobra.Command {
	short, run := "apply the revocations a run held", runApprove
	if name == "reject" {
		short, run = "discard the revocations a run held", runReject
	}
	return &cobra.Command{
		Use:     name + " RUN",
		Short:   short,
		Example: "  rolesync " + name + " 12    # the run number, from rolesync history",
		Args:    maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := runID(args, name)
			if err != nil {
				return err
			}
			return run(cmd.Context(), c, id)
		},
	}
}

func runID(args []string, name string) (int64, error) {
	if len(args) != 1 {
		return 0, usagef("%s: name the run, e.g. `rolesync %s 12` (see `rolesync history`)", name, name)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s: %q is not a run number", name, args[0])
	}
	return id, nil
}

func runApprove(ctx context.Context, c *call, id int64) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		eng, _, err := rt.Engine(ctx)
		if err != nil {
			return err
		}
		res, err := eng.Approve(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "run %d approved: %d revoked (run %d)\n", id, res.Revoked, res.RunID)
		return nil
	})
}

func runReject(ctx context.Context, c *call, id int64) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		eng, _, err := rt.Engine(ctx)
		if err != nil {
			return err
		}
		if err := eng.Reject(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "run %d rejected: its held revocations will not be applied\n", id)
		return nil
	})
}
