package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// addRun records one run holding cs.
func addRun(t *testing.T, st *store.Store, at time.Time, cs []store.Change) {
	t.Helper()
	ctx := context.Background()
	id, err := st.StartRun(ctx, store.TriggerSchedule, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddChanges(ctx, id, cs); err != nil {
		t.Fatal(err)
	}
}

// summaryOf computes the summary an export of f would show.
func summaryOf(t *testing.T, st *store.Store, f store.ChangeFilter) *summary {
	t.Helper()
	ctx := context.Background()
	sc, err := st.Scope(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	total, err := sc.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x := &exporter{st: st, opts: Options{Filter: f, Now: fixedNow}, scope: sc, total: total}
	s, err := x.summarise(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSummaryLostAccessAndTop(t *testing.T) {
	st := openStore(t)
	var cs []store.Change
	for i := range 60 {
		user := fmt.Sprintf("user%02d@example.com", i)
		cs = append(cs,
			store.Change{At: t0.Add(time.Duration(i) * time.Second), User: user, Action: store.ActionRevokeAll, Group: fmt.Sprintf("Group %02d", i%12)},
			store.Change{At: t0.Add(time.Duration(i) * time.Second), User: user, Action: store.ActionRevoke, Role: fmt.Sprintf("Role %02d", i%13), Group: "Group 00"})
	}
	// Held changes are not applied: nobody lost access through them.
	cs = append(cs, store.Change{At: t0.Add(time.Hour), User: "held@example.com", Action: store.ActionDisable, Held: true})
	addRun(t, st, t0, cs)

	s := summaryOf(t, st, store.ChangeFilter{})
	if s.LostTotal != 60 || len(s.Lost) != maxLost {
		t.Errorf("lost access: %d listed of %d, want %d of 60", len(s.Lost), s.LostTotal, maxLost)
	}
	if l := s.Lost[0]; l.User != "user59@example.com" || l.Lost != "all roles" || l.Changes != 2 {
		t.Errorf("most recent loss = %+v, want user59 losing all roles in 2 changes", l)
	}
	for _, l := range s.Lost {
		if l.User == "held@example.com" {
			t.Error("a held change counted as lost access")
		}
	}
	if len(s.TopGroups) != topN || s.TopGroups[0] != (nameCount{"Group 00", 65}) {
		t.Errorf("top groups = %v, want %d with Group 00 first at 65", s.TopGroups, topN)
	}
	if len(s.TopRoles) != topN || s.TopRoles[0].Count != 5 || s.TopRoles[0].Name != "Role 00" {
		t.Errorf("top roles = %v", s.TopRoles)
	}
	h := string(export(t, st, Options{Format: FormatHTML}))
	if !strings.Contains(h, "and 10 more; filter by action to list them all.") {
		t.Error("HTML does not say how many more people lost access")
	}

	// Only revocations of one role: the roles lost are listed.
	s = summaryOf(t, st, store.ChangeFilter{Action: store.ActionRevoke, User: "user13@example.com"})
	if len(s.Lost) != 1 || s.Lost[0].Lost != "Role 00" {
		t.Errorf("lost = %+v, want user13 losing Role 00", s.Lost)
	}
}

func TestChartBuckets(t *testing.T) {
	cases := []struct {
		name       string
		days       int
		bucketDays int
		buckets    int
		title      string
	}{
		{"one day", 1, 1, 1, "Changes per day by action"},
		{"a month", 31, 1, 31, "Changes per day by action"},
		{"a quarter", 92, 1, 92, "Changes per day by action"},
		{"half a year", 183, 2, 92, "Changes per 2 days by action"},
		{"two years", 730, 8, 92, "Changes per 8 days by action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := openStore(t)
			first := t0.Add(-9 * time.Hour) // midnight
			last := first.AddDate(0, 0, c.days-1).Add(23 * time.Hour)
			addRun(t, st, first, []store.Change{
				{At: first, User: "a@example.com", Action: store.ActionCreate},
				{At: first.Add(time.Hour), User: "a@example.com", Action: store.ActionGrant, Role: "Auditor"},
				{At: last, User: "a@example.com", Action: store.ActionDisable},
			})
			ch := summaryOf(t, st, store.ChangeFilter{}).Chart
			if ch.BucketDays != c.bucketDays || len(ch.Buckets) != c.buckets || ch.title() != c.title {
				t.Fatalf("%d buckets of %d days, %q; want %d of %d, %q", len(ch.Buckets), ch.BucketDays, ch.title(), c.buckets, c.bucketDays, c.title)
			}
			firstB, lastB := ch.Buckets[0], ch.Buckets[len(ch.Buckets)-1]
			if !firstB.Start.Equal(first) || firstB.Counts[actionIndex(store.ActionCreate)] != 1 || firstB.Counts[actionIndex(store.ActionGrant)] != 1 {
				t.Errorf("first bucket = %+v", firstB)
			}
			if lastB.Counts[actionIndex(store.ActionDisable)] != 1 {
				t.Errorf("last bucket = %+v, want the disable", lastB)
			}
			if c.days > 1 && firstB.Total != 2 {
				t.Errorf("first bucket total %d, want 2", firstB.Total)
			}
			g := ch.layout(880, 230, 11)
			if len(g.Bars) == 0 || len(g.XTicks) > 10 || len(g.Legend) != 3 {
				t.Errorf("layout: %d bars, %d date labels, %d legend items", len(g.Bars), len(g.XTicks), len(g.Legend))
			}
			for _, b := range g.Bars {
				if b.Y < 0 || b.Y+b.H > g.Base+0.001 || b.X < g.Left || b.X+b.W > g.Right+0.001 {
					t.Errorf("bar %+v outside the plot", b)
				}
			}
		})
	}
}

func TestChartStopsAtToday(t *testing.T) {
	st := newFixture(t)
	day := t0.Truncate(24 * time.Hour)
	s := summaryOf(t, st, store.ChangeFilter{Since: day, Until: day.AddDate(1, 0, 0)})
	if got := s.periodText(); got != "2026-03-02 to 2027-03-01" {
		t.Errorf("period %q, want the filter's", got)
	}
	// fixedNow is 2026-03-06: five days from 2026-03-02.
	if n := len(s.Chart.Buckets); n != 5 || s.Chart.BucketDays != 1 {
		t.Errorf("%d buckets of %d days, want 5 of 1", n, s.Chart.BucketDays)
	}
}
