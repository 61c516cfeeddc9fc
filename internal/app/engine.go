package app

import (
	"context"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/okta"
)

// EnginePolicy is the engine's view of cfg: its mappings and safety gates.
func EnginePolicy(cfg config.Config) engine.Policy {
	ms := make([]engine.Mapping, len(cfg.Mappings))
	for i, m := range cfg.Mappings {
		ms[i] = engine.Mapping{Group: m.Group, Roles: m.Roles, GroupID: m.GroupID}
	}
	s := cfg.Safety
	return engine.Policy{Mappings: ms, Safety: engine.Safety{ProtectedAccounts: s.ProtectedAccounts,
		AdminRoles: s.AdminRoles, MaxRevocations: s.MaxRevocations, MaxRevocationPercent: s.MaxRevocationPercent}}
}

// EngineSource is the engine's Source over an Okta client: a DeltaSource
// and a UserLookup that counts its API calls.
func EngineSource(c *okta.Client) engine.DeltaSource { return oktaSource{c} }

// oktaSource is EngineSource's source.
type oktaSource struct{ c *okta.Client }

var (
	_ engine.DeltaSource = oktaSource{}
	_ engine.UserLookup  = oktaSource{}
)

// Snapshot reads the mapped groups in full.
func (s oktaSource) Snapshot(ctx context.Context, refs []string) (*engine.Snapshot, error) {
	snap, err := s.c.Snapshot(ctx, refs)
	return engineSnapshot(snap), err
}

// SnapshotDelta reads what changed since prev, which this source returned.
func (s oktaSource) SnapshotDelta(ctx context.Context, refs []string, prev *engine.Snapshot) (*engine.Snapshot, error) {
	var base *okta.Snapshot
	if prev != nil {
		base, _ = prev.Base.(*okta.Snapshot)
	}
	snap, err := s.c.SnapshotDelta(ctx, refs, base)
	return engineSnapshot(snap), err
}

// LookupUsers looks up single users; a nil map means Okta refused.
func (s oktaSource) LookupUsers(ctx context.Context, ids []string) (map[string]*engine.User, error) {
	found, err := s.c.LookupUsers(ctx, ids)
	return engineUsers(found), err
}

// APICalls is the number of HTTP requests the client has made.
func (s oktaSource) APICalls() int64 { return s.c.APICalls() }

// engineSnapshot is the engine's view of snap, which it keeps as the
// snapshot's Base for the next delta read. Users and groups are shared,
// not copied: engine.User and engine.Group have the layout of okta.User
// and okta.Group (a field added to one side stops the conversions from
// compiling), the users are a view of snap's map, and only the map of the
// mapped groups is built anew.
func engineSnapshot(snap *okta.Snapshot) *engine.Snapshot {
	if snap == nil {
		return nil
	}
	groups := make(map[string]*engine.Group, len(snap.Groups))
	for ref, g := range snap.Groups {
		groups[ref] = (*engine.Group)(g)
	}
	return &engine.Snapshot{Groups: groups, Missing: snap.Missing, Users: oktaUsers(snap.Users),
		APICalls: snap.APICalls, TakenAt: snap.TakenAt, Feed: snap.Feed, Base: snap}
}

// oktaUsers is the engine's view of a snapshot's users.
type oktaUsers map[string]*okta.User

// User returns the user with Okta id id, or nil.
func (m oktaUsers) User(id string) *engine.User { return (*engine.User)(m[id]) }

// Len is the number of users.
func (m oktaUsers) Len() int { return len(m) }

// engineUsers converts the users a lookup found; a nil map stays nil.
func engineUsers(users map[string]*okta.User) map[string]*engine.User {
	if users == nil {
		return nil
	}
	out := make(map[string]*engine.User, len(users))
	for id, u := range users {
		out[id] = (*engine.User)(u)
	}
	return out
}
