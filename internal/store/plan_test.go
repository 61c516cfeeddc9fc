package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestQueryChangesUsesIndexes checks the query plan of each filter, so a
// large history is never scanned whole to answer a filtered query.
func TestQueryChangesUsesIndexes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	tests := []struct {
		name string
		f    ChangeFilter
	}{
		{"run", ChangeFilter{RunID: 3}},
		{"user", ChangeFilter{User: "a@example.com"}},
		{"group", ChangeFilter{Group: "Engineering"}},
		{"role", ChangeFilter{Role: "Administrator"}},
		{"action", ChangeFilter{Action: ActionRevokeAll}},
		{"since", ChangeFilter{Since: t0}},
		{"since and until", ChangeFilter{Since: t0, Until: t0.Add(time.Hour)}},
		{"after id", ChangeFilter{AfterID: 10, Limit: 100}},
		{"user since", ChangeFilter{User: "a@example.com", Since: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args := changeQuery(tt.f)
			rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			p := strings.Join(plan, "; ")
			if !strings.Contains(p, "USING INDEX") && !strings.Contains(p, "USING INTEGER PRIMARY KEY") &&
				!strings.Contains(p, "USING COVERING INDEX") {
				t.Fatalf("plan scans the table: %s", p)
			}
			t.Log(p)
		})
	}
}

func TestTimeWindowWithOutOfOrderTimes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	// IDs follow insertion; times do not.
	offsets := []time.Duration{5, 1, 9, 3, 7, 2}
	cs := make([]Change, len(offsets))
	for i, o := range offsets {
		cs[i] = Change{At: t0.Add(o * time.Minute), User: "u", Action: ActionGrant}
	}
	if err := s.AddChanges(ctx, id, cs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    ChangeFilter
		want []int64
	}{
		{"since", ChangeFilter{Since: t0.Add(4 * time.Minute)}, []int64{1, 3, 5}},
		{"until", ChangeFilter{Until: t0.Add(4 * time.Minute)}, []int64{2, 4, 6}},
		{"window", ChangeFilter{Since: t0.Add(2 * time.Minute), Until: t0.Add(6 * time.Minute)}, []int64{1, 4, 6}},
		{"empty window", ChangeFilter{Since: t0.Add(time.Hour)}, nil},
		{"window and user", ChangeFilter{User: "u", Since: t0.Add(2 * time.Minute), Until: t0.Add(6 * time.Minute)}, []int64{1, 4, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.QueryChanges(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && !equalIDs(ids, tt.want)) {
				t.Fatalf("ids = %v; want %v", ids, tt.want)
			}
		})
	}
}

func equalIDs(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
