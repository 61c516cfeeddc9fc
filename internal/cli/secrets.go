package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/secrets"
)

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

// secretsCmd keeps a secret, read from standard input, in the keyring.
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
