package local

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
)

func TestCreateUsersAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := open(t, "Administrator", "Read Only")
	err := d.CreateUsers(ctx, []target.User{
		{Login: "ann@example.com", ExternalID: "00u1", Roles: []string{"Read Only", "Administrator", "Read Only"}},
		{Login: " bob@example.com ", ExternalID: "00u2", FirstName: "Bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	users, err := d.ListUsers(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
	if u := users[0]; u.Login != "ann@example.com" || !u.Active || !slices.Equal(u.Roles, []string{"Administrator", "Read Only"}) {
		t.Fatalf("first user %+v", u)
	}
	if u := users[1]; u.Login != "bob@example.com" || u.FirstName != "Bob" || len(u.Roles) != 0 {
		t.Fatalf("second user %+v", u)
	}
	for _, tc := range []struct {
		name  string
		users []target.User
		want  string
		is    error
	}{
		{"a taken login", []target.User{{Login: "carl@example.com"}, {Login: "ANN@example.com"}}, "already taken", nil},
		{"a taken Okta id", []target.User{{Login: "carl@example.com"}, {Login: "dan@example.com", ExternalID: "00u2"}}, "already matched", nil},
		{"the same login twice", []target.User{{Login: "carl@example.com"}, {Login: "Carl@example.com"}}, "already taken", nil},
		{"an unknown role", []target.User{{Login: "carl@example.com"}, {Login: "dan@example.com", Roles: []string{"Owner"}}}, `rolesync roles add "Owner"`, target.ErrUnknownRole},
		{"an empty login", []target.User{{Login: "carl@example.com"}, {Login: "  "}}, "empty login", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := d.CreateUsers(ctx, tc.users)
			if err == nil || !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("CreateUsers = %v, want an error containing %q", err, tc.want)
			}
			if users, _ := d.ListUsers(ctx); len(users) != 2 {
				t.Fatalf("a failed CreateUsers left %d users, want the 2 from before", len(users))
			}
		})
	}
}
