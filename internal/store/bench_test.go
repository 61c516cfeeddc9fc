package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

var benchRuns = envInt("ROLESYNC_BENCH_RUNS", 1000) // 1,000,000 changes in all

const (
	benchPerRun     = 1000
	benchUsers      = 50000
	benchFilterUser = "user12345@example.com"
)

// fillHistory records benchRuns runs of benchPerRun changes each and returns
// how long the inserts took.
func fillHistory(b *testing.B, s *Store) time.Duration {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	cs := make([]Change, benchPerRun)
	n := 0
	for r := 0; r < benchRuns; r++ {
		id, err := s.StartRun(ctx, TriggerSchedule, t0.Add(time.Duration(r)*15*time.Minute))
		if err != nil {
			b.Fatal(err)
		}
		for i := range cs {
			u := (n * 7919) % benchUsers
			cs[i] = Change{
				At:     t0.Add(time.Duration(r)*15*time.Minute + time.Duration(i)*time.Millisecond),
				User:   fmt.Sprintf("user%d@example.com", u),
				OktaID: fmt.Sprintf("00u%08d", u),
				Action: []string{ActionGrant, ActionRevoke, ActionCreate, ActionGrant}[n%4],
				Role:   []string{"Administrator", "Read Only", "Auditor"}[n%3],
				Group:  fmt.Sprintf("Group %d", n%200),
				Reason: fmt.Sprintf("in group Group %d", n%200),
			}
			n++
		}
		if err := s.AddChanges(ctx, id, cs); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// envInt reads a positive integer from the environment, or returns def.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkHistory1M builds a history of 1,000,000 changes once, then times
// the reads a user and an auditor make against it.
func BenchmarkHistory1M(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	took := fillHistory(b, s)
	b.Logf("inserted %d changes in %d batches in %v (%.0f changes/s)",
		benchRuns*benchPerRun, benchRuns, took, float64(benchRuns*benchPerRun)/took.Seconds())

	b.Run("QueryChanges/user", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.QueryChanges(ctx, ChangeFilter{User: benchFilterUser})
			if err != nil || len(cs) == 0 {
				b.Fatalf("%d rows, %v", len(cs), err)
			}
		}
	})
	b.Run("QueryChanges/user+since", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.QueryChanges(ctx, ChangeFilter{User: benchFilterUser, Since: t0.Add(time.Duration(benchRuns) * 15 * time.Minute / 2)})
			if err != nil || len(cs) == 0 {
				b.Fatalf("%d rows, %v", len(cs), err)
			}
		}
	})
	b.Run("QueryChanges/group+limit100", func(b *testing.B) {
		for b.Loop() {
			cs, err := s.QueryChanges(ctx, ChangeFilter{Group: "Group 17", Limit: 100, AfterID: int64(benchRuns * benchPerRun / 2)})
			if err != nil || len(cs) != 100 {
				b.Fatalf("%d rows, %v", len(cs), err)
			}
		}
	})
	b.Run("QueryChanges/last-hour", func(b *testing.B) {
		end := t0.Add(time.Duration(benchRuns) * 15 * time.Minute)
		for b.Loop() {
			cs, err := s.QueryChanges(ctx, ChangeFilter{Since: end.Add(-time.Hour)})
			if err != nil || len(cs) != 4*benchPerRun {
				b.Fatalf("%d rows, %v", len(cs), err)
			}
		}
	})
	b.Run("OpenRun", func(b *testing.B) {
		for b.Loop() {
			r, err := s.Run(ctx, int64(benchRuns*3/4))
			if err != nil {
				b.Fatal(err)
			}
			cs, err := s.Changes(ctx, r.ID)
			if err != nil || len(cs) != benchPerRun {
				b.Fatalf("%d rows, %v", len(cs), err)
			}
		}
	})
	b.Run("Runs/page", func(b *testing.B) {
		for b.Loop() {
			if rs, err := s.Runs(ctx, 50, 0); err != nil || len(rs) != 50 {
				b.Fatalf("%d runs, %v", len(rs), err)
			}
		}
	})
	b.Run("EachChange/all", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := s.EachChange(ctx, ChangeFilter{}, func(Change) error { n++; return nil })
			if err != nil || n != benchRuns*benchPerRun {
				b.Fatalf("%d rows, %v", n, err)
			}
		}
	})
	b.Run("VerifyChain", func(b *testing.B) {
		for b.Loop() {
			res, err := s.VerifyChain(ctx)
			if err != nil || !res.OK {
				b.Fatalf("%v, %v", res, err)
			}
		}
	})
}

// BenchmarkAddChanges measures recording one run of 1,000 changes.
func BenchmarkAddChanges(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	id, err := s.StartRun(ctx, TriggerSchedule, t0)
	if err != nil {
		b.Fatal(err)
	}
	cs := make([]Change, 1000)
	for i := range cs {
		cs[i] = Change{At: t0, User: fmt.Sprintf("user%d@example.com", i), Action: ActionGrant, Role: "Read Only", Group: "Engineering"}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.AddChanges(ctx, id, cs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cs)), "ns/change")
}

// BenchmarkChainHash measures hashing one change row.
func BenchmarkChainHash(b *testing.B) {
	c := Change{ID: 123456, RunID: 789, At: t0, User: "someone@example.com", OktaID: "00u1abcdefghijkl",
		Action: ActionGrant, Role: "Read Only", Group: "Engineering", Reason: "in group Engineering"}
	want := ChainHash(GenesisHash, c)
	b.ReportAllocs()
	for b.Loop() {
		if !hashMatches(EncodingVersion, GenesisHash, c, want) {
			b.Fatal("mismatch")
		}
	}
}
