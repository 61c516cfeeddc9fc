package store

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// unknownProcessAfter is how long ago a run left "running" by an unknown
// process (one recorded before runs named their process) must have started
// for Open to mark it interrupted: no run lasts that long.
const unknownProcessAfter = 24 * time.Hour

// ownRuns are the runs this process started, by database path and id: a
// run that names this process's pid but is not among them was left by an
// earlier process that had the same pid (a daemon restarted in a
// container, where it is often pid 1).
var ownRuns sync.Map

// unfinished are the runs of this process whose end FinishRun could not
// record, by database path and id.
var unfinished sync.Map

// unrecorded reports whether run id is one of this process's runs whose
// end could not be recorded.
func (s *Store) unrecorded(id int64) bool {
	_, ok := unfinished.Load(ownRunKey(s.path, id))
	return ok
}

func ownRunKey(path string, id int64) string { return fmt.Sprintf("%s\x00%d", path, id) }

func hostname() string {
	h, _ := os.Hostname()
	return h
}

// interruptEnded marks as interrupted the runs left "running" by a process
// of this host that has ended, by this process when it could not record
// their end, or by an unknown process more than unknownProcessAfter ago.
// The run of a live process (this one, or the app or daemon of the same
// data directory in another process) is left alone; so is one whose pid
// another process has taken since, until a later Open.
func (s *Store) interruptEnded(ctx context.Context) error {
	type left struct {
		id, started int64
		pid         int
		host        string
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, pid, host FROM runs WHERE status = ?`, StatusRunning)
	if err != nil {
		return fmt.Errorf("find runs left running: %w", err)
	}
	var runs []left
	for rows.Next() {
		var r left
		if err := rows.Scan(&r.id, &r.started, &r.pid, &r.host); err != nil {
			rows.Close()
			return fmt.Errorf("find runs left running: %w", err)
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find runs left running: %w", err)
	}
	host, now := hostname(), s.now()
	for _, r := range runs {
		var why string
		switch {
		case s.unrecorded(r.id):
			why = "interrupted: its end could not be recorded (the database could not be written, e.g. a full disk); the changes it recorded were made, and the next run makes the rest"
		case r.pid > 0 && r.host == host && !s.runAlive(r.id, r.pid):
			why = fmt.Sprintf("interrupted: the process that ran it (pid %d) ended before the run finished; the changes it recorded were made, and the next run makes the rest", r.pid)
		case r.pid == 0 && now.Sub(fromNanos(r.started)) > unknownProcessAfter:
			why = "interrupted: the process that ran it ended before the run finished; the changes it recorded were made, and the next run makes the rest"
		default:
			continue
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = ?`,
			StatusInterrupted, toNanos(now), why, r.id, StatusRunning); err != nil {
			return fmt.Errorf("mark run %d interrupted: %w", r.id, err)
		}
	}
	return nil
}

// runAlive reports whether the process pid that started run id may still
// be running it.
func (s *Store) runAlive(id int64, pid int) bool {
	if pid == os.Getpid() {
		_, ours := ownRuns.Load(ownRunKey(s.path, id))
		return ours
	}
	return processAlive(pid)
}
