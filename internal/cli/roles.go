package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
)

// roleAdder is a target whose roles the admin defines (the local directory,
// a SCIM service in groups mode).
type roleAdder interface {
	AddRole(ctx context.Context, name string) error
}

// rolesCmd adds and lists the roles of the target.
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
