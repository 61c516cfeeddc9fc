package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func auditCmd(c *call) *cobra.Command {
	say := func(*cobra.Command, []string) error { return usagef("audit: say `audit verify`") }
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "check the change log",
		Args:  cobra.ArbitraryArgs,
		RunE:  say,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "check the change log's hash chain",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return say(cmd, args)
			}
			return runAuditVerify(cmd.Context(), c)
		},
	})
	return cmd
}

// runAuditVerify checks the hash chain of the change log.
func runAuditVerify(ctx context.Context, c *call) error {
	return c.withRuntime(ctx, func(rt *Runtime) error {
		res, err := rt.Store.VerifyChain(ctx)
		if err != nil {
			return err
		}
		if !res.OK {
			return fmt.Errorf("audit verify: %s", res)
		}
		fmt.Fprintf(c.stdout(), "audit verify: %s\n", res)
		return nil
	})
}
