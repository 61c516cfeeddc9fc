package oktasim

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExpressions(t *testing.T) {
	when := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	g := &group{id: "00gA", name: "Engineering", typ: GroupTypeOkta, description: "Builders",
		created: when, lastUpdated: when, lastMembershipUpdated: when}
	tests := []struct {
		expr string
		want bool
	}{
		{`profile.name eq "engineering"`, true},
		{`profile.name ne "Engineering"`, false},
		{`profile.name sw "Eng"`, true},
		{`profile.name sw "gin"`, false},
		{`profile.name co "gin"`, true},
		{`profile.description pr`, true},
		{`lastMembershipUpdated gt "2025-03-01T11:59:59.999Z"`, true},
		{`lastMembershipUpdated gt "2025-03-01T12:00:00.000Z"`, false},
		{`lastMembershipUpdated ge "2025-03-01T12:00:00.000Z"`, true},
		{`lastMembershipUpdated lt "2025-03-01T12:00:00.001Z"`, true},
		{`lastMembershipUpdated le "2025-03-01T11:00:00Z"`, false},
		{`created eq "2025-03-01T13:00:00+01:00"`, true},
		{`type eq "APP_GROUP" or profile.name eq "Engineering" and id eq "00gA"`, true},
		{`(type eq "APP_GROUP" or profile.name eq "Engineering") and id eq "00gB"`, false},
		{`type eq "APP_GROUP" or (profile.name eq "Engineering" and id eq "00gB")`, false},
		{`profile.name eq "Engineering" or type eq "APP_GROUP" and id eq "00gB"`, true}, // and binds tighter
		{`profile.name EQ "Engineering" AND type eq "OKTA_GROUP"`, true},
		{`profile.name eq "Say \"hi\""`, false},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			e, err := parseExpr(tc.expr, groupSearchSpec)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := e.eval(groupAttrs(g)); got != tc.want {
				t.Errorf("eval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExpressionErrors(t *testing.T) {
	tests := []struct {
		expr string
		spec attrSpec
		want string
	}{
		{``, groupSearchSpec, "empty"},
		{`profile.name`, groupSearchSpec, "no operator"},
		{`profile.name eq`, groupSearchSpec, "no value"},
		{`profile.name like "x"`, groupSearchSpec, "unknown operator"},
		{`"x" eq "y"`, groupSearchSpec, "expected an attribute"},
		{`(profile.name eq "x"`, groupSearchSpec, "closing parenthesis"},
		{`profile.name eq "x" "y"`, groupSearchSpec, "unexpected"},
		{`profile.name eq "x`, groupSearchSpec, "unterminated"},
		{`id co "x"`, groupSearchSpec, "co works only"},
		{`objectClass eq "x"`, groupSearchSpec, "cannot use objectClass"},
		{`id sw "00g"`, groupFilterSpec, "only eq"},
		{`profile.name eq "x"`, groupFilterSpec, "use search"},
		{`lastUpdated gt "soon"`, groupFilterSpec, "needs a timestamp"},
		{`status sw "A"`, userFilterSpec, "only eq"},
		{`department eq "x"`, userSearchSpec, "cannot use department"},
		{`client.id eq "x"`, logFilterSpec, "cannot filter"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			_, err := parseExpr(tc.expr, tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestOrgHelpers(t *testing.T) {
	o, err := LoadFixture("../../testdata/oktasim/small.yaml", 1)
	mustNil(t, err)
	g, err := o.CreateGroup("Auditors", "")
	mustNil(t, err)
	if got, ok := o.GroupByName("auditors"); !ok || got.ID != g.ID || got.Type != GroupTypeOkta {
		t.Fatalf("created group not found by name: %+v", got)
	}
	if _, err := o.CreateGroup("Auditors", ""); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("duplicate group: %v", err)
	}
	frank, _ := o.User("frank.fox@example.com")
	mustNil(t, o.AddMember(g.ID, frank.ID))
	if m := o.Members(g.ID); len(m) != 1 || m[0] != frank.ID {
		t.Errorf("members %v", m)
	}
	mustNil(t, o.SetStatus(frank.ID, StatusLockedOut))
	if u, _ := o.User(frank.ID); u.Status != StatusLockedOut || !u.LastUpdated.After(frank.LastUpdated) {
		t.Errorf("SetStatus: %+v", u)
	}
	if err := o.SetStatus(frank.ID, "ASLEEP"); err == nil {
		t.Error("unknown status accepted")
	}
	mustNil(t, o.DeleteGroup(g.ID))
	if o.Members(g.ID) != nil {
		t.Error("deleted group still has members")
	}
	for name, err := range map[string]error{
		"add to missing group":    o.AddMember("00gmissing", frank.ID),
		"remove missing user":     o.RemoveMember(mustFind(t, o, "Engineering"), "00umissing"),
		"lifecycle missing user":  o.Lifecycle("00umissing", LifecycleSuspend),
		"delete missing group":    o.DeleteGroup(g.ID),
		"set status missing user": o.SetStatus("00umissing", StatusActive),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if err := o.Lifecycle(frank.ID, LifecycleUnsuspend); err == nil || !strings.Contains(err.Error(), "E0000001") {
		t.Errorf("unsuspend of a locked-out user: %v, want Okta's E0000001", err)
	}
}

func mustFind(t *testing.T, o *Org, name string) string {
	t.Helper()
	g, ok := o.GroupByName(name)
	if !ok {
		t.Fatalf("no group %s", name)
	}
	return g.ID
}
