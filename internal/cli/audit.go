package cli

import (
	"context"
	"fmt"
)

// runAudit checks the hash chain of the change log.
func runAudit(ctx context.Context, c *call) error {
	if len(c.args) != 1 || c.args[0] != "verify" {
		return usagef("audit: say `audit verify`")
	}
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
