package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

var validTriggers = map[string]bool{
	TriggerManual: true, TriggerSchedule: true, TriggerCLI: true, TriggerDemo: true, TriggerApproval: true,
}

var validStatuses = map[string]bool{
	StatusRunning: true, StatusSucceeded: true, StatusFailed: true, StatusHeld: true, StatusInterrupted: true,
}

// StartRun records a new run in status "running" and returns its id. The
// run names this process and host, so that Open can tell a run left behind
// by a process that ended.
func (s *Store) StartRun(ctx context.Context, trigger string, at time.Time) (int64, error) {
	if !validTriggers[trigger] {
		return 0, fmt.Errorf("start run: unknown trigger %q; use manual, schedule, cli, demo or approval", trigger)
	}
	if at.IsZero() {
		return 0, errors.New("start run: zero start time")
	}
	// A run of this process whose end could not be recorded (a full disk)
	// is marked interrupted now, if the database can be written again.
	if err := s.interruptEnded(ctx); err != nil {
		return 0, fmt.Errorf("start run: %w", err)
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO runs (trigger, status, started_at, pid, host) VALUES (?, ?, ?, ?, ?)`,
		trigger, StatusRunning, toNanos(at), os.Getpid(), hostname())
	if err != nil {
		return 0, fmt.Errorf("start run: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("start run: %w", err)
	}
	ownRuns.Store(ownRunKey(s.path, id), true)
	return id, nil
}

// FinishRun updates the run r.ID with r's status, finish time, counts,
// error and feed. Trigger and StartedAt are kept as recorded by StartRun.
func (s *Store) FinishRun(ctx context.Context, r Run) error {
	if !validStatuses[r.Status] {
		return fmt.Errorf("finish run %d: unknown status %q; use running, succeeded, failed, held or interrupted", r.ID, r.Status)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET status = ?, finished_at = ?, created = ?, granted = ?,
		revoked = ?, held = ?, api_calls = ?, error = ?, dry_run = ?, feed = ? WHERE id = ?`,
		r.Status, toNanos(r.FinishedAt), r.Created, r.Granted, r.Revoked, r.Held, r.APICalls, r.Error, r.DryRun, r.Feed, r.ID)
	if err != nil {
		// The run is no longer this process's: the next Open or StartRun
		// marks it interrupted rather than leaving it running.
		ownRuns.Delete(ownRunKey(s.path, r.ID))
		unfinished.Store(ownRunKey(s.path, r.ID), true)
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("finish run %d: %w", r.ID, ErrNotFound)
	}
	return nil
}

const runColumns = `id, trigger, status, started_at, finished_at, created, granted, revoked, held, api_calls, error, dry_run, feed`

type rowScanner interface{ Scan(dest ...any) error }

func scanRun(sc rowScanner) (Run, error) {
	var r Run
	var started, finished int64
	err := sc.Scan(&r.ID, &r.Trigger, &r.Status, &started, &finished, &r.Created, &r.Granted,
		&r.Revoked, &r.Held, &r.APICalls, &r.Error, &r.DryRun, &r.Feed)
	r.StartedAt, r.FinishedAt = fromNanos(started), fromNanos(finished)
	return r, err
}

// Run returns one run; ErrNotFound when there is none with that id.
func (s *Store) Run(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %d: %w", id, err)
	}
	return r, nil
}

// Runs returns up to limit runs, newest first, with ids below beforeID
// (0 starts from the newest). limit <= 0 means 50.
func (s *Store) Runs(ctx context.Context, limit int, beforeID int64) ([]Run, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT ` + runColumns + ` FROM runs`
	args := []any{}
	if beforeID > 0 {
		q += ` WHERE id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// LastRun returns the newest run; ok is false when no run was recorded yet.
func (s *Store) LastRun(ctx context.Context) (r Run, ok bool, err error) {
	r, err = scanRun(s.db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("last run: %w", err)
	}
	return r, true, nil
}

// LastRunWithStatus returns the newest run in the given status; ok is false
// when there is none.
func (s *Store) LastRunWithStatus(ctx context.Context, status string) (r Run, ok bool, err error) {
	r, err = scanRun(s.db.QueryRowContext(ctx,
		`SELECT `+runColumns+` FROM runs WHERE status = ? ORDER BY id DESC LIMIT 1`, status))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("last %s run: %w", status, err)
	}
	return r, true, nil
}
