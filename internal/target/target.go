// Package target defines the portal side of a sync: the users and roles that
// the engine reads and changes. Each kind of portal (the local directory, a
// SCIM 2.0 service provider) lives in its own sub-package behind Target.
package target

import (
	"context"
	"errors"
)

// User is a portal user as the target holds it.
type User struct {
	// ID is the target's own identifier for the user.
	ID string
	// ExternalID is the Okta user id the sync matched this user to; empty for
	// users the sync has never seen.
	ExternalID string
	Login      string
	Email      string
	FirstName  string
	LastName   string
	// Active is false for users whose access was revoked.
	Active bool
	// Roles are the portal roles the user holds, sorted.
	Roles []string
}

// Target is a portal whose users and roles the engine keeps in line with Okta.
// Implementations must be safe for use by one run at a time; every method
// honours ctx.
type Target interface {
	// ListUsers returns every portal user with its roles.
	ListUsers(ctx context.Context) ([]User, error)
	// ListRoles returns the roles the portal offers for mapping, sorted.
	ListRoles(ctx context.Context) ([]string, error)
	// CreateUser creates an active user with u's profile and roles and
	// returns it with its new ID.
	CreateUser(ctx context.Context, u User) (User, error)
	// UpdateProfile changes the login, email, names and external id of the
	// user u.ID, leaving its roles alone.
	UpdateProfile(ctx context.Context, u User) error
	// SetRoles gives the user exactly roles. A non-empty set also makes the
	// user active again.
	SetRoles(ctx context.Context, userID string, roles []string) error
	// RevokeAll removes every role of the user and disables it. Nothing is
	// deleted, so access can be restored.
	RevokeAll(ctx context.Context, userID string) error
}

// ErrNotFound is returned when a user or role the caller names does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnknownRole is returned when a role is not defined in the target.
var ErrUnknownRole = errors.New("unknown role")
