package engine

import (
	"errors"
	"slices"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// usersError is a Flush error that names failed users and no role.
type usersError struct{ users []string }

func (e *usersError) Error() string         { return "user calls failed" }
func (e *usersError) FailedRoles() []string { return nil }
func (e *usersError) FailedUsers() []string { return e.users }

func TestDropUnflushedDropsTheFailedUsersChanges(t *testing.T) {
	applied := []PlannedChange{
		{User: "ada@example.com", OktaID: "00u1", Action: store.ActionCreate},
		{User: "ada@example.com", OktaID: "00u1", Action: store.ActionGrant, Role: "Admin"},
		{User: "bob@example.com", OktaID: "00u2", Action: store.ActionCreate},
		{User: "bob@example.com", OktaID: "00u2", Action: store.ActionGrant, Role: "Admin"},
		{User: "cy@example.com", OktaID: "00u3", UserID: "t3", Action: store.ActionGrant, Role: "Admin"},
		{User: "di@example.com", OktaID: "00u4", UserID: "t4", Action: store.ActionRevoke, Role: "Admin"},
	}
	got := dropUnflushed(slices.Clone(applied), &Plan{}, &usersError{users: []string{"00u2", "T4"}})
	var users []string
	for _, c := range got {
		users = append(users, c.User)
	}
	want := []string{"ada@example.com", "ada@example.com", "cy@example.com"}
	if !slices.Equal(users, want) {
		t.Fatalf("kept the changes of %v, want %v", users, want)
	}
	// An error naming neither roles nor users drops every role change.
	got = dropUnflushed(slices.Clone(applied), &Plan{}, errors.New("reset"))
	if len(got) != 2 {
		t.Fatalf("an opaque error kept %d changes, want the 2 creations", len(got))
	}
}
