package scim_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/local"
	"github.com/rolesync/rolesync/internal/target/scim"
)

// summary is what a target holds, without its own ids, one line per user.
func summary(t *testing.T, tg target.Target) []string {
	t.Helper()
	users, err := tg.ListUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range users {
		out = append(out, fmt.Sprintf("%s|%s|%s %s|ext=%s|active=%v|%s",
			u.Login, u.Email, u.FirstName, u.LastName, u.ExternalID, u.Active, strings.Join(u.Roles, ",")))
	}
	slices.Sort(out)
	return out
}

func TestSameOrgSameResultAsLocalTarget(t *testing.T) {
	ctx := context.Background()
	dir, err := local.Open(ctx, filepath.Join(t.TempDir(), "directory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dir.Close() })
	for _, role := range []string{"Admin", "Auditor", "Viewer"} {
		if err := dir.AddRole(ctx, role); err != nil {
			t.Fatal(err)
		}
	}
	later := org()
	later[0].Roles = []string{"Auditor"}
	later = later[:2]
	runs := [][]target.User{org(), later, later}
	for _, run := range runs {
		if err := syncOnce(ctx, t, dir, run); err != nil {
			t.Fatalf("local sync: %v", err)
		}
	}
	want := summary(t, dir)
	if len(want) != 3 || !strings.Contains(want[2], "cy@example.com") || !strings.HasSuffix(want[2], "active=false|") {
		t.Fatalf("local target holds %q, want three users with cy revoked", want)
	}

	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			srv := newServer(t, 2)
			c, _ := srv.client(scim.Options{RoleMode: mode})
			for _, run := range runs {
				if err := c.Begin(ctx); err != nil {
					t.Fatal(err)
				}
				if err := syncOnce(ctx, t, c, run); err != nil {
					t.Fatalf("scim sync: %v", err)
				}
			}
			if got := summary(t, c); !slices.Equal(got, want) {
				t.Fatalf("SCIM target holds\n%s\nlocal target holds\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
