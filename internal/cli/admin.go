package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/secrets"
)

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

// readSecret reads a secret from stdin, trimming one trailing newline.
func readSecret(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input to read the secret from")
	}
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	data = []byte(strings.TrimRight(string(data), "\r\n"))
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, errors.New("the secret read from standard input is empty: pipe it in, e.g. `rolesync secrets set okta-api-token < token.txt`")
	}
	return data, nil
}

func secretsCmd(c *call) *cobra.Command {
	say := func() error {
		return usagef("secrets: say `secrets set NAME` with the value on standard input (names: %s)", strings.Join(secrets.Names(), ", "))
	}
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "keep a secret in the keyring",
		Args:  cobra.ArbitraryArgs,
		RunE:  func(*cobra.Command, []string) error { return say() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:       "set NAME",
		Short:     "keep a secret, read from standard input, in the keyring",
		Long:      "Set reads a secret from standard input and keeps it in the keyring. NAME is one of " + strings.Join(secrets.Names(), ", ") + ".",
		Example:   "  rolesync secrets set okta-api-token < token.txt",
		ValidArgs: secrets.Names(),
		Args:      cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return say()
			}
			return runSecretsSet(cmd.Context(), c, args[0])
		},
	})
	return cmd
}

func runSecretsSet(ctx context.Context, c *call, name string) error {
	if !slices.Contains(secrets.Names(), name) {
		return usagef("secrets: %q is not a secret rolesync keeps; use one of %s", name, strings.Join(secrets.Names(), ", "))
	}
	value, err := readSecret(c.env.Stdin)
	if err != nil {
		return err
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		sec, err := rt.Secrets()
		if err != nil {
			return err
		}
		if err := sec.Set(name, value); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "%s saved in the keyring\n", name)
		return nil
	})
}

// roleAdder is a target whose roles the admin defines (the local directory,
// a SCIM service in groups mode).
type roleAdder interface {
	AddRole(ctx context.Context, name string) error
}

func rolesCmd(c *call) *cobra.Command {
	say := func() error { return usagef("roles: say `roles add NAME` (quote a name with spaces) or `roles list`") }
	cmd := &cobra.Command{
		Use:   "roles",
		Short: "add or list the target's roles (local directory, or SCIM groups)",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("roles: say `roles add NAME` or `roles list`")
			}
			return say()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "add NAME",
		Short:   "add a role to the target",
		Example: `  rolesync roles add "Read Only"`,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return say()
			}
			return rolesAdd(cmd.Context(), c, args[0])
		},
	}, &cobra.Command{
		Use:   "list",
		Short: "list the target's roles",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return say()
			}
			return rolesList(cmd.Context(), c)
		},
	})
	return cmd
}

func rolesAdd(ctx context.Context, c *call, name string) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		tgt, err := rt.RolesTarget(ctx)
		if err != nil {
			return err
		}
		adder, ok := tgt.(roleAdder)
		if !ok {
			return errors.New("this target's roles are defined in the portal itself: add the role there")
		}
		if err := adder.AddRole(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "role %q added\n", name)
		return nil
	})
}

func rolesList(ctx context.Context, c *call) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		tgt, err := rt.RolesTarget(ctx)
		if err != nil {
			return err
		}
		roles, err := tgt.ListRoles(ctx)
		if err != nil {
			return err
		}
		for _, r := range roles {
			fmt.Fprintln(c.stdout(), r)
		}
		return nil
	})
}

// directoryUser is the `directory list --json` contract.
type directoryUser struct {
	Login  string   `json:"login"`
	Email  string   `json:"email"`
	OktaID string   `json:"okta_id"`
	Active bool     `json:"active"`
	Roles  []string `json:"roles"`
}

func directoryCmd(c *call) *cobra.Command {
	say := func(*cobra.Command, []string) error { return usagef("directory: say `directory list [--json]`") }
	cmd := &cobra.Command{
		Use:   "directory",
		Short: "list the users of the local directory",
		Args:  cobra.ArbitraryArgs,
		RunE:  say,
	}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "list the users of the local directory and their roles",
		Args:  maxArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDirectoryList(cmd.Context(), c, asJSON) },
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}

func runDirectoryList(ctx context.Context, c *call, asJSON bool) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		users, err := rt.Directory.ListUsers(ctx)
		if err != nil {
			return err
		}
		out := make([]directoryUser, 0, len(users))
		for _, u := range users {
			roles := u.Roles
			if roles == nil {
				roles = []string{}
			}
			out = append(out, directoryUser{Login: u.Login, Email: u.Email, OktaID: u.ExternalID, Active: u.Active, Roles: roles})
		}
		if asJSON {
			return printJSON(c.stdout(), out)
		}
		tw := tabwriter.NewWriter(c.stdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tACTIVE\tOKTA ID\tROLES")
		for _, u := range out {
			fmt.Fprintf(tw, "%s\t%v\t%s\t%s\n", u.Login, u.Active, dash(u.OktaID), dash(strings.Join(u.Roles, ", ")))
		}
		tw.Flush()
		fmt.Fprintf(c.stdout(), "%d users\n", len(out))
		return nil
	})
}
