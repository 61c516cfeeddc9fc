package app

import (
	"context"
	"fmt"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/target"
)

// Target returns the portal target the configuration names.
func (rt *Runtime) Target(ctx context.Context, cfg config.Config) (target.Target, error) {
	return rt.TargetWith(ctx, cfg, rt.KeyringGetter())
}

// TargetWith returns the portal target cfg names, with credentials from get.
func (rt *Runtime) TargetWith(ctx context.Context, cfg config.Config, get SecretGetter) (target.Target, error) {
	switch cfg.Target.Kind {
	case "", config.TargetLocal:
		return rt.Directory, nil
	case config.TargetSCIM:
		return rt.scimTarget(ctx, cfg, get)
	}
	return nil, fmt.Errorf("target.kind %q is not known: use local or scim", cfg.Target.Kind)
}

// RolesTarget is the configured target, or the local directory before any
// configuration exists.
func (rt *Runtime) RolesTarget(ctx context.Context) (target.Target, error) {
	cfg, ok, err := ConfigFromStore(ctx, rt.Store)
	if err != nil {
		return nil, err
	}
	if !ok {
		return rt.Directory, nil
	}
	return rt.Target(ctx, cfg)
}
