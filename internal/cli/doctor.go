package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/secrets"
)

// ConnConfig builds the connection test's settings from cfg and the keyring.
// A secret missing from the keyring fails the test's token step rather than
// stopping it, so the checklist still shows DNS and TLS.
func (rt *Runtime) ConnConfig(cfg config.Config) (okta.ConnConfig, error) {
	return ConnConfigWith(cfg, rt.KeyringGetter())
}

// ConnConfigWith builds the connection test's settings from cfg and get.
func ConnConfigWith(cfg config.Config, get SecretGetter) (okta.ConnConfig, error) {
	cc := okta.ConnConfig{Domain: cfg.Okta.Domain, Auth: cfg.Okta.Auth, ClientID: cfg.Okta.ClientID,
		KeyID: cfg.Okta.KeyID, Scopes: cfg.Okta.Scopes, CAFile: cfg.Okta.CAFile}
	switch cfg.Okta.Auth {
	case config.AuthAPIToken:
		tok, err := get(secrets.APIToken)
		if err != nil && !errors.Is(err, secrets.ErrNotSet) {
			return cc, err
		}
		cc.APIToken = strings.TrimSpace(string(tok))
	case config.AuthScoped, config.AuthScopedDPoP:
		p, err := loadPair(get, secrets.PrivateKey)
		if err != nil && !errors.Is(err, secrets.ErrNotSet) {
			return cc, err
		}
		if p != nil {
			cc.Key = p.Signer
			if cc.KeyID == "" {
				cc.KeyID = p.KeyID
			}
		}
		if cfg.Okta.Auth == config.AuthScopedDPoP {
			d, err := loadPair(get, secrets.DPoPPrivateKey)
			if err != nil && !errors.Is(err, secrets.ErrNotSet) {
				return cc, err
			}
			if d != nil {
				cc.DPoPKey = d.Signer
			}
		}
	}
	return cc, nil
}

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
	return c.withRuntime(ctx, func(rt *Runtime) error {
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
