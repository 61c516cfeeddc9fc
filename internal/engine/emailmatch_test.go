package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// emailOrg is an org whose users' logins differ from their emails: mal's
// email is the portal admin's, pat's and eve's are those of portal accounts
// made by hand.
func emailOrg() *org {
	o := newOrg().user("mal", StatusActive, "Ops").user("pat", StatusActive, "Ops").user("eve", StatusActive, "Ops")
	o.users["mal"].Email = "ROOT@corp.com"
	o.users["pat"].Email = "Pat@corp.com"
	o.users["eve"].Email = "ops@corp.com"
	return o
}

func emailBefore() []target.User {
	return []target.User{hand("root@corp.com", "Administrator"), hand("pat@corp.com", "Auditor"), hand("ops@corp.com", "Read Only"),
		synced("ann", "Administrator")}
}

// byLogin returns the target's user with login, or nil.
func byLogin(t *testing.T, e *env, login string) *target.User {
	t.Helper()
	users, err := e.dir.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range users {
		if strings.EqualFold(users[i].Login, login) {
			return &users[i]
		}
	}
	return nil
}

// An Okta user whose email is an admin's or a protected account's never
// takes that account over; a link by email to any other account is held
// for approval with its reason, and applied when approved.
func TestEmailMatchNeverTakesOverAnAccount(t *testing.T) {
	ctx := context.Background()
	cfg := Policy{Safety: Safety{AdminRoles: []string{"Administrator"}, ProtectedAccounts: []string{"ops@corp.com"}}}
	e := newEnv(t, cfg, emailOrg(), emailBefore(), false)
	res, err := e.eng.Run(ctx, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != store.StatusHeld {
		t.Fatalf("status %q, want held (the link by email waits for approval)", res.Status)
	}
	for _, c := range append(slices.Clone(res.Applied), res.Plan.Changes...) {
		if c.OktaID == "mal" || c.OktaID == "eve" || c.OktaID == "pat" {
			t.Errorf("the plan makes %s for Okta user %s: %s", c.Action, c.OktaID, c.Reason)
		}
	}
	// root and ops are never linked: they are kept, with the reason.
	kept := strings.Join(describeKept(res.Plan.Kept), "\n")
	for _, want := range []string{"root@corp.com update: not linked to Okta user mal (mal@example.com) by email", "admin role",
		"ops@corp.com update: not linked to Okta user eve (eve@example.com) by email", "protected account"} {
		if !strings.Contains(kept, want) {
			t.Errorf("kept:\n%s\nwant it to contain %q", kept, want)
		}
	}
	for _, login := range []string{"root@corp.com", "ops@corp.com"} {
		if u := byLogin(t, e, login); u == nil || u.ExternalID != "" {
			t.Errorf("%s after the run: %+v; want it unlinked", login, u)
		}
	}
	if u := byLogin(t, e, "mal@example.com"); u != nil {
		t.Errorf("the run created %+v for mal", u)
	}
	// pat's link and what it brings are held, with the reason.
	held := describe(res.Plan.Held)
	if len(held) == 0 || !strings.Contains(held[0], "pat update: linked to Okta user pat by email Pat@corp.com") {
		t.Fatalf("held %q; want pat's link by email first", held)
	}
	if !slices.Contains(held, "pat grant Read Only: member of Ops") {
		t.Errorf("held %q; want pat's grant held with the link", held)
	}
	if !slices.ContainsFunc(res.Plan.HoldReasons, func(r string) bool { return strings.Contains(r, "by email") }) {
		t.Errorf("hold reasons %q do not name the link by email", res.Plan.HoldReasons)
	}
	if u := byLogin(t, e, "pat@corp.com"); u == nil || u.ExternalID != "" || !slices.Equal(u.Roles, []string{"Auditor"}) {
		t.Fatalf("pat's account changed before approval: %+v", u)
	}

	ap, err := e.eng.Approve(ctx, res.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if u := byLogin(t, e, "pat@example.com"); u == nil || u.ExternalID != "pat" || !slices.Equal(u.Roles, []string{"Read Only"}) {
		t.Fatalf("after approval (applied %q) pat's account is %+v; want it linked with Read Only", describe(ap.Applied), u)
	}
	if u := byLogin(t, e, "root@corp.com"); u == nil || u.ExternalID != "" {
		t.Fatalf("approval touched root: %+v", u)
	}
}

// Without admin roles configured every account with roles counts as an
// admin: it is never linked by email.
func TestEmailMatchWithoutAdminRolesKeepsAccountsWithRoles(t *testing.T) {
	e := newEnv(t, Policy{}, emailOrg(), emailBefore(), false)
	res, err := e.eng.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(slices.Clone(res.Applied), res.Plan.Held...) {
		if c.Action == store.ActionUpdate {
			t.Errorf("the plan links %s to Okta user %s: %s", c.User, c.OktaID, c.Reason)
		}
	}
	if u := byLogin(t, e, "root@corp.com"); u == nil || u.ExternalID != "" {
		t.Fatalf("root after the run: %+v", u)
	}
}
