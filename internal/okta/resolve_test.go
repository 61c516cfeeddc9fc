package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// longName makes a group name of about 60 bytes, so that some 35 of them
// fill a 2,000-byte search expression.
func longName(n int) string {
	return fmt.Sprintf("Department %03d with a rather long Okta group name for tests", n)
}

// groupCalls splits the request log's GET /api/v1/groups calls into
// searches and full listings.
func groupCalls(t *testing.T, log []string) (searches, listings int) {
	t.Helper()
	for _, r := range log {
		path, query, _ := strings.Cut(strings.TrimPrefix(r, "GET "), "?")
		if path != "/api/v1/groups" {
			continue
		}
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		if q.Get("expand") != "stats" {
			t.Errorf("%s: resolution without expand=stats", r)
		}
		switch {
		case q.Has("search"):
			searches++
		case !q.Has("q") && !q.Has("filter"):
			listings++
		}
	}
	return searches, listings
}

func TestResolveListsAllGroupsWhenSearchesWouldBeMore(t *testing.T) {
	f := newOrgFake(t)
	const n = 80
	for i := 0; i < n; i++ {
		f.addGroup(gid(i), longName(i), uid(i))
	}
	f.addGroup(gid(100), "Ops", uid(100))
	f.addGroup(gid(101), "OPS", uid(101))
	f.addGroup(gid(102), "dup", uid(102))
	f.addGroup(gid(103), "Dup", uid(103))
	f.addGroup(gid(104), "Sales Team", uid(104))

	var many []string
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			many = append(many, gid(i))
		} else {
			many = append(many, longName(i))
		}
	}
	if len(orChunks(refTerms(many))) < 2 {
		t.Fatal("the references fit one search; the test needs more")
	}
	tests := []struct {
		name    string
		extra   []string
		want    map[string]string // ref → group id, besides the many
		missing []string
		err     string
	}{
		{name: "ids and names", want: map[string]string{}},
		{name: "exact name wins over other cases", extra: []string{"Ops", "OPS"}, want: map[string]string{"Ops": gid(100), "OPS": gid(101)}},
		{name: "unique case-insensitive name", extra: []string{"sales team"}, want: map[string]string{"sales team": gid(104)}},
		{name: "missing name and id", extra: []string{"Nobody", gid(999)}, want: map[string]string{}, missing: []string{gid(999), "Nobody"}},
		{name: "ambiguous ignoring case", extra: []string{"DUP"}, err: "matches 2 groups"},
		{name: "same group twice", extra: []string{longName(0)}, want: map[string]string{longName(0): gid(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.requestLog())
			s, err := f.client(t, nil).Snapshot(context.Background(), append(slices.Clone(many), tt.extra...))
			searches, listings := groupCalls(t, f.requestLog()[before:])
			if searches != 0 || listings != 1 {
				t.Errorf("%d searches and %d listings, want one listing of every group", searches, listings)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, ref := range many {
				if g := s.Groups[ref]; g == nil || g.ID != gid(i) || len(g.MemberIDs) != 1 {
					t.Fatalf("ref %q resolved to %+v, want %s with its member", ref, g, gid(i))
				}
			}
			for ref, id := range tt.want {
				if g := s.Groups[ref]; g == nil || g.ID != id || len(g.MemberIDs) != 1 {
					t.Fatalf("ref %q resolved to %+v, want %s with its member", ref, g, id)
				}
			}
			if len(s.Groups) != len(many)+len(tt.want) {
				t.Fatalf("%d groups resolved, want %d", len(s.Groups), len(many)+len(tt.want))
			}
			if !slices.Equal(s.Missing, tt.missing) {
				t.Fatalf("missing = %v, want %v", s.Missing, tt.missing)
			}
			if s.Groups[longName(0)] != nil && s.Groups[longName(0)] != s.Groups[gid(0)] {
				t.Fatal("two references to one group do not share it")
			}
		})
	}
}

// refTerms are the search terms resolve makes of refs.
func refTerms(refs []string) []string {
	var terms []string
	for _, ref := range refs {
		if looksLikeGroupID(ref) {
			terms = append(terms, "id eq "+quote(ref))
		} else {
			terms = append(terms, "profile.name eq "+quote(ref))
		}
	}
	return terms
}

func TestResolveSearchesWhenTheListingWouldBeLonger(t *testing.T) {
	f := newOrgFake(t)
	for i := 0; i < 4000; i += 100 {
		f.addGroup(gid(i), longName(i))
	}
	// The org has more than one page of 10,000 groups, and the references
	// need two searches: the listing stops after its first page and the
	// searches resolve.
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		q := r.URL.Query()
		if r.URL.Path != "/api/v1/groups" || q.Has("search") || q.Has("after") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Link", "<https://"+r.Host+`/api/v1/groups?after=10000&expand=stats&limit=10000>; rel="next"`)
		w.Write([]byte(`[]`))
		return true
	}
	var refs []string
	for i := 0; i < 40; i++ {
		refs = append(refs, longName(i*100))
	}
	if c := len(orChunks(refTerms(refs))); c != 2 {
		t.Fatalf("the references need %d searches, the test wants 2", c)
	}
	s, err := f.client(t, nil).Snapshot(context.Background(), refs)
	if err != nil {
		t.Fatal(err)
	}
	searches, listings := groupCalls(t, f.requestLog())
	if searches != 2 || listings != 1 {
		t.Errorf("%d searches and %d listing pages, want 2 and 1", searches, listings)
	}
	for i, ref := range refs {
		if g := s.Groups[ref]; g == nil || g.ID != gid(i*100) {
			t.Fatalf("ref %q resolved to %+v, want %s", ref, g, gid(i*100))
		}
	}
}

func TestSnapshotReadsTheLargestGroupsFirst(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Small", ids(uid, 0, 3)...)
	f.addGroup(gid(2), "Large", ids(uid, 0, 2500)...)
	f.addGroup(gid(3), "Medium", ids(uid, 0, 1200)...)
	f.addGroup(gid(4), "Empty")
	c := f.client(t, func(o *Options) { o.Concurrency = 1 })
	if _, err := c.Snapshot(context.Background(), []string{gid(1), "Medium", gid(4), "Large"}); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range f.requestLog() {
		path, query, _ := strings.Cut(strings.TrimPrefix(r, "GET "), "?")
		if strings.HasSuffix(path, "/users") && !strings.Contains(query, "after=") {
			order = append(order, strings.Split(path, "/")[4])
		}
	}
	if want := []string{gid(2), gid(3), gid(1), gid(4)}; !slices.Equal(order, want) {
		t.Fatalf("groups read in the order %v, want the largest first %v", order, want)
	}
}

func TestLargestFirst(t *testing.T) {
	a, b, c, d := &Group{ID: "a"}, &Group{ID: "b"}, &Group{ID: "c"}, &Group{ID: "d"}
	tests := []struct {
		name    string
		members map[string]int
		want    []*Group
	}{
		{name: "by count", members: map[string]int{"a": 1, "b": 30, "c": 2, "d": 0}, want: []*Group{b, c, a, d}},
		{name: "unknown counts first, then by id", members: map[string]int{"a": 5}, want: []*Group{b, c, d, a}},
		{name: "ties by id", members: map[string]int{"a": 7, "b": 7, "c": 7, "d": 9}, want: []*Group{d, a, b, c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := largestFirst([]*Group{d, c, b, a}, tt.members)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("order %v, want %v", ids4(got), ids4(tt.want))
			}
		})
	}
}

func ids4(gs []*Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}
