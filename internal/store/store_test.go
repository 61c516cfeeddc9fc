package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 123456789, time.UTC)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenTwiceKeepsSchemaAndData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s.Close()
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(migrations) {
		t.Fatalf("schema version = %d, %v; want %d", v, err, len(migrations))
	}
	got, ok, err := s.Setting(ctx, "k")
	if err != nil || !ok || got != "v" {
		t.Fatalf("Setting after reopen = %q, %v, %v", got, ok, err)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestOpenCreatesOwnerOnlyFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v; want owner-only", filepath.Base(p), perm)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("Open of a newer schema succeeded; want an error telling to upgrade")
	}
}

func TestRunRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusRunning || !r.StartedAt.Equal(t0) || !r.FinishedAt.IsZero() {
		t.Fatalf("started run = %+v", r)
	}
	want := Run{ID: id, Trigger: TriggerCLI, Status: StatusHeld, StartedAt: t0, FinishedAt: t0.Add(time.Second),
		Created: 1, Granted: 2, Revoked: 3, Held: 4, APICalls: 5, Error: "boom", DryRun: true}
	if err := s.FinishRun(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Run = %+v\nwant %+v", got, want)
	}
	if _, err := s.Run(ctx, id+1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Run(missing) err = %v; want ErrNotFound", err)
	}
	if err := s.FinishRun(ctx, Run{ID: 999, Status: StatusFailed}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FinishRun(missing) err = %v; want ErrNotFound", err)
	}
}

func TestRunsPagingNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if _, ok, err := s.LastRun(ctx); ok || err != nil {
		t.Fatalf("LastRun on empty store = %v, %v", ok, err)
	}
	for i := 0; i < 5; i++ {
		if _, err := s.StartRun(ctx, TriggerSchedule, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := s.Runs(ctx, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].ID != 5 || runs[1].ID != 4 {
		t.Fatalf("first page = %+v", runs)
	}
	runs, err = s.Runs(ctx, 10, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || runs[0].ID != 3 || runs[2].ID != 1 {
		t.Fatalf("second page = %+v", runs)
	}
	last, ok, err := s.LastRun(ctx)
	if err != nil || !ok || last.ID != 5 {
		t.Fatalf("LastRun = %+v, %v, %v", last, ok, err)
	}
}

func TestStartRunRejectsUnknownTrigger(t *testing.T) {
	s := openTest(t)
	if _, err := s.StartRun(context.Background(), "cron", t0); err == nil {
		t.Fatal("StartRun with unknown trigger succeeded")
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "/tmp/a?b.db"} {
		t.Run(p, func(t *testing.T) {
			if s, err := Open(context.Background(), p); err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", p)
			}
		})
	}
}
