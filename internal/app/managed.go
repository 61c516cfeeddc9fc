package app

import (
	"context"

	"github.com/rolesync/rolesync/internal/config"
)

// Managed counts what cfg puts under management: the portal users the
// sync matched to Okta that hold roles, and the roles the mappings name.
// A target that cannot be read counts no users, with its error; one not
// set up, no users and no error.
func (rt *Runtime) Managed(ctx context.Context, cfg config.Config) (users, roles int, err error) {
	set := map[string]bool{}
	for _, m := range cfg.Mappings {
		for _, r := range m.Roles {
			set[r] = true
		}
	}
	tgt, err := rt.Target(ctx, cfg)
	if err != nil {
		return 0, len(set), nil
	}
	us, err := tgt.ListUsers(ctx)
	if err != nil {
		return 0, len(set), err
	}
	for _, u := range us {
		if u.ExternalID != "" && u.Active && len(u.Roles) > 0 {
			users++
		}
	}
	return users, len(set), nil
}
