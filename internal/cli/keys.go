package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/secrets"
)

// keysOptions are the flags of the keys subcommands.
type keysOptions struct {
	use, alg string
	bits     int
}

// keysCmd manages the key pairs of the scoped modes: the private half goes
// to the keyring, the public JWK and kid to the configuration.
func keysCmd(c *call) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "generate, import or show the key pairs of the scoped modes",
		Args:  cobra.ArbitraryArgs,
		RunE:  needSub("generate, import or show, with --for client|dpop"),
	}
	for _, v := range []struct{ verb, short, example string }{
		{"generate", "generate a key pair, keep its private half and print the public JWK", "  rolesync keys generate --for client --alg ES256"},
		{"import", "import a private key (PEM or JWK) from standard input", "  rolesync keys import --for dpop < dpop.pem"},
		{"show", "print the public JWK of a key in the keyring", "  rolesync keys show --for client"},
	} {
		var o keysOptions
		sub := &cobra.Command{
			Use:     v.verb + " --for client|dpop",
			Short:   v.short,
			Example: v.example,
			Args:    maxArgs(0),
			RunE:    func(cmd *cobra.Command, _ []string) error { return runKeys(cmd.Context(), c, v.verb, o) },
		}
		sub.Flags().StringVar(&o.use, "for", "", "client (client authentication) or dpop (DPoP proofs)")
		_ = sub.RegisterFlagCompletionFunc("for", cobra.FixedCompletions([]cobra.Completion{"client", "dpop"}, cobra.ShellCompDirectiveNoFileComp))
		if v.verb == "generate" {
			sub.Flags().StringVar(&o.alg, "alg", keys.RS256, "RS256 or ES256")
			sub.Flags().IntVar(&o.bits, "bits", 2048, "RSA modulus size: 2048 or 3072")
		}
		cmd.AddCommand(sub)
	}
	return cmd
}

func runKeys(ctx context.Context, c *call, verb string, o keysOptions) error {
	var name string
	switch o.use {
	case "client":
		name = secrets.PrivateKey
	case "dpop":
		name = secrets.DPoPPrivateKey
	default:
		return usagef("keys %s: say --for client or --for dpop", verb)
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		sec, err := rt.Secrets()
		if err != nil {
			return err
		}
		switch verb {
		case "generate":
			return generateKey(ctx, c, rt, sec, name, o)
		case "import":
			return importKey(ctx, c, rt, sec, name, o.use)
		}
		return showKey(c, sec, name)
	})
}

// generateKey makes a key pair for use, keeps its private half under name
// and publishes the public half.
func generateKey(ctx context.Context, c *call, rt *app.Runtime, sec *secrets.Store, name string, o keysOptions) error {
	p, err := keys.Generate(o.alg, o.bits)
	if err != nil {
		return err
	}
	if err := checkOtherKey(sec, o.use, p); err != nil {
		return err
	}
	pemData, err := p.PrivatePEM()
	if err != nil {
		return err
	}
	if err := sec.Set(name, pemData); err != nil {
		return err
	}
	return publishKey(ctx, c, rt, o.use, p)
}

// importKey keeps the private key on standard input under name and
// publishes its public half.
func importKey(ctx context.Context, c *call, rt *app.Runtime, sec *secrets.Store, name, use string) error {
	data, err := readSecret(c.env.Stdin)
	if err != nil {
		return err
	}
	p, err := keys.ParsePrivate(data)
	if err != nil {
		return err
	}
	if err := checkOtherKey(sec, use, p); err != nil {
		return err
	}
	if err := sec.Set(name, data); err != nil {
		return err
	}
	return publishKey(ctx, c, rt, use, p)
}

// showKey prints the public JWK of the key kept under name.
func showKey(c *call, sec *secrets.Store, name string) error {
	p, err := app.LoadKeyPair(sec.Get, name)
	if err != nil {
		return err
	}
	jwk, err := p.PublicJWK()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout(), string(jwk))
	return nil
}

// checkOtherKey refuses a key already used for the other purpose.
func checkOtherKey(sec *secrets.Store, use string, p *keys.Pair) error {
	other := secrets.DPoPPrivateKey
	if use == "dpop" {
		other = secrets.PrivateKey
	}
	o, err := app.LoadKeyPair(sec.Get, other)
	if err != nil {
		return nil // no other key yet
	}
	return keys.Distinct(p, o)
}

// publishKey prints the public JWK for Okta's "Add a public key" and records
// it with its kid in the configuration, when there is one.
func publishKey(ctx context.Context, c *call, rt *app.Runtime, use string, p *keys.Pair) error {
	jwk, err := p.PublicJWK()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout(), string(jwk))
	cfg, ok, err := app.ConfigFromStore(ctx, rt.Store)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(c.env.Stderr, "The private key is in the keyring. Add the public key above to the Okta app; once a configuration is imported, run `rolesync keys show --for %s` to check it.\n", use)
		return nil
	}
	if use == "client" {
		cfg.Okta.PublicKey, cfg.Okta.KeyID = string(jwk), p.KeyID
	} else {
		cfg.Okta.DPoPPublicKey, cfg.Okta.DPoPKeyID = string(jwk), p.KeyID
	}
	if err := app.SaveConfig(ctx, rt.Store, cfg); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "The private key is in the keyring and the public key (kid %s) is in the configuration. Add it in Okta: the app's General tab, Public keys, Add key.\n", p.KeyID)
	return nil
}
