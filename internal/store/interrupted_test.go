package store

import (
	"context"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// deadPID returns the pid of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := osexec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run a short-lived process: %v", err)
	}
	return cmd.Process.Pid
}

// TestOpenMarksRunsOfEndedProcessesInterrupted checks that Open marks a run
// left "running" by a process of this host that has ended as interrupted,
// and leaves alone the runs of live processes (this one, a daemon of the
// same data directory), of other hosts, and recent runs whose process is
// not known.
func TestOpenMarksRunsOfEndedProcessesInterrupted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dead := deadPID(t)
	long := time.Now().Add(-48 * time.Hour)
	runs := []struct {
		name    string
		pid     int
		host    string
		started time.Time
		want    string
	}{
		{"this process", os.Getpid(), host, time.Now(), StatusRunning},
		{"an earlier process that had this pid", os.Getpid(), host, time.Now(), StatusInterrupted},
		{"an ended process", dead, host, time.Now(), StatusInterrupted},
		{"an ended process of another host", dead, host + "-other", time.Now(), StatusRunning},
		{"unknown process, recent", 0, "", time.Now(), StatusRunning},
		{"unknown process, two days old", 0, "", long, StatusInterrupted},
	}
	ids := make([]int64, len(runs))
	for i, r := range runs {
		if ids[i], err = s.StartRun(ctx, TriggerCLI, r.started); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE runs SET pid = ?, host = ? WHERE id = ?`, r.pid, r.host, ids[i]); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(r.name, "an earlier process") {
			ownRuns.Delete(ownRunKey(s.path, ids[i]))
		}
	}
	done, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, Run{ID: done, Status: StatusSucceeded, FinishedAt: t0.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, r := range runs {
		got, err := s.Run(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != r.want {
			t.Errorf("%s: status %q, want %q", r.name, got.Status, r.want)
		}
		if r.want == StatusInterrupted && (got.FinishedAt.IsZero() || !strings.Contains(got.Error, "ended before the run finished")) {
			t.Errorf("%s: interrupted run %+v, want a finish time and the reason", r.name, got)
		}
	}
	if got, _ := s.Run(ctx, done); got.Status != StatusSucceeded {
		t.Errorf("a finished run became %q", got.Status)
	}
}

// TestStartRunRecordsItsProcess checks that a run names the process and
// host that started it, which Open needs to tell a live run from one left
// behind.
func TestStartRunRecordsItsProcess(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	var host string
	if err := s.db.QueryRowContext(ctx, `SELECT pid, host FROM runs WHERE id = ?`, id).Scan(&pid, &host); err != nil {
		t.Fatal(err)
	}
	if want, _ := os.Hostname(); pid != os.Getpid() || host != want {
		t.Fatalf("run started by pid %d on %q, want %d on %q", pid, host, os.Getpid(), want)
	}
	if err := s.FinishRun(ctx, Run{ID: id, Status: StatusInterrupted, FinishedAt: t0}); err != nil {
		t.Fatalf("FinishRun(interrupted): %v", err)
	}
}
