package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

var validActions = map[string]bool{
	ActionCreate: true, ActionGrant: true, ActionRevoke: true, ActionRevokeAll: true,
	ActionUpdate: true, ActionDisable: true, ActionEnable: true,
}

// AddChanges records cs for the run in one transaction. The store assigns
// each change its ID (continuing the global sequence), RunID, PrevHash and
// Hash, and writes them back into cs. At is kept as given, in UTC; it must
// be set.
func (s *Store) AddChanges(ctx context.Context, runID int64, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	for i, c := range cs {
		if !validActions[c.Action] {
			return fmt.Errorf("add changes to run %d: change %d (%s): unknown action %q; use create, grant, revoke, revoke_all, update, disable or enable", runID, i, c.User, c.Action)
		}
		if c.At.IsZero() {
			return fmt.Errorf("add changes to run %d: change %d (%s): time not set", runID, i, c.User)
		}
		if c.User == "" {
			return fmt.Errorf("add changes to run %d: change %d: user login is empty", runID, i)
		}
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		var exists int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE id = ?`, runID).Scan(&exists)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("add changes to run %d: %w", runID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("add changes to run %d: %w", runID, err)
		}
		lastID, lastHash, err := chainHead(ctx, tx)
		if err != nil {
			return fmt.Errorf("add changes to run %d: %w", runID, err)
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO changes (id, run_id, at, login, okta_id, action, role,
			okta_group, reason, held, enc_version, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("add changes to run %d: %w", runID, err)
		}
		defer stmt.Close()
		out := make([]Change, len(cs))
		for i, c := range cs {
			c.ID = lastID + 1
			c.RunID = runID
			c.At = c.At.UTC()
			c.PrevHash = lastHash
			c.Hash = chainHash(EncodingVersion, lastHash, c)
			if _, err := stmt.ExecContext(ctx, c.ID, c.RunID, toNanos(c.At), c.User, c.OktaID, c.Action, c.Role,
				c.Group, c.Reason, c.Held, EncodingVersion, c.PrevHash, c.Hash); err != nil {
				return fmt.Errorf("add changes to run %d: change %d (%s): %w", runID, i, c.User, err)
			}
			lastID, lastHash = c.ID, c.Hash
			out[i] = c
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chain_head (singleton, last_id, last_hash) VALUES (1, ?, ?)
			ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash`,
			lastID, lastHash); err != nil {
			return fmt.Errorf("add changes to run %d: move chain head: %w", runID, err)
		}
		copy(cs, out)
		return nil
	})
}

// Changes returns all changes of one run in ID order.
func (s *Store) Changes(ctx context.Context, runID int64) ([]Change, error) {
	return s.QueryChanges(ctx, ChangeFilter{RunID: runID})
}

const changeColumns = `id, run_id, at, login, okta_id, action, role, okta_group, reason, held, enc_version, prev_hash, hash`

// changeWhere returns the SQL conditions (joined with AND, empty when none)
// and their arguments that select f's rows of the changes table, ignoring
// Limit. Every condition is served by an index.
func changeWhere(f ChangeFilter) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.RunID != 0 {
		add("run_id = ?", f.RunID)
	}
	if f.User != "" {
		add("login = ?", f.User)
	}
	if f.Group != "" {
		add("okta_group = ?", f.Group)
	}
	if f.Role != "" {
		add("role = ?", f.Role)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	equality := len(where) > 0
	if !f.Since.IsZero() {
		add("at >= ?", toNanos(f.Since))
		if !equality {
			// Bound the ID range through the covering index on (at, id), so
			// a time window reads only its rows, in ID order, without a sort.
			add("id >= (SELECT min(id) FROM changes INDEXED BY changes_at WHERE at >= ?)", toNanos(f.Since))
		}
	}
	if !f.Until.IsZero() {
		add("at < ?", toNanos(f.Until))
		if !equality {
			add("id <= (SELECT max(id) FROM changes INDEXED BY changes_at WHERE at < ?)", toNanos(f.Until))
		}
	}
	if f.AfterID > 0 {
		add("id > ?", f.AfterID)
	}
	if f.MaxID > 0 {
		add("id <= ?", f.MaxID)
	}
	return strings.Join(where, " AND "), args
}

// changeQuery selects f's rows of the changes table, in ID order.
func changeQuery(f ChangeFilter) (string, []any) {
	where, args := changeWhere(f)
	q := `SELECT ` + changeColumns + ` FROM changes`
	if where != "" {
		q += ` WHERE ` + where
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

// storedChange is a change row with the encoding version it was hashed with.
type storedChange struct {
	Change
	version int
}

func scanChange(sc rowScanner) (storedChange, error) {
	var c storedChange
	var at int64
	err := sc.Scan(&c.ID, &c.RunID, &at, &c.User, &c.OktaID, &c.Action, &c.Role, &c.Group, &c.Reason,
		&c.Held, &c.version, &c.PrevHash, &c.Hash)
	c.At = fromNanos(at)
	return c, err
}

// QueryChanges returns the changes that match f, in ID order. Each filter
// field is served by an index, so filtering a large history stays fast.
func (s *Store) QueryChanges(ctx context.Context, f ChangeFilter) ([]Change, error) {
	var out []Change
	err := s.EachChange(ctx, f, func(c Change) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// EachChange calls fn for every change that matches f, in ID order, reading
// row by row so memory does not grow with the number of rows. An error from
// fn stops the iteration and is returned.
func (s *Store) EachChange(ctx context.Context, f ChangeFilter, fn func(Change) error) error {
	q, args := changeQuery(f)
	rows, err := s.db.QueryContext(ctx, q, args...)
	return eachRow(rows, err, fn)
}

// eachRow calls fn for every change of rows, the result of a query that
// failed with err or selected changeColumns.
func eachRow(rows *sql.Rows, err error, fn func(Change) error) error {
	if err != nil {
		return fmt.Errorf("query changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return fmt.Errorf("query changes: %w", err)
		}
		if err := fn(c.Change); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query changes: %w", err)
	}
	return nil
}

// readCacheKiB is the page cache of a connection ScanChanges reads on.
const readCacheKiB = 2048

// ScanChanges is EachChange on a connection held for the call, with a page
// cache of readCacheKiB while it reads. A read of many rows in id order
// gains nothing from the cache, which would otherwise grow to its full size
// on every connection that exports read in parallel.
func (s *Store) ScanChanges(ctx context.Context, f ChangeFilter, fn func(Change) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("query changes: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", readCacheKiB)); err != nil {
		return fmt.Errorf("query changes: %w", err)
	}
	// Back to the store's cache before the connection returns to the pool.
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA cache_size = -%d", cacheKiB))
	}()
	q, args := changeQuery(f)
	rows, err := conn.QueryContext(ctx, q, args...)
	return eachRow(rows, err, fn)
}

// CountChanges returns how many changes match f (Limit and AfterID apply).
func (s *Store) CountChanges(ctx context.Context, f ChangeFilter) (int64, error) {
	q, args := changeQuery(f)
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	return n, nil
}
