package scim_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

// orgOf returns n users: everyone is a Viewer, every third an Auditor and
// every tenth an Admin.
func orgOf(n int) []target.User {
	users := make([]target.User, n)
	for i := range users {
		email := fmt.Sprintf("user%05d@example.com", i)
		roles := []string{"Viewer"}
		if i%3 == 0 {
			roles = append(roles, "Auditor")
		}
		if i%10 == 0 {
			roles = append(roles, "Admin")
		}
		users[i] = target.User{ExternalID: fmt.Sprintf("00u%05d", i), Login: email, Email: email, FirstName: "F", LastName: "L", Roles: roles}
	}
	return users
}

// firstSync creates every user of want through the Target interface and
// returns the requests it took.
func firstSync(ctx context.Context, tb testing.TB, c *scim.Client, batched bool, want []target.User) int64 {
	tb.Helper()
	start := c.Requests()
	if batched {
		if err := c.Begin(ctx); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := c.ListUsers(ctx); err != nil {
		tb.Fatal(err)
	}
	for _, u := range want {
		if _, err := c.CreateUser(ctx, u); err != nil {
			tb.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return c.Requests() - start
}

// TestRequestFigures2000 counts the SCIM requests of a first sync of a
// 2,000-user org and of a no-change rerun, with pages of 100.
func TestRequestFigures2000(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 users")
	}
	const n = 2000
	want := orgOf(n)
	grants := 0
	for _, u := range want {
		grants += len(u.Roles)
	}
	tests := []struct {
		name        string
		mode        string
		batched     bool
		first       int64
		rerunReads  int64
		rerunWrites int64
	}{
		// Config + empty Users + empty Groups, one POST per user, a POST
		// per group for its first member and a PATCH per later grant.
		{"groups, unbatched", scim.RoleModeGroups, false, 3 + n + int64(grants), 1 + n/100 + 1, 0},
		// Config + empty reads, one POST per user, one POST per group.
		{"groups, batched", scim.RoleModeGroups, true, 3 + n + 3, 1 + n/100 + 1, 0},
		// Config + empty Users, one POST per user carrying its roles.
		{"attribute", scim.RoleModeAttribute, false, 2 + n, 1 + n/100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			srv.SetGroupPatchNoContent(true)
			c, _ := srv.client(scim.Options{RoleMode: tt.mode})
			first := firstSync(ctx, t, c, tt.batched, want)

			rerun, _ := srv.client(scim.Options{RoleMode: tt.mode})
			if tt.batched {
				if err := rerun.Begin(ctx); err != nil {
					t.Fatal(err)
				}
			}
			users, err := rerun.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(users) != n {
				t.Fatalf("read %d users, want %d", len(users), n)
			}
			for i, u := range users {
				if err := rerun.SetRoles(ctx, u.ID, want[i].Roles); err != nil {
					t.Fatal(err)
				}
			}
			if err := rerun.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: first sync of %d users: %d requests (%d writes); no-change rerun: %d requests, %d writes",
				tt.name, n, first, c.Writes(), rerun.Requests(), rerun.Writes())
			if first != tt.first || rerun.Requests() != tt.rerunReads || rerun.Writes() != tt.rerunWrites {
				t.Fatalf("requests: first %d, rerun %d (%d writes); want %d, %d (%d)",
					first, rerun.Requests(), rerun.Writes(), tt.first, tt.rerunReads, tt.rerunWrites)
			}
		})
	}
}

func BenchmarkFirstSync500(b *testing.B) {
	for _, batched := range []bool{false, true} {
		b.Run(fmt.Sprintf("groups batched=%v", batched), func(b *testing.B) {
			want := orgOf(500)
			for b.Loop() {
				b.StopTimer()
				srv := newServer(b, 100)
				c, _ := srv.client(scim.Options{})
				b.StartTimer()
				firstSync(context.Background(), b, c, batched, want)
				b.StopTimer()
				srv.Close()
				b.StartTimer()
			}
		})
	}
}

func BenchmarkListUsers2000(b *testing.B) {
	ctx := context.Background()
	srv := newServer(b, 100)
	defer srv.Close()
	c, _ := srv.client(scim.Options{})
	firstSync(ctx, b, c, true, orgOf(2000))
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.ListUsers(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
