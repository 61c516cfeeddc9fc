package okta_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// benchOrgs are the simulated orgs of the benchmarks: the largest group and
// about 5% of the others are mapped in the larger ones (by name and by id
// alternately). ROLESYNC_BENCH_LARGE=1 adds an org of 100k users.
var benchOrgs = func() []struct{ users, groups, every int } {
	orgs := []struct{ users, groups, every int }{
		{2000, 200, 1},
		{10000, 400, 20},
	}
	if os.Getenv("ROLESYNC_BENCH_LARGE") == "1" {
		orgs = append(orgs, struct{ users, groups, every int }{100000, 2000, 20})
	}
	return orgs
}()

// mappedRefs maps the largest group and every nth group of the org.
func mappedRefs(org *oktasim.Org, every int) []string {
	var refs []string
	groups := org.Groups()
	largest := 0
	for i, g := range groups {
		if g.MemberCount > groups[largest].MemberCount {
			largest = i
		}
	}
	for i, g := range groups {
		if i%every != 0 && i != largest {
			continue
		}
		if len(refs)%2 == 0 {
			refs = append(refs, g.ID)
		} else {
			refs = append(refs, g.Name)
		}
	}
	return refs
}

// startBenchSim starts an org with limits far above Okta's (b.N reads in a
// row would otherwise wait for Okta's minute windows, as the client's pacing
// does whenever the headers say the share is spent) and the given latency.
func startBenchSim(b *testing.B, users, groups int, latency time.Duration) (*oktasim.Server, *okta.Client) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: users, Groups: groups, Seed: 1, Latency: latency,
		RateLimits: oktasim.RateLimits{PerMinute: map[string]int{"/": 1 << 30}, Share: 1}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	c, err := okta.NewClient(okta.Options{Domain: sim.URL(), CAFile: sim.CAFile(),
		Auth: func(base http.RoundTripper) http.RoundTripper { return okta.APITokenTransport(sim.APIToken(), base) }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return sim, c
}

// BenchmarkSnapshot reads the mapped groups of simulated orgs in full and
// reports the API calls per read and the floor: one page per 1000 members
// (at least one per group).
func BenchmarkSnapshot(b *testing.B) {
	for _, o := range benchOrgs {
		b.Run(fmt.Sprintf("users=%d/groups=%d/mapped=1in%d", o.users, o.groups, o.every), func(b *testing.B) {
			sim, c := startBenchSim(b, o.users, o.groups, 0)
			refs := mappedRefs(sim.Org(), o.every)
			floor := memberPages(sim.Org(), refs)
			var calls, users int
			b.ResetTimer()
			for b.Loop() {
				s, err := c.Snapshot(context.Background(), refs)
				if err != nil {
					b.Fatal(err)
				}
				calls, users = s.APICalls, len(s.Users)
			}
			b.ReportMetric(float64(calls), "calls/op")
			b.ReportMetric(float64(floor), "floor-pages")
			b.ReportMetric(float64(users), "users")
		})
	}
}

// BenchmarkSnapshotDeltaNoChange reports what a delta read costs when
// nothing changed.
func BenchmarkSnapshotDeltaNoChange(b *testing.B) {
	o := benchOrgs[len(benchOrgs)-1]
	sim, c := startBenchSim(b, o.users, o.groups, 0)
	refs := mappedRefs(sim.Org(), o.every)
	prev, err := c.Snapshot(context.Background(), refs)
	if err != nil {
		b.Fatal(err)
	}
	var calls int
	b.ResetTimer()
	for b.Loop() {
		s, err := c.SnapshotDelta(context.Background(), refs, prev)
		if err != nil {
			b.Fatal(err)
		}
		calls = s.APICalls
	}
	b.ReportMetric(float64(calls), "calls/op")
}

// BenchmarkSnapshotVersusSequentialSDK compares a snapshot with the loop most
// sync scripts run, one group after another through the SDK's own paging,
// with 50 ms of latency per request.
func BenchmarkSnapshotVersusSequentialSDK(b *testing.B) {
	o := benchOrgs[len(benchOrgs)-1]
	sim, c := startBenchSim(b, o.users, o.groups, 50*time.Millisecond)
	refs := mappedRefs(sim.Org(), o.every)
	b.Run("client", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Snapshot(context.Background(), refs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("sequential-sdk", func(b *testing.B) {
		api := sequentialSDK(b, sim)
		for b.Loop() {
			n := 0
			for _, ref := range refs {
				n += readGroupSequentially(b, api, sim.Org(), ref)
			}
			if n == 0 {
				b.Fatal("no members read")
			}
		}
	})
}

// sequentialSDK configures the SDK as a script would, plus the port fix.
func sequentialSDK(b *testing.B, sim *oktasim.Server) *sdk.APIClient {
	cfg, err := sdk.NewConfiguration(sdk.WithOrgUrl(sim.URL()), sdk.WithToken(sim.APIToken()), sdk.WithCache(false), sdk.WithHttpClientPtr(sim.Client()))
	if err != nil {
		b.Fatal(err)
	}
	u, _ := url.Parse(sim.URL())
	cfg.Host = u.Host
	return sdk.NewAPIClient(cfg)
}

func readGroupSequentially(b *testing.B, api *sdk.APIClient, org *oktasim.Org, ref string) int {
	id := ref
	if g, ok := org.GroupByName(ref); ok {
		groups, _, err := api.GroupAPI.ListGroups(context.Background()).Search("profile.name eq \"" + ref + "\"").Execute()
		if err != nil || len(groups) == 0 {
			b.Fatalf("search %s: %v", ref, err)
		}
		id = g.ID
	}
	members, resp, err := api.GroupAPI.ListGroupUsers(context.Background(), id).Limit(1000).Execute()
	if err != nil {
		b.Fatal(err)
	}
	n := len(members)
	for resp.HasNextPage() {
		var page []sdk.GroupMember
		if resp, err = resp.Next(&page); err != nil {
			b.Fatal(err)
		}
		n += len(page)
	}
	return n
}

func memberPages(org *oktasim.Org, refs []string) int {
	pages := 0
	for _, ref := range refs {
		g, ok := org.Group(ref)
		if !ok {
			g, _ = org.GroupByName(ref)
		}
		pages += max(1, (g.MemberCount+999)/1000)
	}
	return pages
}

// BenchmarkDecodeMembersPage decodes one page of 1000 group members as the
// SDK does, with encoding/json into the fields kept, and as the client does.
func BenchmarkDecodeMembersPage(b *testing.B) {
	var page []map[string]any
	for i := range 1000 {
		page = append(page, map[string]any{
			"id": fmt.Sprintf("00u%017d", i), "status": "ACTIVE", "created": "2025-01-01T00:00:00.000Z",
			"activated": nil, "statusChanged": nil, "lastLogin": nil, "passwordChanged": "2025-01-01T00:00:00.000Z",
			"lastUpdated": "2025-06-01T00:00:00.000Z", "type": map[string]any{"id": "oty1"},
			"profile": map[string]any{"login": fmt.Sprintf("u%d@example.com", i), "email": fmt.Sprintf("u%d@example.com", i),
				"firstName": "First", "lastName": "Last", "mobilePhone": nil, "secondEmail": nil},
			"credentials": map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
			"_links":      map[string]any{"self": map[string]any{"href": "https://example.okta.com/api/v1/users/00u1"}},
		})
	}
	body, _ := json.Marshal(page)
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out []sdk.GroupMember
			if err := json.Unmarshal(body, &out); err != nil || len(out) != 1000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := okta.DecodeMembersStdlibForBenchmark(body)
			if err != nil || n != 1000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, err := okta.DecodeMembersForBenchmark(body)
			if err != nil || n != 1000 {
				b.Fatal(err)
			}
		}
	})
}
