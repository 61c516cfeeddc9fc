package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// ErrHoldDecided is returned when deciding a hold that is no longer pending.
var ErrHoldDecided = errors.New("hold already decided")

// CreateHold records the changes runID held for approval, in status
// pending. A run has at most one hold.
func (s *Store) CreateHold(ctx context.Context, runID int64, changes []Change) error {
	if len(changes) == 0 {
		return fmt.Errorf("create hold for run %d: no changes to hold", runID)
	}
	held := make([]Change, len(changes))
	for i, c := range changes {
		c.RunID = runID
		c.Held = true
		c.At = c.At.UTC()
		held[i] = c
	}
	doc, err := json.Marshal(held)
	if err != nil {
		return fmt.Errorf("create hold for run %d: %w", runID, err)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE id = ?`, runID).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("create hold for run %d: %w", runID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("create hold for run %d: %w", runID, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO holds (run_id, status, changes, created_at) VALUES (?, ?, ?, ?)`,
			runID, HoldPending, string(doc), toNanos(s.now()))
		if err != nil {
			return fmt.Errorf("create hold for run %d: %w", runID, err)
		}
		return nil
	})
}

func scanHold(sc rowScanner) (Hold, error) {
	var h Hold
	var doc string
	var created, decided int64
	if err := sc.Scan(&h.RunID, &h.Status, &doc, &created, &decided); err != nil {
		return Hold{}, err
	}
	h.CreatedAt, h.DecidedAt = fromNanos(created), fromNanos(decided)
	if err := json.Unmarshal([]byte(doc), &h.Changes); err != nil {
		return Hold{}, fmt.Errorf("decode held changes: %w", err)
	}
	return h, nil
}

const holdColumns = `run_id, status, changes, created_at, decided_at`

// Hold returns the hold of one run; ErrNotFound when that run held nothing.
func (s *Store) Hold(ctx context.Context, runID int64) (Hold, error) {
	h, err := scanHold(s.db.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM holds WHERE run_id = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return Hold{}, fmt.Errorf("hold for run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return Hold{}, fmt.Errorf("hold for run %d: %w", runID, err)
	}
	return h, nil
}

// PendingHolds returns the holds waiting for a decision, oldest first.
func (s *Store) PendingHolds(ctx context.Context) ([]Hold, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+holdColumns+` FROM holds WHERE status = ? ORDER BY run_id`, HoldPending)
	if err != nil {
		return nil, fmt.Errorf("pending holds: %w", err)
	}
	defer rows.Close()
	var out []Hold
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, fmt.Errorf("pending holds: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pending holds: %w", err)
	}
	return out, nil
}

// DecideHold approves or rejects a pending hold. Deciding a hold twice
// returns ErrHoldDecided.
func (s *Store) DecideHold(ctx context.Context, runID int64, status string) error {
	if status != HoldApproved && status != HoldRejected {
		return fmt.Errorf("decide hold for run %d: status %q; use approved or rejected", runID, status)
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT status FROM holds WHERE run_id = ?`, runID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("decide hold for run %d: %w", runID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("decide hold for run %d: %w", runID, err)
		}
		if cur != HoldPending {
			return fmt.Errorf("decide hold for run %d: %w (%s)", runID, ErrHoldDecided, cur)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE holds SET status = ?, decided_at = ? WHERE run_id = ?`,
			status, toNanos(s.now()), runID); err != nil {
			return fmt.Errorf("decide hold for run %d: %w", runID, err)
		}
		return nil
	})
}
