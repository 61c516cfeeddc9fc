package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/store"
)

func auditCmd(c *call) *cobra.Command {
	say := func(*cobra.Command, []string) error { return usagef("audit: say `audit verify` or `audit key`") }
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "check the change log",
		Args:  cobra.ArbitraryArgs,
		RunE:  say,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "check the change log's hash chain and its signed checkpoints",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return say(cmd, args)
			}
			return runAuditVerify(cmd.Context(), c)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "key",
		Short: "print the public key that signs the change log's checkpoints (PEM)",
		Args:  maxArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runAuditKey(cmd.Context(), c) },
	})
	return cmd
}

// runAuditVerify checks the hash chain of the change log and the signed
// checkpoints that anchor it, against the keyring's key and record.
func runAuditVerify(ctx context.Context, c *call) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		trust, err := rt.AuditTrust(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(c.env.Stderr, "rolesync: audit verify: the keyring could not be opened (%v)\n", err)
			trust = store.Trust{}
		}
		res, err := rt.Store.VerifyAudit(ctx, trust)
		if err != nil {
			return err
		}
		for _, n := range res.Notes {
			fmt.Fprintf(c.stdout(), "audit verify: note: %s\n", n)
		}
		if !res.OK {
			msg := strings.Join(res.Problems, "; ")
			if _, err := os.Stat(filepath.Join(cmp.Or(rt.Root, rt.DataDir), demoMarker)); err == nil {
				msg += " (this is a demo data directory: the demo kept its keyring, and the key that signed its checkpoints, in memory only, so only the demo itself can check them)"
			}
			return fmt.Errorf("audit verify: %s", msg)
		}
		fmt.Fprintf(c.stdout(), "audit verify: %s\n", res)
		return nil
	})
}

// runAuditKey prints the public half of the audit signing key as PEM, for
// an auditor to keep and check reports against.
func runAuditKey(ctx context.Context, c *call) error {
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		trust, err := rt.AuditTrust(ctx)
		if err != nil {
			return err
		}
		if trust.Key == nil {
			return errors.New("audit key: there is no audit signing key yet; the first run that records changes makes one")
		}
		pem, err := store.PublicKeyPEM(trust.Key)
		if err != nil {
			return err
		}
		_, err = io.WriteString(c.stdout(), pem)
		return err
	})
}
