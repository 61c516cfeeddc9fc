package okta_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// startSim starts a simulated org of users and groups (seed 1) and a client
// for it authenticated with the simulator's API token.
func startSim(tb testing.TB, users, groups int, limits oktasim.RateLimits, adjust func(*okta.Options)) (*oktasim.Server, *okta.Client) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: users, Groups: groups, Seed: 1, RateLimits: limits})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sim.Close() })
	opts := okta.Options{
		Domain: sim.URL(),
		CAFile: sim.CAFile(),
		Auth:   func(base http.RoundTripper) http.RoundTripper { return okta.APITokenTransport(sim.APIToken(), base) },
	}
	if adjust != nil {
		adjust(&opts)
	}
	c, err := okta.NewClient(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close) // before the simulator's shutdown, which waits for open connections
	return sim, c
}

// skipClock is the real clock, except that sleeping returns at once and
// moves the clock forward instead.
type skipClock struct {
	mu      sync.Mutex
	skipped time.Duration
}

func (c *skipClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skipped)
}

func (c *skipClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skipped += max(d, 0)
	return nil
}

// After moves the clock on by d, as Sleep does, and fires at once.
func (c *skipClock) After(d time.Duration) <-chan time.Time {
	_ = c.Sleep(context.Background(), d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

func (c *skipClock) skippedTime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skipped
}

// allRefs maps every group of the org: even ones by id, odd ones by name.
func allRefs(org *oktasim.Org) []string {
	var refs []string
	for i, g := range org.Groups() {
		if i%2 == 0 {
			refs = append(refs, g.ID)
		} else {
			refs = append(refs, g.Name)
		}
	}
	return refs
}

// checkAgainstOrg fails unless s holds exactly the org's membership.
func checkAgainstOrg(t *testing.T, s *okta.Snapshot, org *oktasim.Org, refs []string) {
	t.Helper()
	if len(s.Missing) != 0 {
		t.Fatalf("missing = %v", s.Missing)
	}
	want := map[string]bool{}
	for _, ref := range refs {
		g := s.Groups[ref]
		if g == nil {
			t.Fatalf("no group for %q", ref)
		}
		og, ok := org.Group(g.ID)
		if !ok || (ref != og.ID && ref != og.Name) || !g.LastMembershipUpdated.Equal(og.LastMembershipUpdated) {
			t.Fatalf("ref %q resolved to %+v; the org has %+v", ref, g, og)
		}
		got := slices.Clone(g.MemberIDs)
		slices.Sort(got)
		if members := org.Members(g.ID); !slices.Equal(got, members) {
			t.Fatalf("group %s: %d members read, the org has %d", g.Name, len(got), len(members))
		}
		for _, id := range got {
			want[id] = true
		}
	}
	if len(s.Users) != len(want) {
		t.Fatalf("%d users, want %d", len(s.Users), len(want))
	}
	for id := range want {
		ou, _ := org.User(id)
		u := s.Users[id]
		if u == nil || u.ID != ou.ID || u.Status != ou.Status || u.Login != ou.Login || u.Email != ou.Email ||
			u.FirstName != ou.FirstName || u.LastName != ou.LastName || !u.LastUpdated.Equal(ou.LastUpdated) {
			t.Fatalf("user %s read as %+v; the org has %+v", id, u, ou)
		}
	}
}

func TestSnapshotMatchesSimulatedOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	sim, c := startSim(t, 2000, 200, oktasim.RateLimits{}, nil) // Workforce limits
	org := sim.Org()
	refs := allRefs(org)
	ctx := context.Background()

	s, err := c.Snapshot(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstOrg(t, s, org, refs)
	// The floor: one page per 1000 members (at least one) per group, and the
	// lookups of 100 ids and 100 names. No retry means no 429 was met.
	pages := 0
	for _, g := range org.Groups() {
		pages += max(1, (g.MemberCount+999)/1000)
	}
	if s.APICalls > pages+4 {
		t.Fatalf("APICalls = %d, want at most %d pages + 4 lookups", s.APICalls, pages)
	}
	t.Logf("snapshot of %d groups, %d users: %d API calls (%d member pages)", len(refs), len(s.Users), s.APICalls, pages)

	t.Run("delta after changes", func(t *testing.T) {
		g := org.Groups()[3]
		member := org.Members(g.ID)[0]
		if err := org.RemoveMember(g.ID, member); err != nil {
			t.Fatal(err)
		}
		var other string
		for _, id := range org.Members(org.Groups()[7].ID) {
			if u, _ := org.User(id); u.Status == okta.StatusActive {
				other = id
				break
			}
		}
		if err := org.Lifecycle(other, oktasim.LifecycleSuspend); err != nil {
			t.Fatal(err)
		}
		// The simulator stamps each change at least 1 ms after the previous
		// one, so two quick changes may lie in its future; the System Log
		// shows events once published, and late. Wait until they show.
		if err := sim.WaitVisible(ctx); err != nil {
			t.Fatal(err)
		}
		d, err := c.SnapshotDelta(ctx, refs, s)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstOrg(t, d, org, refs)
		if d.Users[other].Status != okta.StatusSuspended {
			t.Fatalf("suspended user read as %s", d.Users[other].Status)
		}
		if d.APICalls > 8 {
			t.Fatalf("delta spent %d calls", d.APICalls)
		}
		quiet, err := c.SnapshotDelta(ctx, refs, d)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstOrg(t, quiet, org, refs)
		if quiet.APICalls > 3 {
			t.Fatalf("a run with no change spent %d calls, want at most 3", quiet.APICalls)
		}
		t.Logf("delta with 2 changes: %d calls; with none: %d", d.APICalls, quiet.APICalls)
	})
}

func TestSimulatedFaultsFailTheSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	clock := &skipClock{} // waits for rate-limit resets and backoffs pass at once
	sim, c := startSim(t, 300, 20, oktasim.RateLimits{Disabled: true}, func(o *okta.Options) { o.Clock = clock })
	refs := allRefs(sim.Org())
	victim := sim.Org().Groups()[5].ID
	tests := []struct {
		name  string
		fault oktasim.Fault
	}{
		{"500 on one group's page", oktasim.Fault{PathPrefix: "/api/v1/groups/" + victim + "/users", Status: 500, Count: 50}},
		{"dropped connections", oktasim.Fault{PathPrefix: "/api/v1/groups/" + victim + "/users", Reset: true, Count: 50}},
		{"429 that persists", oktasim.Fault{PathPrefix: "/api/v1/groups/" + victim + "/users", Status: 429, Count: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ClearFaults()
			if err := sim.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			defer sim.ClearFaults()
			s, err := c.Snapshot(context.Background(), refs)
			if err == nil || s != nil {
				t.Fatalf("Snapshot = %v, %v; want an error and no snapshot", s, err)
			}
		})
	}
	t.Run("a transient 500 is retried", func(t *testing.T) {
		sim.ClearFaults()
		if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups/" + victim + "/users", Status: 500, Count: 1}); err != nil {
			t.Fatal(err)
		}
		s, err := c.Snapshot(context.Background(), refs)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstOrg(t, s, sim.Org(), refs)
	})
	t.Run("a 429 is waited out and retried", func(t *testing.T) {
		sim.ClearFaults()
		if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/groups/" + victim + "/users", Status: 429, Count: 1}); err != nil {
			t.Fatal(err)
		}
		before := clock.skippedTime()
		s, err := c.Snapshot(context.Background(), refs)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstOrg(t, s, sim.Org(), refs)
		// The exact wait (until the reset, plus jitter) is checked in TestRetries.
		if waited := clock.skippedTime() - before; waited <= 0 {
			t.Fatalf("retried the 429 without waiting")
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		wrong, err := okta.NewClient(okta.Options{Domain: sim.URL(), CAFile: sim.CAFile(),
			Auth: func(b http.RoundTripper) http.RoundTripper { return okta.APITokenTransport("not-the-token", b) }})
		if err != nil {
			t.Fatal(err)
		}
		defer wrong.Close()
		_, err = wrong.Snapshot(context.Background(), refs)
		var ae *okta.APIError
		if !errors.As(err, &ae) || ae.Code != okta.CodeInvalidToken {
			t.Fatalf("err = %v, want E0000011", err)
		}
	})
}

func TestLookupUsersInSimulatedOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	sim, c := startSim(t, 500, 20, oktasim.RateLimits{Disabled: true}, nil)
	var ids []string
	statuses := map[string]bool{}
	for _, u := range sim.Org().Users() {
		if len(ids) < 150 || !statuses[u.Status] {
			ids = append(ids, u.ID)
			statuses[u.Status] = true
		}
	}
	if !statuses[okta.StatusDeprovisioned] {
		t.Fatal("the simulated org has no DEPROVISIONED user to look up")
	}
	unknown := "00u00000000000000000"
	before := c.APICalls()
	found, err := c.LookupUsers(context.Background(), append(ids, unknown))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != len(ids) || found[unknown] != nil {
		t.Fatalf("found %d users, want %d and not the unknown id", len(found), len(ids))
	}
	for _, id := range ids {
		ou, _ := sim.Org().User(id)
		if u := found[id]; u == nil || u.Status != ou.Status || u.Login != ou.Login {
			t.Fatalf("user %s found as %+v; the org has %+v", id, u, ou)
		}
	}
	if calls := c.APICalls() - before; calls > int64(len(ids)/50+1) {
		t.Fatalf("spent %d calls on %d ids", calls, len(ids))
	}
}

func TestGroupQueriesInSimulatedOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a simulated org")
	}
	sim, c := startSim(t, 500, 30, oktasim.RateLimits{Disabled: true}, nil)
	ctx := context.Background()
	for _, g := range sim.Org().Groups()[:5] {
		n, err := c.GroupMemberCount(ctx, g.ID)
		if err != nil || n != g.MemberCount {
			t.Fatalf("GroupMemberCount(%s) = %d, %v; the org has %d", g.Name, n, err, g.MemberCount)
		}
		prefix := strings.ToLower(g.Name[:3])
		picked, err := c.ListGroups(ctx, okta.ListGroupsOptions{Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(picked, func(p okta.GroupInfo) bool { return p.ID == g.ID }) {
			t.Fatalf("ListGroups(%q) lacks %s", prefix, g.Name)
		}
	}
}
