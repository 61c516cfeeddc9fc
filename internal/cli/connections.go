package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
)

// connectionsCmd is `rolesync connections list|add|rename|remove`.
func connectionsCmd(c *call) *cobra.Command {
	const say = "list, add NAME, rename OLD NEW or remove NAME"
	cmd := &cobra.Command{
		Use:   "connections",
		Short: "list, add, rename or remove connections (one Okta org and one portal each)",
		Long: `Connections are the Okta org and portal pairs this data directory syncs, each
with its own configuration, secrets, history and audit chain. Other commands
take --connection NAME (or ROLESYNC_CONNECTION) when there are several.`,
		Example: `  rolesync connections add "Contoso → ThreatLocker EU1"
  rolesync --connection "Contoso → ThreatLocker EU1" config import contoso.yaml
  rolesync connections list`,
		Args: cobra.ArbitraryArgs,
		RunE: needSub(say),
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "list the connections with their Okta org, target and last run",
		Args:  maxArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runConnectionsList(cmd.Context(), c, asJSON) },
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the connections as JSON")
	cmd.AddCommand(list, &cobra.Command{
		Use:   "add NAME",
		Short: "add a connection; configure it with --connection NAME config import FILE",
		Args:  exactArgs(1, "connections add: name the connection, e.g. `rolesync connections add \"Contoso → ThreatLocker EU1\"`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withRoot(c, func(root string) error {
				conn, err := app.AddConnection(cmd.Context(), root, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout(), "connection %q added; configure it with `rolesync --connection %q config import FILE`\n", conn.Name, conn.Name)
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "rename OLD NEW",
		Short: "rename a connection",
		Args:  exactArgs(2, "connections rename: give the connection's name and its new name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withRoot(c, func(root string) error {
				conn, err := app.RenameConnection(cmd.Context(), root, args[0], args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout(), "connection %q renamed %q\n", args[0], conn.Name)
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "remove NAME",
		Short: "remove a connection; its history is kept for export",
		Args:  exactArgs(1, "connections remove: name the connection to remove"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withRoot(c, func(root string) error {
				r, err := app.RemoveConnectionAndSecrets(cmd.Context(), root, args[0], time.Now())
				if r.Kept == "" {
					return err
				}
				fmt.Fprintf(c.stdout(), "connection %q removed; its history and audit chain are kept in %s (export them with `rolesync --data-dir %s export`)\n", r.Connection.Name, r.Kept, r.Kept)
				if err == nil && r.SharedKeyring {
					fmt.Fprintf(c.stdout(), "%d of its secrets deleted from the desktop keyring\n", r.Forgotten)
				}
				return err
			})
		},
	})
	return cmd
}

// exactArgs wants n arguments, and says what with msg otherwise.
func exactArgs(n int, msg string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return maxArgs(n)(cmd, args)
		}
		if len(args) < n {
			return usagef("%s", msg)
		}
		return nil
	}
}

// withRoot resolves the data directory for a command on its connections.
func withRoot(c *call, fn func(root string) error) error {
	if err := c.resolve(); err != nil {
		return err
	}
	return fn(c.dataDir)
}

// connectionInfo is one connection in `connections list --json`.
type connectionInfo struct {
	Name       string     `json:"name"`
	Slug       string     `json:"slug"`
	Okta       string     `json:"okta"`
	Target     string     `json:"target"`
	Interval   string     `json:"interval"`
	LastRun    string     `json:"last_run"`
	LastRunAt  *time.Time `json:"last_run_at"`
	Configured bool       `json:"configured"`
	Problem    string     `json:"problem,omitempty"`
}

func runConnectionsList(ctx context.Context, c *call, asJSON bool) error {
	return withRoot(c, func(root string) error {
		conns, err := app.Connections(ctx, root)
		if err != nil {
			return err
		}
		infos := make([]connectionInfo, len(conns))
		for i, conn := range conns {
			infos[i] = describeConnection(ctx, c, root, conn)
		}
		if asJSON {
			return printJSON(c.stdout(), infos)
		}
		if len(infos) == 0 {
			fmt.Fprintln(c.stdout(), "no connections yet: add one with `rolesync connections add NAME`")
			return nil
		}
		tw := tabwriter.NewWriter(c.stdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tOKTA\tTARGET\tINTERVAL\tLAST RUN")
		for _, in := range infos {
			last := dash(in.LastRun)
			if in.LastRunAt != nil {
				last += " " + in.LastRunAt.Local().Format("2006-01-02 15:04")
			}
			if in.Problem != "" {
				last = in.Problem
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.Name, dash(in.Okta), dash(in.Target), dash(in.Interval), last)
		}
		return tw.Flush()
	})
}

// describeConnection reads a connection's configuration and last run; a
// connection that cannot be opened is listed with the reason.
func describeConnection(ctx context.Context, c *call, root string, conn app.Connection) connectionInfo {
	in := connectionInfo{Name: conn.Name, Slug: conn.Slug}
	rt, err := app.OpenConnection(ctx, root, conn, appEnv(c.env))
	if err != nil {
		in.Problem = err.Error()
		return in
	}
	defer rt.Close()
	if cfg, ok, err := app.ConfigFromStore(ctx, rt.Store); err != nil {
		in.Problem = err.Error()
	} else if ok {
		in.Configured = true
		in.Okta, in.Target, in.Interval = cfg.Okta.Domain, cfg.Target.Kind, config.FormatInterval(cfg.Sync.Interval)
		if cfg.Target.BaseURL != "" {
			in.Target += " " + cfg.Target.BaseURL
		}
	}
	if r, ok, err := rt.Store.LastRun(ctx); err == nil && ok {
		in.LastRun = r.Status
		at := r.StartedAt
		in.LastRunAt = &at
	}
	return in
}
