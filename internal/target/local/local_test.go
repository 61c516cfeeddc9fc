package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
)

func open(t *testing.T, roles ...string) *Directory {
	t.Helper()
	d, err := Open(context.Background(), filepath.Join(t.TempDir(), "directory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for _, r := range roles {
		if err := d.AddRole(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestOpenRejectsEmptyPath(t *testing.T) {
	_, err := Open(context.Background(), " ")
	if err == nil || !strings.Contains(err.Error(), "empty path") {
		t.Fatalf("Open(\" \") error = %v, want one about the empty path", err)
	}
}

func TestOpenRejectsQueryCharacters(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "a?b.db"))
	if err == nil || !strings.Contains(err.Error(), "contains '?'") {
		t.Fatalf("Open(a?b.db) = %v", err)
	}
}

func TestOpenCreatesOwnerOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("directory file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestOpenPersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	d, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddRole(ctx, "Auditor"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.CreateUser(ctx, target.User{Login: "a@x", Roles: []string{"Auditor"}}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	users, err := d.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || !slices.Equal(users[0].Roles, []string{"Auditor"}) {
		t.Fatalf("after reopen users = %+v", users)
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	d := open(t)
	for _, r := range []string{"Read Only", "Administrator", "Read Only", " Auditor "} {
		if err := d.AddRole(ctx, r); err != nil {
			t.Fatalf("AddRole(%q): %v", r, err)
		}
	}
	got, err := d.ListRoles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Administrator", "Auditor", "Read Only"}; !slices.Equal(got, want) {
		t.Fatalf("ListRoles = %q, want %q", got, want)
	}
	t.Run("empty name", func(t *testing.T) {
		if err := d.AddRole(ctx, "  "); err == nil || !strings.Contains(err.Error(), "empty name") {
			t.Fatalf("AddRole(empty) = %v", err)
		}
	})
	t.Run("remove unknown", func(t *testing.T) {
		if err := d.RemoveRole(ctx, "Nope"); !errors.Is(err, target.ErrNotFound) {
			t.Fatalf("RemoveRole(Nope) = %v, want ErrNotFound", err)
		}
	})
	t.Run("remove held", func(t *testing.T) {
		if _, err := d.CreateUser(ctx, target.User{Login: "u", Roles: []string{"Auditor"}}); err != nil {
			t.Fatal(err)
		}
		err := d.RemoveRole(ctx, "Auditor")
		if err == nil || !strings.Contains(err.Error(), "1 user(s) still hold it") {
			t.Fatalf("RemoveRole(held) = %v", err)
		}
	})
	t.Run("remove free", func(t *testing.T) {
		if err := d.RemoveRole(ctx, "Read Only"); err != nil {
			t.Fatal(err)
		}
		got, _ := d.ListRoles(ctx)
		if want := []string{"Administrator", "Auditor"}; !slices.Equal(got, want) {
			t.Fatalf("after remove ListRoles = %q, want %q", got, want)
		}
	})
}

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	d := open(t, "Administrator", "Read Only")
	first, err := d.CreateUser(ctx, target.User{ExternalID: "00u1", Login: "ann@example.com", Email: "ann@example.com",
		FirstName: "Ann", LastName: "Lee", Roles: []string{"Read Only", "Administrator", "Read Only"}})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID == "" || !first.Active || !slices.Equal(first.Roles, []string{"Administrator", "Read Only"}) {
		t.Fatalf("CreateUser returned %+v", first)
	}
	got, err := d.User(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ExternalID != "00u1" || got.FirstName != "Ann" || got.LastName != "Lee" || !got.Active ||
		!slices.Equal(got.Roles, []string{"Administrator", "Read Only"}) {
		t.Fatalf("User() = %+v", got)
	}
	tests := []struct {
		name string
		u    target.User
		want string
		is   error
	}{
		{"unknown role", target.User{Login: "b", Roles: []string{"Owner"}}, `rolesync roles add "Owner"`, target.ErrUnknownRole},
		{"empty login", target.User{Login: " "}, "empty login", nil},
		{"duplicate login, other case", target.User{Login: "ANN@example.com"}, "already taken", nil},
		{"duplicate external id", target.User{Login: "c", ExternalID: "00u1"}, "already matched", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.CreateUser(ctx, tc.u)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CreateUser(%+v) = %v, want error containing %q", tc.u, err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v is not %v", err, tc.is)
			}
		})
	}
	users, _ := d.ListUsers(ctx)
	if len(users) != 1 {
		t.Fatalf("failed creates left users behind: %+v", users)
	}
	t.Run("by hand without external id, twice", func(t *testing.T) {
		for _, login := range []string{"admin1", "admin2"} {
			u, err := d.AddUser(ctx, target.User{Login: login, Roles: []string{"Administrator"}})
			if err != nil {
				t.Fatal(err)
			}
			if u.ExternalID != "" {
				t.Fatalf("hand-made user has external id %q", u.ExternalID)
			}
		}
	})
}

func TestListUsers(t *testing.T) {
	ctx := context.Background()
	d := open(t, "A", "B")
	if users, err := d.ListUsers(ctx); err != nil || len(users) != 0 {
		t.Fatalf("empty directory ListUsers = %v, %v", users, err)
	}
	mk := func(login string, roles ...string) string {
		u, err := d.CreateUser(ctx, target.User{Login: login, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	mk("zed", "B", "A")
	id := mk("amy")
	mk("max", "A")
	if err := d.RevokeAll(ctx, id); err != nil {
		t.Fatal(err)
	}
	users, err := d.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.Login+":"+strings.Join(u.Roles, ",")+":"+map[bool]string{true: "on", false: "off"}[u.Active])
	}
	if want := []string{"amy::off", "max:A:on", "zed:A,B:on"}; !slices.Equal(got, want) {
		t.Fatalf("ListUsers = %q, want %q", got, want)
	}
}

func TestUpdateProfile(t *testing.T) {
	ctx := context.Background()
	d := open(t, "A")
	u, _ := d.CreateUser(ctx, target.User{Login: "old@x", Email: "old@x", Roles: []string{"A"}})
	other, _ := d.CreateUser(ctx, target.User{Login: "other", ExternalID: "00u9"})
	u.Login, u.Email, u.FirstName, u.ExternalID = "new@x", "new@x", "New", "00u2"
	if err := d.UpdateProfile(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, _ := d.User(ctx, u.ID)
	if got.Login != "new@x" || got.Email != "new@x" || got.FirstName != "New" || got.ExternalID != "00u2" ||
		!slices.Equal(got.Roles, []string{"A"}) {
		t.Fatalf("after UpdateProfile user = %+v (roles must stay)", got)
	}
	tests := []struct {
		name string
		u    target.User
		want string
		is   error
	}{
		{"missing user", target.User{ID: "999", Login: "x"}, "not found", target.ErrNotFound},
		{"bad id", target.User{ID: "abc", Login: "x"}, "positive integers", target.ErrNotFound},
		{"login taken", target.User{ID: u.ID, Login: "OTHER"}, "already taken", nil},
		{"external id taken", target.User{ID: u.ID, Login: "new@x", ExternalID: "00u9"}, "already matched", nil},
		{"empty login", target.User{ID: other.ID}, "empty login", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.UpdateProfile(ctx, tc.u)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UpdateProfile = %v, want %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("error %v is not %v", err, tc.is)
			}
		})
	}
}

func TestSetRolesAndRevokeAll(t *testing.T) {
	ctx := context.Background()
	d := open(t, "A", "B", "C")
	u, _ := d.CreateUser(ctx, target.User{Login: "u", Roles: []string{"A"}})
	step := func(name string, f func() error, wantRoles []string, wantActive bool) {
		t.Run(name, func(t *testing.T) {
			if err := f(); err != nil {
				t.Fatal(err)
			}
			got, err := d.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Roles, wantRoles) || got.Active != wantActive {
				t.Fatalf("roles %q active %v, want %q %v", got.Roles, got.Active, wantRoles, wantActive)
			}
		})
	}
	step("replace", func() error { return d.SetRoles(ctx, u.ID, []string{"C", "B"}) }, []string{"B", "C"}, true)
	step("revoke all", func() error { return d.RevokeAll(ctx, u.ID) }, nil, false)
	step("empty set keeps disabled", func() error { return d.SetRoles(ctx, u.ID, nil) }, nil, false)
	step("grant reactivates", func() error { return d.SetRoles(ctx, u.ID, []string{"A"}) }, []string{"A"}, true)
	step("empty set keeps active", func() error { return d.SetRoles(ctx, u.ID, []string{}) }, nil, true)

	t.Run("unknown role changes nothing", func(t *testing.T) {
		_ = d.SetRoles(ctx, u.ID, []string{"A"})
		err := d.SetRoles(ctx, u.ID, []string{"B", "Ghost"})
		if !errors.Is(err, target.ErrUnknownRole) || !strings.Contains(err.Error(), `"Ghost"`) {
			t.Fatalf("SetRoles(Ghost) = %v", err)
		}
		got, _ := d.User(ctx, u.ID)
		if !slices.Equal(got.Roles, []string{"A"}) {
			t.Fatalf("roles after failed SetRoles = %q", got.Roles)
		}
	})
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"SetRoles missing", func() error { return d.SetRoles(ctx, "404", []string{"A"}) }},
		{"RevokeAll missing", func() error { return d.RevokeAll(ctx, "404") }},
		{"RevokeAll bad id", func() error { return d.RevokeAll(ctx, "") }},
		{"User missing", func() error { _, err := d.User(ctx, "404"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.f(); !errors.Is(err, target.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	d := open(t, "A")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.ListUsers(ctx); err == nil {
		t.Fatal("ListUsers with a cancelled context succeeded")
	}
	if _, err := d.CreateUser(ctx, target.User{Login: "x"}); err == nil {
		t.Fatal("CreateUser with a cancelled context succeeded")
	}
}

func TestUsersVersionChangesWithEveryWrite(t *testing.T) {
	ctx := context.Background()
	d := open(t, "Administrator", "Read Only")
	version := func() int64 {
		t.Helper()
		v, err := d.UsersVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	last := version()
	step := func(what string, write func() error) {
		t.Helper()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if v := version(); v == last {
			t.Errorf("%s left the version at %d", what, v)
		} else {
			last = v
		}
	}
	var id string
	step("create", func() error {
		u, err := d.CreateUser(ctx, target.User{Login: "ada@example.com", Email: "ada@example.com", Roles: []string{"Administrator"}})
		id = u.ID
		return err
	})
	step("set roles", func() error { return d.SetRoles(ctx, id, []string{"Read Only"}) })
	step("update profile", func() error {
		return d.UpdateProfile(ctx, target.User{ID: id, Login: "ada@example.com", Email: "ada.l@example.com"})
	})
	step("revoke all", func() error { return d.RevokeAll(ctx, id) })
	if _, err := d.ListUsers(ctx); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != last {
		t.Errorf("a read moved the version from %d to %d", last, v)
	}
}
