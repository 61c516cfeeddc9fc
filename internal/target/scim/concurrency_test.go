package scim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

// people returns n users with a role each.
func people(n int, role string) []target.User {
	out := make([]target.User, n)
	for i := range out {
		login := fmt.Sprintf("user%03d@example.com", i)
		out[i] = target.User{ExternalID: fmt.Sprintf("00u%03d", i), Login: login, Email: login, FirstName: "U", LastName: fmt.Sprint(i), Roles: []string{role}}
	}
	return out
}

// recorder is a fault that answers nothing itself: it records each user
// PATCH's kind in the order the provider handles them, the most requests
// it saw in flight, and holds each for a random few milliseconds so that
// concurrent requests overtake one another.
type recorder struct {
	mu       sync.Mutex
	byUser   map[string][]string // user id: "profile" or "roles", in order
	inflight atomic.Int32
	peak     atomic.Int32
}

func (rc *recorder) fault(r *http.Request) (int, http.Header, string, bool) {
	n := rc.inflight.Add(1)
	defer rc.inflight.Add(-1)
	for p := rc.peak.Load(); n > p && !rc.peak.CompareAndSwap(p, n); p = rc.peak.Load() {
	}
	time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
	id, ok := strings.CutPrefix(strings.TrimPrefix(r.URL.Path, "/scim/v2"), "/Users/")
	if !ok || r.Method != http.MethodPatch {
		return 0, nil, "", false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	kind := "profile"
	if strings.Contains(string(body), `"roles"`) {
		kind = "roles"
	}
	rc.mu.Lock()
	rc.byUser[id] = append(rc.byUser[id], kind)
	rc.mu.Unlock()
	return 0, nil, "", false
}

func TestBatchKeepsEachUsersChangesInOrder(t *testing.T) {
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{RoleMode: scim.RoleModeAttribute, Concurrency: 4})
	rc := renameAndPromote(t, srv, c)
	if p := rc.peak.Load(); p < 2 || p > 4 {
		t.Fatalf("at most %d requests in flight, want 2 to 4", p)
	}
}

// renameAndPromote syncs 40 Viewers, then in one batch renames each and
// makes it an Admin, a profile PATCH and a roles PATCH per user. It checks
// that each user's PATCHes reached srv in that order and that srv ends with
// every user renamed and an Admin, and returns what srv saw (its request
// log starts with the batch).
func renameAndPromote(t *testing.T, srv *server, c *scim.Client) *recorder {
	t.Helper()
	ctx := context.Background()
	if err := syncOnce(ctx, t, c, people(40, "Viewer")); err != nil {
		t.Fatal(err)
	}
	users, err := c.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rc := &recorder{byUser: map[string][]string{}}
	srv.SetFault(rc.fault)
	srv.Log()
	if err := c.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		u.FirstName = "Renamed"
		if err := c.UpdateProfile(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := c.SetRoles(ctx, u.ID, []string{"Admin"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if got := rc.byUser[u.ID]; len(got) != 2 || got[0] != "profile" || got[1] != "roles" {
			t.Fatalf("user %s: PATCHes in the order %v, want [profile roles]", u.Login, got)
		}
	}
	for _, u := range usersByLogin(t, c) {
		if u.FirstName != "Renamed" {
			t.Fatalf("user %s: first name %q", u.Login, u.FirstName)
		}
		checkUser(t, u, true, "Admin")
	}
	return rc
}

// storm answers 429 to the first two attempts of every write, with
// Retry-After.
type storm struct {
	mu   sync.Mutex
	seen map[string]int
	on   atomic.Bool
}

func (s *storm) fault(r *http.Request) (int, http.Header, string, bool) {
	if !s.on.Load() || r.Method == http.MethodGet {
		return 0, nil, "", false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	key := r.Method + " " + r.URL.Path + " " + string(body)
	s.mu.Lock()
	s.seen[key]++
	n := s.seen[key]
	s.mu.Unlock()
	if n <= 2 {
		return http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}}, `{"status":"429"}`, true
	}
	return 0, nil, "", false
}

func TestA429StormSlowsTheBatchButLosesNothing(t *testing.T) {
	for _, mode := range []string{scim.RoleModeGroups, scim.RoleModeAttribute} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			c, slept := srv.client(scim.Options{RoleMode: mode, Concurrency: 4})
			st := &storm{seen: map[string]int{}}
			st.on.Store(true)
			srv.SetFault(st.fault)
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			want := people(30, "Viewer")
			if err := syncOnce(ctx, t, c, want); err != nil {
				t.Fatalf("sync through the storm: %v", err)
			}
			if _, lowest := c.Concurrency(); lowest >= 4 {
				t.Fatalf("the client kept %d requests in flight through the storm, want fewer", lowest)
			}
			if len(*slept) == 0 {
				t.Fatal("the client never waited")
			}
			got := usersByLogin(t, c)
			if len(got) != len(want) {
				t.Fatalf("%d users after the storm, want %d", len(got), len(want))
			}
			for _, u := range want {
				checkUser(t, got[u.Login], true, "Viewer")
			}
			// After the storm, answers without 429 grow the concurrency back.
			st.on.Store(false)
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			if err := syncOnce(ctx, t, c, people(30, "Admin")); err != nil {
				t.Fatal(err)
			}
			for range 30 { // groups mode changes roles in few requests
				if _, err := c.ListUsers(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if now, _ := c.Concurrency(); now != 4 {
				t.Fatalf("concurrency %d after the storm, want it back at 4", now)
			}
		})
	}
}
