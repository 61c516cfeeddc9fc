package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// importSCIMConfig imports a configuration syncing sim to the SCIM provider
// srv in role mode mode, trusting srv's certificate through target.ca_file,
// and stores both tokens in the keyring.
func (h *harness) importSCIMConfig(sim *oktasim.Server, srv *scimtest.Server, mode, caFile string) {
	h.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "okta:\n  domain: %s\n  auth: api_token\n  ca_file: %s\nsync:\n  interval: 15m\n", sim.URL(), sim.CAFile())
	fmt.Fprintf(&b, "target:\n  kind: scim\n  base_url: %s\n  role_mode: %s\n  ca_file: %q\nmappings:\n", srv.BaseURL(), mode, caFile)
	names := make([]string, 0, len(testMappings))
	for g := range testMappings {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		fmt.Fprintf(&b, "  - group: %s\n    roles: [%s]\n", g, strings.Join(testMappings[g], ", "))
	}
	b.WriteString("safety:\n  max_revocations: 1000\n  max_revocation_percent: 100\n")
	path := filepath.Join(h.t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.mustRun("", "config", "import", path)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	h.mustRun(scimtest.Token+"\n", "secrets", "set", "scim-token")
}

// startSCIM starts a SCIM provider with pages of 100 and writes its CA file.
func startSCIM(t *testing.T) (*scimtest.Server, string) {
	t.Helper()
	srv := scimtest.Start(t, scimtest.Options{MaxResults: 100})
	caFile, err := srv.WriteCAFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return srv, caFile
}

// portalUser is what a target holds for one user, by Okta id.
type portalUser struct {
	Login  string
	Active bool
	Roles  string // sorted, comma-separated
}

// scimUsers reads the provider's own store, not through rolesync's client:
// users by externalId, with their roles from group membership (groups mode)
// or the roles attribute (attribute mode).
func scimUsers(t *testing.T, srv *scimtest.Server, mode string) map[string]portalUser {
	t.Helper()
	byID := map[string][]string{}
	groups := srv.Groups()
	for _, g := range groups {
		members, _ := g.Attrs["members"].([]any)
		for _, m := range members {
			id, _ := m.(map[string]any)["value"].(string)
			byID[id] = append(byID[id], fmt.Sprint(g.Attrs["displayName"]))
		}
	}
	if mode == scim.RoleModeAttribute && len(groups) != 0 {
		t.Errorf("attribute mode created %d SCIM groups, want none", len(groups))
	}
	out := map[string]portalUser{}
	for _, u := range srv.Users() {
		ext, _ := u.Attrs["externalId"].(string)
		if ext == "" {
			t.Fatalf("SCIM user %s has no externalId: %v", u.ID, u.Attrs)
		}
		active, ok := u.Attrs["active"].(bool)
		if !ok {
			t.Errorf("SCIM user %s has no active attribute: %v", u.ID, u.Attrs)
		}
		roles := byID[u.ID]
		attrRoles, _ := u.Attrs["roles"].([]any)
		if mode == scim.RoleModeGroups && len(attrRoles) != 0 {
			t.Errorf("groups mode set the roles attribute of %s: %v", u.ID, attrRoles)
		}
		for _, r := range attrRoles {
			roles = append(roles, fmt.Sprint(r.(map[string]any)["value"]))
		}
		slices.Sort(roles)
		out[ext] = portalUser{Login: fmt.Sprint(u.Attrs["userName"]), Active: active, Roles: strings.Join(roles, ",")}
	}
	return out
}

// localUsers is the local directory in the same form.
func (h *harness) localUsers() map[string]portalUser {
	h.t.Helper()
	_, all := h.directory()
	out := map[string]portalUser{}
	for _, u := range all {
		out[u.OktaID] = portalUser{Login: u.Login, Active: u.Active, Roles: strings.Join(u.Roles, ",")}
	}
	return out
}

// withRoles returns the active users holding roles, as sameRoles takes them.
func withRoles(users map[string]portalUser) map[string][]string {
	out := map[string][]string{}
	for id, u := range users {
		if u.Active && u.Roles != "" {
			out[id] = strings.Split(u.Roles, ",")
		}
	}
	return out
}

func samePortal(t *testing.T, scimSide, local map[string]portalUser) {
	t.Helper()
	if len(scimSide) != len(local) {
		t.Errorf("the SCIM provider holds %d users, the local directory %d", len(scimSide), len(local))
	}
	diffs := 0
	for id, want := range local {
		if got := scimSide[id]; got != want && diffs < 5 {
			diffs++
			t.Errorf("user %s: SCIM %+v, local %+v", id, got, want)
		}
	}
}

// soleAuditor returns a Security member whose only role is Auditor.
func soleAuditor(t *testing.T, sim *oktasim.Server, want map[string][]string) (groupID, userID string) {
	t.Helper()
	org := sim.Org()
	sec, _ := org.GroupByName("Security")
	for _, id := range org.Members(sec.ID) {
		if strings.Join(want[id], ",") == "Auditor" {
			return sec.ID, id
		}
	}
	t.Fatal("no Security member with only the Auditor role in the simulated org")
	return "", ""
}

// mustSync runs `sync --once --json` and wants it to succeed.
func (h *harness) mustSync(what string) syncResult {
	h.t.Helper()
	code, res, errs := h.syncJSON()
	if code != 0 || res.Status != "succeeded" {
		h.t.Fatalf("%s: exit %d, %+v, %s", what, code, res, errs)
	}
	return res
}

// countRequests returns the requests and writes in log.
func countRequests(log []string) (requests, writes int) {
	for _, r := range log {
		if !strings.HasPrefix(r, "GET ") {
			writes++
		}
	}
	return len(log), writes
}

func TestSyncToSCIMEndToEnd(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			sim := startSim(t, 2000, 200)
			srv, caFile := startSCIM(t)
			h := newHarness(t)
			h.importSCIMConfig(sim, srv, mode, caFile)
			local := newHarness(t)
			local.importConfig(sim)
			local.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")

			srv.Log()
			res := h.mustSync("first sync")
			first := srv.Log()
			want := expected(sim)
			if res.Created != len(want) {
				t.Errorf("first sync created %d users, want %d", res.Created, len(want))
			}
			got := scimUsers(t, srv, mode)
			sameRoles(t, withRoles(got), want)
			if len(got) != len(want) {
				t.Errorf("the SCIM provider holds %d users, want %d", len(got), len(want))
			}
			local.mustSync("local sync")
			samePortal(t, got, local.localUsers())

			groupID, leaver := soleAuditor(t, sim, want)
			adminDelete(t, sim, groupID, leaver)
			if res = h.mustSync("sync after a removal"); res.Revoked == 0 {
				t.Fatalf("sync after a removal revoked nothing: %+v", res)
			}
			got = scimUsers(t, srv, mode)
			if u := got[leaver]; u.Active || u.Roles != "" || u.Login == "" {
				t.Errorf("the removed member at the SCIM provider: %+v, want present, inactive and without roles", u)
			}
			sameRoles(t, withRoles(got), expected(sim))
			local.mustSync("local sync after a removal")
			samePortal(t, got, local.localUsers())

			srv.Log()
			res = h.mustSync("no-change rerun")
			rerun := srv.Log()
			if res.Created+res.Granted+res.Revoked != 0 {
				t.Errorf("no-change rerun changed users: %+v", res)
			}
			firstN, firstW := countRequests(first)
			rerunN, rerunW := countRequests(rerun)
			t.Logf("%s mode, %d users granted roles: first sync %d SCIM requests (%d writes); no-change rerun %d requests (%d writes)",
				mode, len(want), firstN, firstW, rerunN, rerunW)
			if rerunW != 0 {
				t.Errorf("the no-change rerun made %d SCIM writes: %v", rerunW, rerun)
			}
			// The rerun reads the provider's configuration, the users in
			// pages of 100 and, in groups mode, the three groups in one page.
			wantReads := 1 + (len(got)+99)/100
			if mode == scim.RoleModeGroups {
				wantReads++
			}
			if rerunN != wantReads {
				t.Errorf("the rerun sent %d requests, want %d: %v", rerunN, wantReads, rerun)
			}
			if firstW < len(want) {
				t.Errorf("the first sync made %d writes for %d users", firstW, len(want))
			}
		})
	}
}

// TestSCIMFirstSyncIsBatched checks that in groups mode the engine batches
// membership changes: one POST per user and one request per role carrying
// all its members, then nothing on a rerun. (In attribute mode a user's
// roles travel with the user.)
func TestSCIMFirstSyncIsBatched(t *testing.T) {
	if testing.Short() {
		t.Skip("a 2,000-user sync")
	}
	sim := startSim(t, 2000, 200)
	srv, ca := startSCIM(t)
	h := newHarness(t)
	h.importSCIMConfig(sim, srv, scim.RoleModeGroups, ca)

	h.mustSync("sync")
	firstN, firstW := countRequests(srv.Log())
	h.mustSync("sync")
	rerunN, rerunW := countRequests(srv.Log())
	t.Logf("groups mode: first sync %d SCIM requests (%d writes); no-change rerun %d (%d writes)", firstN, firstW, rerunN, rerunW)

	want := expected(sim)
	sameRoles(t, withRoles(scimUsers(t, srv, scim.RoleModeGroups)), want)
	roles := map[string]bool{}
	for _, rs := range testMappings {
		for _, r := range rs {
			roles[r] = true
		}
	}
	if firstW != len(want)+len(roles) {
		t.Errorf("the first sync made %d writes, want %d users + %d groups", firstW, len(want), len(roles))
	}
	if rerunW != 0 {
		t.Errorf("the rerun made %d writes", rerunW)
	}
}

func TestSCIMFailuresAreRecordedAndTheNextRunConverges(t *testing.T) {
	tests := []struct {
		name  string
		setup func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string)
		want  string // in the run's error
		fixed func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string)
		// missing, when set, is how many users the run must have left
		// out, and no other; their changes are not recorded, the others'
		// are.
		missing int
	}{
		{
			name: "certificate not trusted without ca_file",
			setup: func(h *harness, sim *oktasim.Server, srv *scimtest.Server, _ string) {
				h.importSCIMConfig(sim, srv, scim.RoleModeGroups, "")
			},
			want: "set target.ca_file",
			fixed: func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string) {
				h.importSCIMConfig(sim, srv, scim.RoleModeGroups, caFile)
			},
		},
		{
			name: "wrong SCIM token",
			setup: func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string) {
				h.importSCIMConfig(sim, srv, scim.RoleModeGroups, caFile)
				h.mustRun("wrong-scim-token\n", "secrets", "set", "scim-token")
			},
			want: "401",
			fixed: func(h *harness, _ *oktasim.Server, _ *scimtest.Server, _ string) {
				h.mustRun(scimtest.Token+"\n", "secrets", "set", "scim-token")
			},
		},
		{
			name: "500 on the fifth user",
			setup: func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string) {
				h.importSCIMConfig(sim, srv, scim.RoleModeGroups, caFile)
				var posts atomic.Int32
				srv.SetFault(func(r *http.Request) (int, http.Header, string, bool) {
					if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Users") {
						return 0, nil, "", false
					}
					return 500, nil, `{"status":"500","detail":"database unavailable"}`, posts.Add(1) == 5
				})
			},
			want:  "database unavailable",
			fixed: func(_ *harness, _ *oktasim.Server, srv *scimtest.Server, _ string) { srv.SetFault(nil) },
		},
		{
			name: "two operations of a Bulk request refused",
			setup: func(h *harness, sim *oktasim.Server, srv *scimtest.Server, caFile string) {
				h.importSCIMConfig(sim, srv, scim.RoleModeGroups, caFile)
				srv.SetBulk(true)
				srv.SetBulkLimits(25, 0)
				var posts atomic.Int32
				srv.SetBulkFault(func(op scimtest.BulkOperation) (int, string, bool) {
					if op.Method != http.MethodPost || op.Path != "/Users" {
						return 0, "", false
					}
					n := posts.Add(1)
					return http.StatusBadRequest, "userName refused by the portal", n == 5 || n == 40
				})
			},
			want:    "HTTP 400 Bad Request: userName refused by the portal",
			fixed:   func(_ *harness, _ *oktasim.Server, srv *scimtest.Server, _ string) { srv.SetBulkFault(nil) },
			missing: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := startSim(t, 200, 20)
			srv, caFile := startSCIM(t)
			h := newHarness(t)
			tt.setup(h, sim, srv, caFile)

			code, res, errs := h.syncJSON()
			if code == 0 || res.Status != "failed" || !strings.Contains(res.Error, tt.want) {
				t.Fatalf("sync: exit %d, %+v; want a failed run whose error says %q", code, res, tt.want)
			}
			if strings.Contains(errs+res.Error, scimtest.Token) || strings.Contains(errs+res.Error, "wrong-scim-token") {
				t.Error("a SCIM token was printed")
			}
			// What the run reports as done is what the provider holds.
			got := scimUsers(t, srv, scim.RoleModeGroups)
			if len(got) != res.Created {
				t.Errorf("the failed run reports %d users created, the provider holds %d", res.Created, len(got))
			}
			want := expected(sim)
			for id, u := range got {
				if u.Roles != strings.Join(want[id], ",") || !u.Active {
					t.Errorf("user %s at the provider: %+v, want active with %v", id, u, want[id])
				}
			}
			var runs []historyRun
			if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs); err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].Status != "failed" || runs[0].Error == "" || runs[0].Created != res.Created {
				t.Errorf("history: %+v, want one failed run with its error and %d created", runs, res.Created)
			}
			if tt.missing > 0 {
				recordedMatchesProvider(t, h, runs[0].RunID, got)
				if len(want)-len(got) != tt.missing {
					t.Errorf("the provider holds %d of %d users, want all but %d", len(got), len(want), tt.missing)
				}
			}

			tt.fixed(h, sim, srv, caFile)
			h.mustSync("the next sync")
			got = scimUsers(t, srv, scim.RoleModeGroups)
			sameRoles(t, withRoles(got), want)
			if len(got) != len(want) {
				t.Errorf("the provider holds %d users, want %d", len(got), len(want))
			}
		})
	}
}

// recordedMatchesProvider checks that the run's recorded creations and
// grants are exactly the provider's users and roles.
func recordedMatchesProvider(t *testing.T, h *harness, runID int64, provider map[string]portalUser) {
	t.Helper()
	changes, err := h.openStore().Changes(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string][]string{} // Okta id: roles granted
	for _, c := range changes {
		switch c.Action {
		case "create":
			recorded[c.OktaID] = recorded[c.OktaID][:0:0]
		case "grant":
			recorded[c.OktaID] = append(recorded[c.OktaID], c.Role)
		}
	}
	if len(recorded) != len(provider) {
		t.Fatalf("%d users recorded as created, the provider holds %d", len(recorded), len(provider))
	}
	for id, roles := range recorded {
		slices.Sort(roles)
		if p, ok := provider[id]; !ok || p.Roles != strings.Join(roles, ",") {
			t.Fatalf("user %s: recorded roles %v, the provider holds %+v (found %v)", id, roles, p, ok)
		}
	}
}
