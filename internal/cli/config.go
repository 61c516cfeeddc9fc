package cli

import (
	"context"
	"fmt"
	"os"

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
	}, &cobra.Command{
		Use:   "export [FILE]",
		Short: "print the configuration, or write it to FILE",
		Args:  maxArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return configExport(cmd.Context(), c, args) },
	})
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
		if len(args) == 0 {
			_, err = c.stdout().Write(data)
			return err
		}
		return privatefile.WriteFile(args[0], data)
	})
}
