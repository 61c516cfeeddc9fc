package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

// scimTarget builds the SCIM 2.0 target with its bearer token from the
// keyring. The roles the mappings name are declared to it, so that in
// attribute mode they are offered before any user holds them.
func (rt *Runtime) scimTarget(_ context.Context, cfg config.Config, get SecretGetter) (target.Target, error) {
	tok, err := get(secrets.SCIMToken)
	if err != nil {
		return nil, err
	}
	opts, err := scimOptions(cfg.Target, strings.TrimSpace(string(tok)))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range cfg.Mappings {
		for _, r := range m.Roles {
			if !seen[r] {
				seen[r] = true
				opts.Roles = append(opts.Roles, r)
			}
		}
	}
	opts.Logger = rt.Logger
	return scim.New(opts)
}

// scimOptions returns the Options for a scim target configuration and
// the bearer token read from the keyring.
func scimOptions(t config.Target, token string) (scim.Options, error) {
	if t.Kind != config.TargetSCIM {
		return scim.Options{}, fmt.Errorf("scim: target kind is %q, not %q", t.Kind, config.TargetSCIM)
	}
	return scim.Options{
		BaseURL:     t.BaseURL,
		Token:       token,
		RoleMode:    t.RoleMode,
		Profile:     t.Profile,
		CAFile:      t.CAFile,
		Concurrency: t.Concurrency,
	}, nil
}
