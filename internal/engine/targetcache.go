package engine

import (
	"context"
	"fmt"

	"github.com/rolesync/rolesync/internal/target"
)

// VersionedTarget is a target that can tell whether its users changed:
// UsersVersion returns a value that changes with every write to its users
// or their roles, by any process. When the target offers it, the engine
// reuses its last listing of the users while the version stays the same,
// so a run where nothing changed does not list every user again.
type VersionedTarget interface {
	UsersVersion(ctx context.Context) (int64, error)
}

// userCache is the last listing of a VersionedTarget's users and the
// version read before it. Guarded by Engine.mu.
type userCache struct {
	version int64
	users   []target.User
	valid   bool
}

// listUsers lists the target's users, or returns the last listing when the
// target says they have not changed since. The version is read before
// listing, so a write during the listing makes the next run list again.
// Callers must not modify the returned users.
func (e *Engine) listUsers(ctx context.Context) ([]target.User, error) {
	vt, ok := e.opts.Target.(VersionedTarget)
	if !ok {
		return e.opts.Target.ListUsers(ctx)
	}
	v, err := vt.UsersVersion(ctx)
	if err != nil {
		e.cache = userCache{}
		return nil, fmt.Errorf("read the version of the target's users: %w", err)
	}
	if e.cache.valid && e.cache.version == v {
		return e.cache.users, nil
	}
	e.cache = userCache{}
	users, err := e.opts.Target.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	e.cache = userCache{version: v, users: users, valid: true}
	return users, nil
}

// targetListing is the target's users and roles before a run.
type targetListing struct {
	users []target.User
	roles []string
	err   error
}

// listTarget lists the target's users (from the cache when unchanged) and
// roles.
func (e *Engine) listTarget(ctx context.Context) targetListing {
	users, err := e.listUsers(ctx)
	if err != nil {
		return targetListing{err: fmt.Errorf("list target users: %w", err)}
	}
	roles, err := e.opts.Target.ListRoles(ctx)
	if err != nil {
		return targetListing{err: fmt.Errorf("list target roles: %w", err)}
	}
	return targetListing{users: users, roles: roles}
}
