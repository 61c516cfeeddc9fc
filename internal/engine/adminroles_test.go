package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// An admin role written in another case than the target's still protects
// the last admin.
func TestAdminRolesIgnoreCase(t *testing.T) {
	cfg := Policy{Safety: Safety{AdminRoles: []string{"administrator"}}}
	o := newOrg().user("ann", StatusActive, "Ops").user("bob", StatusActive, "Ops")
	e := newEnv(t, cfg, o, []target.User{synced("ann", "Administrator"), synced("bob", "Administrator")}, false)
	res, err := e.eng.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	equalOrDiff(t, "kept", describeKept(res.Plan.Kept),
		[]string{`ann revoke Administrator: last holder of admin role "Administrator" (would have been: removed from Eng)`})
	if st := e.state(); st["ann@example.com"] != "on:Administrator,Read Only" {
		t.Fatalf("ann is %q: the last admin lost the role", st["ann@example.com"])
	}
	for _, c := range res.Plan.Changes {
		if c.isRevocation() && c.Role == "Administrator" && !c.Admin {
			t.Errorf("revocation %+v takes an admin role away but is not marked admin", c)
		}
	}
}

// An admin role the target does not define fails the run with a message
// that names it and the roles the target has.
func TestAdminRolesMustExistInTarget(t *testing.T) {
	cfg := Policy{Safety: Safety{AdminRoles: []string{"Administrator", "Admn"}}}
	o := newOrg().user("ann", StatusActive, "Ops")
	e := newEnv(t, cfg, o, []target.User{synced("ann", "Administrator")}, false)
	before := e.state()
	res, err := e.eng.Run(context.Background(), RunOptions{})
	if err == nil || res.Status != store.StatusFailed {
		t.Fatalf("run %+v, %v: want a failure for the unknown admin role", res, err)
	}
	for _, want := range []string{`"Admn"`, "safety.admin_roles", `"Administrator"`, `"Auditor"`, `"Read Only"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), `role "Administrator" is not`) {
		t.Errorf("error %q blames a role the target has", err)
	}
	if got := e.state(); !mapsEqual(got, before) {
		t.Fatalf("the failed run changed the directory: %v → %v", before, got)
	}
}
