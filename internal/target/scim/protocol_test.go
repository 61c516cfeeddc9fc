package scim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

func TestConflictAdoptsExistingUser(t *testing.T) {
	for _, filter := range []bool{true, false} {
		name := "with filter"
		if !filter {
			name = "without filter"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			if !filter {
				srv.SetServiceProviderConfig(map[string]any{"patch": map[string]any{"supported": true}, "filter": map[string]any{"supported": false, "maxResults": 100}})
			}
			login := `o"brien\x@example.com`
			first, _ := srv.client(scim.Options{})
			old, err := first.CreateUser(ctx, target.User{Login: login, Email: login, FirstName: "Old", Roles: []string{"Viewer"}})
			if err != nil {
				t.Fatal(err)
			}
			if err := first.RevokeAll(ctx, old.ID); err != nil {
				t.Fatal(err)
			}

			// A second client that has not seen the user creates it again.
			second, _ := srv.client(scim.Options{})
			if _, err := second.ListRoles(ctx); err != nil {
				t.Fatal(err)
			}
			got, err := second.CreateUser(ctx, target.User{Login: login, Email: login, FirstName: "Pat", LastName: "O'Brien", ExternalID: "00u9", Roles: []string{"Admin"}})
			if err != nil {
				t.Fatalf("CreateUser over an existing user: %v", err)
			}
			if got.ID != old.ID {
				t.Fatalf("adopted id = %q, want the existing %q", got.ID, old.ID)
			}
			checkUser(t, usersByLogin(t, second)[login], true, "Admin")
			u := usersByLogin(t, second)[login]
			if u.FirstName != "Pat" || u.LastName != "O'Brien" || u.ExternalID != "00u9" {
				t.Fatalf("adopted profile = %+v", u)
			}
			filters := srv.Filters()
			if filter && !slices.Contains(filters, `userName eq "o\"brien\\x@example.com"`) {
				t.Fatalf("filters sent = %q, want the escaped userName filter", filters)
			}
			if !filter && len(filters) != 0 {
				t.Fatalf("filters sent to a provider without filter support: %q", filters)
			}
		})
	}
}

func TestPutWhenPatchIsOff(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			srv.SetServiceProviderConfig(map[string]any{"patch": map[string]any{"supported": false}, "filter": map[string]any{"supported": true, "maxResults": 100}})
			srv.SetPatch(false)
			c, _ := srv.client(scim.Options{RoleMode: mode})
			if err := syncOnce(ctx, t, c, org()); err != nil {
				t.Fatal(err)
			}
			next := org()
			next[0].Roles = []string{"Auditor"}
			next[0].FirstName = "Annie"
			next = next[:2]
			if err := syncOnce(ctx, t, c, next); err != nil {
				t.Fatal(err)
			}
			got := usersByLogin(t, c)
			checkUser(t, got["ann@example.com"], true, "Auditor")
			checkUser(t, got["bob@example.com"], true, "Viewer")
			checkUser(t, got["cy@example.com"], false)
			if got["ann@example.com"].FirstName != "Annie" {
				t.Fatalf("ann's first name = %q", got["ann@example.com"].FirstName)
			}
			for _, r := range srv.Log() {
				if strings.HasPrefix(r, "PATCH") {
					t.Fatalf("sent %s to a provider without PATCH", r)
				}
			}
		})
	}
}

func TestIfMatchWhenETagsAreOffered(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			srv.SetServiceProviderConfig(map[string]any{"patch": map[string]any{"supported": true}, "etag": map[string]any{"supported": true}, "filter": map[string]any{"supported": true, "maxResults": 100}})
			srv.SetETags(true)
			c, _ := srv.client(scim.Options{RoleMode: mode})
			if err := syncOnce(ctx, t, c, org()); err != nil {
				t.Fatal(err)
			}
			// Someone else changes every resource after the client read
			// them: the versions it holds are stale, the provider answers
			// 412 and the client re-reads.
			ann := usersByLogin(t, c)["ann@example.com"]
			srv.TouchAll()
			srv.Log()
			if err := c.SetRoles(ctx, ann.ID, []string{"Auditor"}); err != nil {
				t.Fatalf("SetRoles after a concurrent change: %v", err)
			}
			log := srv.Log()
			if !slices.ContainsFunc(log, func(r string) bool { return strings.HasPrefix(r, "GET /") && r != "GET /Users" && r != "GET /Groups" }) {
				t.Fatalf("requests = %v, want a re-read after 412", log)
			}
			checkUser(t, usersByLogin(t, c)["ann@example.com"], true, "Auditor")
			ifMatch := srv.IfMatchCount()
			if ifMatch == 0 {
				t.Fatal("no write carried If-Match")
			}
		})
	}
}

func TestProviderConfigHonoursMaxResults(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 7)
	c, _ := srv.client(scim.Options{})
	spc, err := c.ProviderConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := scim.ProviderConfig{Patch: true, Filter: true, MaxResults: 7}
	if spc != want {
		t.Fatalf("ProviderConfig() = %+v, want %+v", spc, want)
	}
}

func TestAddRoleAndDeclaredRoles(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			c, _ := srv.client(scim.Options{RoleMode: mode, Roles: []string{"Helpdesk"}})
			if err := c.AddRole(ctx, " "); err == nil || !strings.Contains(err.Error(), "empty name") {
				t.Fatalf("AddRole(blank) = %v", err)
			}
			for range 2 {
				if err := c.AddRole(ctx, "Auditor"); err != nil {
					t.Fatalf("AddRole: %v", err)
				}
			}
			roles, err := c.ListRoles(ctx)
			if err != nil || !slices.Equal(roles, []string{"Auditor", "Helpdesk"}) {
				t.Fatalf("ListRoles() = %v, %v", roles, err)
			}
			groups := len(srv.Groups())
			want := 0
			if mode == scim.RoleModeGroups {
				want = 1 // Auditor, created once; Helpdesk waits for its first member
			}
			if groups != want {
				t.Fatalf("provider holds %d groups, want %d", groups, want)
			}
			// A fresh client sees the group the first one created.
			other, _ := srv.client(scim.Options{RoleMode: mode})
			roles, err = other.ListRoles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if mode == scim.RoleModeGroups && !slices.Equal(roles, []string{"Auditor"}) {
				t.Fatalf("a fresh client's ListRoles() = %v, want [Auditor]", roles)
			}
		})
	}
}

func TestNoServiceProviderConfigFallsBackToTheLeast(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 100)
	srv.SetFault(nth("GET", "/ServiceProviderConfig", 1, true, 404, nil, `{"status":"404"}`))
	srv.SetPatch(false)
	c, _ := srv.client(scim.Options{})
	if err := syncOnce(ctx, t, c, org()); err != nil {
		t.Fatal(err)
	}
	spc, err := c.ProviderConfig(ctx)
	if err != nil || spc != (scim.ProviderConfig{}) {
		t.Fatalf("ProviderConfig() = %+v, %v; want every feature off", spc, err)
	}
	next := org()
	next[1].Roles = []string{"Admin"}
	if err := syncOnce(ctx, t, c, next); err != nil {
		t.Fatal(err)
	}
	checkUser(t, usersByLogin(t, c)["bob@example.com"], true, "Admin")
	filters := srv.Filters()
	if len(filters) != 0 {
		t.Fatalf("sent filters %q to a provider that offers none", filters)
	}
}

func TestListRolesAfterListUsersReadsNoGroupsAgain(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{Roles: []string{"Helpdesk"}})
	if err := syncOnce(ctx, t, c, org()); err != nil {
		t.Fatal(err)
	}
	// Another client adds a group the first one has not seen.
	other, _ := srv.client(scim.Options{})
	if err := other.AddRole(ctx, "Operator"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		call  func() ([]string, error)
		reads int // GET /Groups requests
		want  []string
	}{
		{"ListUsers reads the groups", func() ([]string, error) { _, err := c.ListUsers(ctx); return nil, err }, 1, nil},
		{"the next ListRoles uses them", func() ([]string, error) { return c.ListRoles(ctx) }, 0, []string{"Admin", "Auditor", "Helpdesk", "Operator", "Viewer"}},
		{"a later ListRoles reads them again", func() ([]string, error) { return c.ListRoles(ctx) }, 1, []string{"Admin", "Auditor", "Helpdesk", "Operator", "Viewer"}},
	}
	for _, st := range steps {
		srv.Log()
		roles, err := st.call()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		reads := 0
		for _, r := range srv.Log() {
			if r == "GET /Groups" {
				reads++
			}
		}
		if reads != st.reads || st.want != nil && !slices.Equal(roles, st.want) {
			t.Errorf("%s: %d reads of the groups, roles %v; want %d, %v", st.name, reads, roles, st.reads, st.want)
		}
	}
	if err := other.AddRole(ctx, "Backup"); err != nil {
		t.Fatal(err)
	}
	roles, err := c.ListRoles(ctx)
	if err != nil || !slices.Contains(roles, "Backup") {
		t.Errorf("ListRoles() = %v, %v; want the group added since", roles, err)
	}
}
