package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunWhoseEndCannotBeRecordedIsInterruptedByTheNextRun: when
// FinishRun cannot write (here a cancelled context; in use, a full disk),
// the run is not left "running" for the life of the process: the next
// StartRun of the same process marks it interrupted and says why.
func TestRunWhoseEndCannotBeRecordedIsInterruptedByTheNextRun(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	id, err := s.StartRun(ctx, "cli", now)
	if err != nil {
		t.Fatal(err)
	}
	dead, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.FinishRun(dead, Run{ID: id, Status: StatusFailed, FinishedAt: now, Error: "disk full"}); err == nil {
		t.Fatal("FinishRun with a cancelled context succeeded")
	}
	if r, _ := s.Run(ctx, id); r.Status != StatusRunning {
		t.Fatalf("run %d after the failed FinishRun: %q, want running", id, r.Status)
	}
	next, err := s.StartRun(ctx, "cli", now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusInterrupted || !strings.Contains(r.Error, "could not be recorded") {
		t.Errorf("run %d after the next StartRun: %q %q, want interrupted, saying its end could not be recorded", id, r.Status, r.Error)
	}
	if r, _ := s.Run(ctx, next); r.Status != StatusRunning {
		t.Errorf("the next run %d: %q, want running", next, r.Status)
	}
}
