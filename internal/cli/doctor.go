package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/okta"
)

func doctorCmd(c *call) *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "test the connection to Okta and say what to fix",
		Long: `Doctor tests the connection to Okta step by step (DNS, TLS, token, scopes,
admin role, DPoP) and says what to fix in Okta for the first step that fails.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return runDoctor(cmd.Context(), c) },
	}
}

// runDoctor prints the connection checklist and fails when a check failed.
func runDoctor(ctx context.Context, c *call) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		cfg, err := rt.Config(ctx)
		if err != nil {
			return err
		}
		cc, err := rt.ConnConfig(cfg)
		if err != nil {
			return err
		}
		cc.Nonces = rt.DPoPNonces(cfg)
		checks := okta.TestConnection(ctx, cc)
		printChecks(c.stdout(), checks)
		if bad := okta.FirstFailure(checks); bad != nil {
			return fmt.Errorf("%s: %s", bad.Name, firstNonEmpty(bad.Fix, bad.Detail))
		}
		return nil
	})
}

func printChecks(w io.Writer, checks []okta.Check) {
	marks := map[okta.CheckStatus]string{okta.Pass: "ok  ", okta.Fail: "FAIL", okta.Skip: "skip"}
	for _, ch := range checks {
		fmt.Fprintf(w, "[%s] %s", marks[ch.Status], ch.Name)
		if ch.Detail != "" {
			fmt.Fprintf(w, ": %s", ch.Detail)
		}
		fmt.Fprintln(w)
		if ch.Status == okta.Fail && ch.Fix != "" {
			fmt.Fprintf(w, "       fix: %s\n", ch.Fix)
		}
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
