package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// bulkServer is a scimtest provider that offers Bulk with the limits given.
func bulkServer(t *testing.T, maxOps, maxPayload int) *server {
	t.Helper()
	s := &server{Server: scimtest.Start(t, scimtest.Options{MaxResults: 100, Bulk: true, MaxOperations: maxOps, MaxPayloadSize: maxPayload}), t: t}
	return s
}

// bulkBodies counts the POST /Bulk requests in log and the other writes.
func bulkRequests(log []string) (bulks, others int) {
	for _, r := range log {
		switch {
		case r == "POST /Bulk":
			bulks++
		case !strings.HasPrefix(r, "GET "):
			others++
		}
	}
	return bulks, others
}

func TestBulkFirstSyncAndNoChangeRun(t *testing.T) {
	const n, maxOps = 300, 50
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := bulkServer(t, maxOps, 0)
			c, _ := srv.client(scim.Options{RoleMode: mode})
			want := orgOf(n)
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			if err := syncOnce(ctx, t, c, want); err != nil {
				t.Fatal(err)
			}
			bulks, others := bulkRequests(srv.Log())
			// The creates fill n/maxOps Bulk requests, and more when the
			// calls come slowly (a Bulk request that is not full is sent
			// after a short wait); the groups' creation (groups mode) goes
			// in one more.
			if bulks < n/maxOps || bulks > n/5 || others != 0 {
				t.Fatalf("first sync: %d Bulk requests and %d other writes, want %d to %d and none", bulks, others, n/maxOps, n/5)
			}
			if got := srv.BulkOperations(); int64(got) != c.BulkOperations() || got < n {
				t.Fatalf("the provider handled %d Bulk operations, the client sent %d; want at least %d", got, c.BulkOperations(), n)
			}
			got := usersByLogin(t, c)
			if len(got) != n {
				t.Fatalf("%d users at the provider, want %d", len(got), n)
			}
			for _, u := range want {
				checkUser(t, got[u.Login], true, sorted(u.Roles)...)
			}

			rerun, _ := srv.client(scim.Options{RoleMode: mode})
			srv.Log()
			if err := rerun.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			if err := syncOnce(ctx, t, rerun, want); err != nil {
				t.Fatal(err)
			}
			if rerun.Writes() != 0 || srv.Writes() != 0 {
				t.Fatalf("the no-change run wrote: %d writes (%v)", rerun.Writes(), srv.Log())
			}
		})
	}
}

func TestBulkKeepsTheProvidersLimits(t *testing.T) {
	ctx := context.Background()
	// Small enough that a Bulk request holds a few creates only.
	srv := bulkServer(t, 7, 2048)
	c, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute})
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	want := orgOf(60)
	if err := syncOnce(ctx, t, c, want); err != nil {
		t.Fatalf("sync within maxOperations 7 and maxPayloadSize 2048: %v", err)
	}
	bulks, _ := bulkRequests(srv.Log())
	if bulks < 60/7 {
		t.Fatalf("%d Bulk requests for 60 creates, want at least %d", bulks, 60/7+1)
	}
	if got := usersByLogin(t, c); len(got) != 60 {
		t.Fatalf("%d users, want 60", len(got))
	}
}

func TestBulkFailedOperationsFailThoseChangesOnly(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := bulkServer(t, 20, 0)
			refused := map[string]bool{"user00007@example.com": true, "user00031@example.com": true, "user00032@example.com": true}
			srv.SetBulkFault(func(op scimtest.BulkOperation) (int, string, bool) {
				for name := range refused {
					if op.Method == http.MethodPost && op.Path == "/Users" && strings.Contains(string(op.Data), name) {
						return http.StatusBadRequest, "the portal refuses " + name, true
					}
				}
				return 0, "", false
			})
			c, _ := srv.client(scim.Options{RoleMode: mode})
			want := orgOf(50)
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			err := syncOnce(ctx, t, c, want)
			var fe *scim.FlushError
			if !errors.As(err, &fe) {
				t.Fatalf("sync with refused operations: %v, want a *FlushError", err)
			}
			failed := fe.FailedUsers()
			slices.Sort(failed)
			if !slices.Equal(failed, []string{"00u00007", "00u00031", "00u00032"}) || len(fe.FailedRoles()) != 0 {
				t.Fatalf("failed users %v, roles %v; want the three refused, no role", failed, fe.FailedRoles())
			}
			for name := range refused {
				if !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "the portal refuses "+name) {
					t.Fatalf("the error does not give the status and detail for %s: %v", name, err)
				}
			}
			got := usersByLogin(t, c)
			if len(got) != len(want)-len(refused) {
				t.Fatalf("%d users at the provider, want %d", len(got), len(want)-len(refused))
			}
			for _, u := range want {
				if !refused[u.Login] {
					checkUser(t, got[u.Login], true, sorted(u.Roles)...)
				}
			}
		})
	}
}

func TestBulkKeepsEachUsersChangesInOrder(t *testing.T) {
	srv := bulkServer(t, 10, 0)
	c, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute, Concurrency: 4})
	renameAndPromote(t, srv, c)
	if bulks, others := bulkRequests(srv.Log()); bulks == 0 || others != 0 {
		t.Fatalf("%d Bulk requests and %d other writes, want the writes in Bulk requests", bulks, others)
	}
}

// bulkStorm answers 429 to the first two attempts of every Bulk request.
type bulkStorm struct {
	mu    sync.Mutex
	tries int
}

func (s *bulkStorm) fault(r *http.Request) (int, http.Header, string, bool) {
	if !strings.HasSuffix(r.URL.Path, "/Bulk") {
		return 0, nil, "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if s.tries%3 != 0 {
		return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}, `{"status":"429"}`, true
	}
	return 0, nil, "", false
}

func TestA429StormOnBulkSlowsButLosesNothing(t *testing.T) {
	ctx := context.Background()
	srv := bulkServer(t, 10, 0)
	c, slept := srv.client(scim.Options{RoleMode: scim.RoleModeGroups, Concurrency: 4, MaxRetries: 5})
	st := &bulkStorm{}
	srv.Server.SetFault(st.fault)
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	want := orgOf(80)
	if err := syncOnce(ctx, t, c, want); err != nil {
		t.Fatalf("sync through the storm: %v", err)
	}
	if len(*slept) == 0 {
		t.Fatal("the client never waited")
	}
	if _, lowest := c.Concurrency(); lowest >= 4 {
		t.Fatalf("the client kept %d requests in flight through the storm, want fewer", lowest)
	}
	got := usersByLogin(t, c)
	if len(got) != len(want) {
		t.Fatalf("%d users after the storm, want %d", len(got), len(want))
	}
	for _, u := range want {
		checkUser(t, got[u.Login], true, sorted(u.Roles)...)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestBulkIDReferences checks the test server's bulkId references, which a
// group created in the same Bulk request as its members needs.
func TestBulkIDReferences(t *testing.T) {
	srv := bulkServer(t, 10, 0)
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	{"method":"POST","path":"/Users","bulkId":"ann","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com"}},
	{"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Viewer","members":[{"value":"bulkId:ann"}]}},
	{"method":"POST","path":"/Groups","bulkId":"h","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admin","members":[{"value":"bulkId:nobody"}]}}]}`
	req, err := http.NewRequest(http.MethodPost, srv.BaseURL()+"/Bulk", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	users, groups := srv.Users(), srv.Groups()
	if resp.StatusCode != http.StatusOK || len(users) != 1 || len(groups) != 1 {
		t.Fatalf("status %d, %d users, %d groups; want 200, 1, 1", resp.StatusCode, len(users), len(groups))
	}
	if got := fmt.Sprint(groups[0].Attrs["members"]); !strings.Contains(got, users[0].ID) {
		t.Fatalf("the group's members %s do not name the user %s", got, users[0].ID)
	}
}

var _ target.Target = (*scim.Client)(nil)
