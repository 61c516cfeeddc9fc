package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// TestSCIMCancelMidApply cancels a first sync to SCIM while its concurrent
// creates are on the wire, one request each or in Bulk requests (of 10
// operations, so that the cancel lands before every create is queued): the
// run finishes interrupted, its recorded changes are exactly what the
// provider holds, and the next run makes the rest.
func TestSCIMCancelMidApply(t *testing.T) {
	for _, variant := range []struct {
		mode string
		bulk bool
	}{{scim.RoleModeAttribute, false}, {scim.RoleModeGroups, false}, {scim.RoleModeAttribute, true}, {scim.RoleModeGroups, true}} {
		mode := variant.mode
		name := mode
		if variant.bulk {
			name += " bulk"
		}
		t.Run(name, func(t *testing.T) {
			sim := startSim(t, 600, 30)
			srv := scimtest.Start(t, scimtest.Options{MaxResults: 100, Latency: 2 * time.Millisecond, Bulk: variant.bulk, MaxOperations: 10})
			caFile, err := srv.WriteCAFile(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t)
			h.importSCIMConfig(sim, srv, mode, caFile)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// A Bulk request's operations pass the fault one by one.
			var posts atomic.Int32
			var once sync.Once
			srv.SetFault(func(r *http.Request) (int, http.Header, string, bool) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/Users") && posts.Add(1) == 20 {
					once.Do(cancel)
				}
				return 0, nil, "", false
			})
			code, errs := syncInterrupted(t, h, ctx)
			if code != 1 || !strings.Contains(errs, "interrupted") {
				t.Fatalf("cancelled sync: exit %d, stderr %q", code, errs)
			}
			var runs []historyRun
			if err := json.Unmarshal([]byte(h.mustRun("", "history", "--json")), &runs); err != nil {
				t.Fatal(err)
			}
			if len(runs) != 1 || runs[0].Status == "running" || runs[0].FinishedAt == nil {
				t.Fatalf("history after the cancelled sync: %+v", runs)
			}
			changes, err := h.openStore().Changes(context.Background(), runs[0].RunID)
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
			provider := scimUsers(t, srv, mode)
			if len(recorded) == 0 || len(provider) == 0 || len(provider) >= len(expected(sim)) {
				t.Fatalf("the cancel did not land mid-apply: %d recorded, %d at the provider of %d", len(recorded), len(provider), len(expected(sim)))
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
			t.Logf("%s: cancelled after %d of %d users; recorded and provider agree", mode, len(provider), len(expected(sim)))

			srv.SetFault(nil)
			h.mustSync("the next sync")
			sameRoles(t, withRoles(scimUsers(t, srv, mode)), expected(sim))
		})
	}
}
