package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
)

// directoryUser is the `directory list --json` contract.
type directoryUser struct {
	Login  string   `json:"login"`
	Email  string   `json:"email"`
	OktaID string   `json:"okta_id"`
	Active bool     `json:"active"`
	Roles  []string `json:"roles"`
}

// directoryCmd lists the users of the local directory.
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
