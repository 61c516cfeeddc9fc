package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/privatefile"
)

// configCmd imports a YAML configuration into the store and exports it.
func configCmd(c *call) *cobra.Command {
	const say = "import FILE or export [FILE]"
	cmd := &cobra.Command{
		Use:   "config",
		Short: "import or export the configuration (YAML, no secrets)",
		Args:  cobra.ArbitraryArgs,
		RunE:  needSub(say),
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE",
		Short: "validate a YAML configuration and save it",
		Args:  maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("config import: name the YAML file to import")
			}
			return configImport(cmd.Context(), c, args[0])
		},
	}, exportConfigCmd(c))
	return cmd
}

func exportConfigCmd(c *call) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "export [FILE]",
		Short: "print the configuration, or write it to FILE",
		Long: `Export prints the connection's configuration as YAML, or writes it to FILE
(0600). With --all it writes every connection's, one YAML document each,
headed by a comment naming the connection. Secrets are never exported.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all {
				return configExportAll(cmd.Context(), c, args)
			}
			return configExport(cmd.Context(), c, args)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "export every connection's configuration")
	return cmd
}

func configImport(ctx context.Context, c *call, file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("config import: %w", err)
	}
	cfg, err := config.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		if err := app.SaveConfig(ctx, rt.Store, cfg); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "configuration imported: %s, %d mappings, every %s\n", cfg.Okta.Domain, len(cfg.Mappings), cfg.Sync.Interval)
		return nil
	})
}

func configExport(ctx context.Context, c *call, args []string) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		cfg, err := rt.Config(ctx)
		if err != nil {
			return err
		}
		data, err := cfg.Marshal()
		if err != nil {
			return err
		}
		return c.writeOut(args, data)
	})
}

// writeOut prints data, or writes it to the file args names.
func (c *call) writeOut(args []string, data []byte) error {
	if len(args) == 0 {
		_, err := c.stdout().Write(data)
		return err
	}
	return privatefile.WriteFile(args[0], data)
}

// configExportAll exports every configured connection's configuration;
// connections not configured yet are named in a comment.
func configExportAll(ctx context.Context, c *call, args []string) error {
	if c.connection() != "" {
		return usagef("config export: --all exports every connection; leave out --connection (or ROLESYNC_CONNECTION), or --all")
	}
	return withRoot(c, func(root string) error {
		conns, err := app.Connections(ctx, root)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		for i, conn := range conns {
			data, ok, err := connectionConfig(ctx, c, root, conn)
			if err != nil {
				return fmt.Errorf("config export: %s: %w", conn.Name, err)
			}
			if i > 0 {
				b.WriteString("---\n")
			}
			fmt.Fprintf(&b, "# connection: %s\n", strconv.Quote(conn.Name))
			if !ok {
				b.WriteString("# not configured yet\n")
				continue
			}
			b.Write(data)
		}
		return c.writeOut(args, b.Bytes())
	})
}

// connectionConfig is conn's configuration as YAML; ok is false when it has none.
func connectionConfig(ctx context.Context, c *call, root string, conn app.Connection) ([]byte, bool, error) {
	rt, err := app.OpenConnection(ctx, root, conn, appEnv(c.env))
	if err != nil {
		return nil, false, err
	}
	defer rt.Close()
	cfg, ok, err := app.ConfigFromStore(ctx, rt.Store)
	if err != nil || !ok {
		return nil, false, err
	}
	data, err := cfg.Marshal()
	return data, err == nil, err
}
