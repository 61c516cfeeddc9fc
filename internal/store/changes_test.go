package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// seedChanges records two runs with n changes each and returns them as stored.
func seedChanges(t *testing.T, s *Store, n int) []Change {
	t.Helper()
	ctx := context.Background()
	var all []Change
	for run := 0; run < 2; run++ {
		id, err := s.StartRun(ctx, TriggerCLI, t0.Add(time.Duration(run)*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		cs := make([]Change, n)
		for i := range cs {
			cs[i] = Change{
				At:     t0.Add(time.Duration(run)*time.Hour + time.Duration(i)*time.Second),
				User:   fmt.Sprintf("user%d@example.com", i%3),
				OktaID: fmt.Sprintf("00u%d", i%3),
				Action: []string{ActionCreate, ActionGrant, ActionRevoke}[i%3],
				Role:   []string{"Administrator", "Read Only"}[i%2],
				Group:  []string{"Engineering", "Finance"}[run],
				Reason: "in group",
				Held:   i == n-1,
			}
		}
		if err := s.AddChanges(ctx, id, cs); err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
	}
	return all
}

func TestAddChangesRoundTripAndChain(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	all := seedChanges(t, s, 4)
	for i, c := range all {
		if c.ID != int64(i+1) {
			t.Fatalf("change %d got ID %d; want contiguous IDs", i, c.ID)
		}
		prev := GenesisHash
		if i > 0 {
			prev = all[i-1].Hash
		}
		if c.PrevHash != prev || c.Hash != ChainHash(prev, c) || len(c.Hash) != 64 {
			t.Fatalf("change %d: chain not set: %+v", i, c)
		}
	}
	got, err := s.Changes(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, all[4:]) {
		t.Fatalf("Changes(2) = %+v\nwant %+v", got, all[4:])
	}
	id, hash, err := s.ChainHead(ctx)
	if err != nil || id != 8 || hash != all[7].Hash {
		t.Fatalf("ChainHead = %d %s %v; want 8 %s", id, hash, err, all[7].Hash)
	}
	res, err := s.VerifyChain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Checked != 8 || res.HeadHash != hash {
		t.Fatalf("VerifyChain = %+v", res)
	}
}

func TestAddChangesRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		runID int64
		c     Change
	}{
		{"unknown action", id, Change{At: t0, User: "a", Action: "delete"}},
		{"zero time", id, Change{User: "a", Action: ActionGrant}},
		{"empty user", id, Change{At: t0, Action: ActionGrant}},
		{"missing run", id + 5, Change{At: t0, User: "a", Action: ActionGrant}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.AddChanges(ctx, tt.runID, []Change{tt.c}); err == nil {
				t.Fatal("AddChanges succeeded; want an error")
			}
		})
	}
	if id, _, _ := s.ChainHead(ctx); id != 0 {
		t.Fatalf("chain head moved to %d after rejected changes", id)
	}
}

func TestCanonicalEncodingIsStable(t *testing.T) {
	c := Change{ID: 7, RunID: 2, At: time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.FixedZone("x", 3600)),
		User: "a@b", OktaID: "00u1", Action: "grant", Role: "Read Only", Group: "Eng", Reason: "in group Eng", Held: true}
	want := "17:rolesync-change/1," + "1:7," + "1:2," + "22:2026-01-02T02:04:05.6Z," + "3:a@b," + "4:00u1," +
		"5:grant," + "9:Read Only," + "3:Eng," + "12:in group Eng," + "1:1,"
	if got := string(CanonicalChange(c)); got != want {
		t.Fatalf("CanonicalChange = %q\nwant %q", got, want)
	}
	// A fixed vector, computed independently: changing the encoding would
	// invalidate every stored chain.
	const wantHash = "3801528b1ffebd21cbe980ecfe29de65bcc2c37d1bfbfafb8826926c0bd3e7bd"
	if got := ChainHash(GenesisHash, c); got != wantHash {
		t.Fatalf("ChainHash = %s; want %s", got, wantHash)
	}
}

func TestQueryChangesFilters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	all := seedChanges(t, s, 6)
	ids := func(cs []Change) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    ChangeFilter
		want []int64
	}{
		{"all", ChangeFilter{}, ids(all)},
		{"run", ChangeFilter{RunID: 1}, []int64{1, 2, 3, 4, 5, 6}},
		{"user", ChangeFilter{User: "user1@example.com"}, []int64{2, 5, 8, 11}},
		{"group", ChangeFilter{Group: "Finance"}, []int64{7, 8, 9, 10, 11, 12}},
		{"role", ChangeFilter{Role: "Administrator", RunID: 2}, []int64{7, 9, 11}},
		{"action", ChangeFilter{Action: ActionRevoke}, []int64{3, 6, 9, 12}},
		{"since until", ChangeFilter{Since: t0.Add(2 * time.Second), Until: t0.Add(4 * time.Second)}, []int64{3, 4}},
		{"limit after", ChangeFilter{AfterID: 4, Limit: 3}, []int64{5, 6, 7}},
		{"no match", ChangeFilter{User: "nobody"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.QueryChanges(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Fatalf("QueryChanges(%+v) = %v; want %v", tt.f, ids(got), tt.want)
			}
			n, err := s.CountChanges(ctx, tt.f)
			if err != nil || n != int64(len(tt.want)) {
				t.Fatalf("CountChanges = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

func TestEachChangeStopsOnError(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	seedChanges(t, s, 3)
	stop := errors.New("stop")
	seen := 0
	err := s.EachChange(ctx, ChangeFilter{}, func(Change) error {
		seen++
		if seen == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 2 {
		t.Fatalf("EachChange = %v after %d rows; want stop after 2", err, seen)
	}
}

// TestScanChangesMatchesEachChange: ScanChanges reads what EachChange does,
// and hands its connection back with the store's page cache.
func TestScanChangesMatchesEachChange(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	seedChanges(t, s, 40)
	s.db.SetMaxOpenConns(1) // the connection ScanChanges used is the next one used
	for _, f := range []ChangeFilter{{}, {AfterID: 7, MaxID: 31}, {Action: ActionGrant}} {
		var want, got []Change
		if err := s.EachChange(ctx, f, func(c Change) error { want = append(want, c); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.ScanChanges(ctx, f, func(c Change) error { got = append(got, c); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("filter %+v: ScanChanges read %d changes, EachChange %d", f, len(got), len(want))
		}
		var kib int
		if err := s.db.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&kib); err != nil || kib != -cacheKiB {
			t.Fatalf("cache_size after ScanChanges = %d, %v; want %d", kib, err, -cacheKiB)
		}
	}
}
