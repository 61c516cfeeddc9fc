package scim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts scim.Options
		want string
	}{
		{"plain http", scim.Options{BaseURL: "http://portal.example.com/scim/v2", Token: "x"}, "must use https://"},
		{"empty base url", scim.Options{Token: "x"}, "base_url is empty"},
		{"no host", scim.Options{BaseURL: "https:///scim", Token: "x"}, "has no host"},
		{"no token", scim.Options{BaseURL: "https://portal.example.com/scim/v2"}, "rolesync secrets set scim-token"},
		{"bad role mode", scim.Options{BaseURL: "https://p.example.com", Token: "x", RoleMode: "both"}, `role_mode "both" is not supported`},
		{"bad profile", scim.Options{BaseURL: "https://p.example.com", Token: "x", Profile: "okta"}, `profile "okta" is not supported`},
		{"threatlocker attribute mode", scim.Options{BaseURL: "https://p.example.com", Token: "x", Profile: "threatlocker", RoleMode: "attribute"}, "set role_mode to \"groups\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scim.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New() error = %v, want it to contain %q", err, tt.want)
			}
			if tt.opts.Token != "" && strings.Contains(err.Error(), tt.opts.Token+" ") {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

func TestFilterQuotesAndEscapes(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"plain", "ann@example.com", `userName eq "ann@example.com"`},
		{"quote", `a"b`, `userName eq "a\"b"`},
		{"backslash", `a\b`, `userName eq "a\\b"`},
		{"html characters kept", "a<b>&c", `userName eq "a<b>&c"`},
		{"control character", "a\tb", `userName eq "a\tb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scim.Filter("userName", tt.value); got != tt.want {
				t.Fatalf("Filter() = %s, want %s", got, tt.want)
			}
		})
	}
}

// org is the desired state of a small simulated org.
func org() []target.User {
	return []target.User{
		{ExternalID: "00u1", Login: "ann@example.com", Email: "ann@example.com", FirstName: "Ann", LastName: "Lee", Roles: []string{"Admin", "Viewer"}},
		{ExternalID: "00u2", Login: "bob@example.com", Email: "bob@example.com", FirstName: "Bob", LastName: "Ng", Roles: []string{"Viewer"}},
		{ExternalID: "00u3", Login: "cy@example.com", Email: "cy@example.com", FirstName: "Cy", LastName: "Ode", Roles: []string{"Auditor"}},
	}
}

// syncOnce plays one engine run: read the target, create the missing users,
// update profiles, set every user's roles (even unchanged ones) and revoke
// users no longer wanted.
func syncOnce(ctx context.Context, t *testing.T, c target.Target, want []target.User) error {
	t.Helper()
	have, err := c.ListUsers(ctx)
	if err != nil {
		return err
	}
	byLogin := map[string]target.User{}
	for _, u := range have {
		byLogin[u.Login] = u
	}
	wanted := map[string]bool{}
	for _, u := range want {
		wanted[u.Login] = true
		cur, ok := byLogin[u.Login]
		if !ok {
			if _, err := c.CreateUser(ctx, u); err != nil {
				return err
			}
			continue
		}
		u.ID = cur.ID
		if err := c.UpdateProfile(ctx, u); err != nil {
			return err
		}
		if err := c.SetRoles(ctx, cur.ID, u.Roles); err != nil {
			return err
		}
	}
	for _, u := range have {
		if !wanted[u.Login] {
			if err := c.RevokeAll(ctx, u.ID); err != nil {
				return err
			}
		}
	}
	if f, ok := c.(interface{ Flush(context.Context) error }); ok {
		return f.Flush(ctx)
	}
	return nil
}

func usersByLogin(t *testing.T, c *scim.Client) map[string]target.User {
	t.Helper()
	users, err := c.ListUsers(context.Background())
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	out := map[string]target.User{}
	for _, u := range users {
		out[u.Login] = u
	}
	return out
}

func checkUser(t *testing.T, got target.User, active bool, roles ...string) {
	t.Helper()
	if got.Active != active || !slices.Equal(got.Roles, roles) {
		t.Fatalf("user %s: active=%v roles=%v, want active=%v roles=%v", got.Login, got.Active, got.Roles, active, roles)
	}
}

func TestSyncRevokeAndRerun(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		for _, batched := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s batched=%v", mode, batched), func(t *testing.T) {
				ctx := context.Background()
				srv := newServer(t, 2)
				c, _ := srv.client(scim.Options{RoleMode: mode})
				run := func(want []target.User) {
					t.Helper()
					if batched {
						if err := c.Begin(ctx); err != nil {
							t.Fatal(err)
						}
					}
					if err := syncOnce(ctx, t, c, want); err != nil {
						t.Fatalf("sync: %v", err)
					}
				}
				run(org())
				got := usersByLogin(t, c)
				if len(got) != 3 {
					t.Fatalf("got %d users, want 3", len(got))
				}
				checkUser(t, got["ann@example.com"], true, "Admin", "Viewer")
				checkUser(t, got["bob@example.com"], true, "Viewer")
				ann := got["ann@example.com"]
				if ann.ExternalID != "00u1" || ann.FirstName != "Ann" || ann.LastName != "Lee" || ann.Email != "ann@example.com" {
					t.Fatalf("ann's profile = %+v", ann)
				}
				roles, err := c.ListRoles(ctx)
				if err != nil || !slices.Equal(roles, []string{"Admin", "Auditor", "Viewer"}) {
					t.Fatalf("ListRoles() = %v, %v", roles, err)
				}

				// Bob leaves; Ann loses Admin; Cy changes name.
				next := org()
				next[0].Roles = []string{"Viewer"}
				next[2].LastName = "Odell"
				next = slices.Delete(next, 1, 2)
				run(next)
				got = usersByLogin(t, c)
				checkUser(t, got["ann@example.com"], true, "Viewer")
				checkUser(t, got["bob@example.com"], false)
				checkUser(t, got["cy@example.com"], true, "Auditor")
				if got["cy@example.com"].LastName != "Odell" {
					t.Fatalf("cy's last name = %q", got["cy@example.com"].LastName)
				}
				if a := srv.UserAttrs("bob@example.com"); a["active"] != false {
					t.Fatalf("bob at the provider: active = %v, want false", a["active"])
				}

				// A rerun with no change writes nothing, also from a new client.
				before := srv.Writes()
				run(next)
				fresh, _ := srv.client(scim.Options{RoleMode: mode})
				c = fresh
				run(next)
				if n := srv.Writes() - before; n != 0 {
					t.Fatalf("no-change reruns made %d writes, want 0", n)
				}

				// Bob comes back: SetRoles reactivates him.
				run(org())
				got = usersByLogin(t, c)
				checkUser(t, got["bob@example.com"], true, "Viewer")
			})
		}
	}
}

func TestBatchSendsOnePatchPerGroup(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{})
	if err := syncOnce(ctx, t, c, org()); err != nil {
		t.Fatal(err)
	}
	// Give everyone Auditor and take Viewer away, in one batch.
	next := org()
	for i := range next {
		next[i].Roles = []string{"Auditor"}
	}
	srv.Log()
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	if err := syncOnce(ctx, t, c, next); err != nil {
		t.Fatal(err)
	}
	var patches []string
	for _, r := range srv.Log() {
		if strings.HasPrefix(r, "PATCH ") {
			patches = append(patches, r)
		}
	}
	// Admin (remove Ann), Auditor (add Ann, Bob), Viewer (remove Ann, Bob).
	if len(patches) != 3 {
		t.Fatalf("PATCH requests = %v, want one per changed group (3)", patches)
	}
	got := usersByLogin(t, c)
	for _, login := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		checkUser(t, got[login], true, "Auditor")
	}
}

func TestPagingReadsEveryPage(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 2)
	c, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute})
	for i := range 5 {
		email := fmt.Sprintf("u%d@example.com", i)
		if _, err := c.CreateUser(ctx, target.User{Login: email, Email: email}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Log()
	other, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute})
	users, err := other.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 5 {
		t.Fatalf("ListUsers returned %d users, want 5", len(users))
	}
	// ServiceProviderConfig, then pages of 2: 1-2, 3-4, 5.
	want := []string{"GET /ServiceProviderConfig", "GET /Users", "GET /Users", "GET /Users"}
	if got := srv.Log(); !slices.Equal(got, want) {
		t.Fatalf("requests = %v, want %v", got, want)
	}
}

func TestThreatLockerProfileSendsOnlyNames(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{Profile: scim.ProfileThreatLocker})
	if err := syncOnce(ctx, t, c, org()); err != nil {
		t.Fatal(err)
	}
	attrs := srv.UserAttrs("ann@example.com")
	for _, k := range []string{"emails", "active", "externalId", "roles"} {
		if _, ok := attrs[k]; ok {
			t.Errorf("threatlocker profile sent %q: %v", k, attrs)
		}
	}
	name, _ := attrs["name"].(map[string]interface{})
	if attrs["userName"] != "ann@example.com" || name["givenName"] != "Ann" || name["familyName"] != "Lee" {
		t.Fatalf("stored user = %v", attrs)
	}
	got := usersByLogin(t, c)
	checkUser(t, got["ann@example.com"], true, "Admin", "Viewer")
	if err := c.RevokeAll(ctx, got["ann@example.com"].ID); err != nil {
		t.Fatal(err)
	}
	got = usersByLogin(t, c)
	checkUser(t, got["ann@example.com"], false)
}

func TestThreatLockerSAML(t *testing.T) {
	tests := []struct {
		name, instance, wantURL, wantErr string
	}{
		{"one letter", "d", "https://portalapi.d.threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService", ""},
		{"letters and digits", "g2", "https://portalapi.g2.threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService", ""},
		{"surrounding space", " d ", "https://portalapi.d.threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService", ""},
		{"empty", "", "", "instance is empty"},
		{"with parentheses", "(d)", "", "is malformed"},
		{"a dot", "d.evil", "", "is malformed"},
		{"a slash", "d/x", "", "is malformed"},
		{"non-ascii letter", "é", "", "is malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sso, aud, err := scim.ThreatLockerSAML(tt.instance)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || sso != tt.wantURL || aud != "https://threatlocker.com" {
				t.Fatalf("ThreatLockerSAML(%q) = %q, %q, %v", tt.instance, sso, aud, err)
			}
		})
	}
}
