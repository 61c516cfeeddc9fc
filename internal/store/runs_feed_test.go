package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestRunRecordsItsFeed checks that the feed a run read Okta with is kept
// with the run and read back by Run, Runs and LastRun.
func TestRunRecordsItsFeed(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, feed := range []string{"users_search", "system_log", "full", ""} {
		id, err := s.StartRun(ctx, TriggerSchedule, t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FinishRun(ctx, Run{ID: id, Status: StatusSucceeded, FinishedAt: t0.Add(time.Second), Feed: feed}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(ctx, id)
		if err != nil || got.Feed != feed {
			t.Fatalf("Run(%d).Feed = %q, %v; want %q", id, got.Feed, err, feed)
		}
		runs, err := s.Runs(ctx, 1, 0)
		if err != nil || len(runs) != 1 || runs[0].Feed != feed {
			t.Fatalf("Runs = %+v, %v; want feed %q", runs, err, feed)
		}
		last, ok, err := s.LastRun(ctx)
		if err != nil || !ok || last.Feed != feed {
			t.Fatalf("LastRun = %+v, %v, %v; want feed %q", last, ok, err, feed)
		}
	}
}

// TestFeedMigrationKeepsOldRuns upgrades a database made before runs had a
// feed: its runs read back with no feed, and new runs record theirs.
func TestFeedMigrationKeepsOldRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:5] // before the feed column
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	old, err := s.StartRun(ctx, TriggerCLI, t0)
	if err == nil {
		_, err = s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ? WHERE id = ?`,
			StatusSucceeded, toNanos(t0.Add(time.Second)), old)
	}
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	migrations = saved
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v != len(saved) {
		t.Fatalf("schema version = %d; want %d", v, len(saved))
	}
	r, err := s.Run(ctx, old)
	if err != nil || r.Feed != "" || r.Status != StatusSucceeded {
		t.Fatalf("old run after upgrade = %+v, %v; want succeeded with no feed", r, err)
	}
	id, err := s.StartRun(ctx, TriggerCLI, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, Run{ID: id, Status: StatusSucceeded, Feed: "system_log"}); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Run(ctx, id); err != nil || r.Feed != "system_log" {
		t.Fatalf("new run = %+v, %v; want feed system_log", r, err)
	}
}
