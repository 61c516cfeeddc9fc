package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ChangeScope is the set of change rows one report covers: a filter,
// bounded by the highest change ID present when the scope was taken, so rows
// written afterwards stay out of both the rows read and the aggregates. Its
// methods are the aggregates a report shows above its table.
type ChangeScope struct {
	s      *Store
	filter ChangeFilter
	// MaxID is the highest change ID when the scope was taken; 0 when the
	// history was empty.
	MaxID int64
	// HeadID and HeadHash are the chain head recorded when the scope was
	// taken.
	HeadID   int64
	HeadHash string
}

// Scope takes the scope of f: the chain head and the highest change ID now.
func (s *Store) Scope(ctx context.Context, f ChangeFilter) (*ChangeScope, error) {
	sc := &ChangeScope{s: s, filter: f}
	var err error
	if sc.HeadID, sc.HeadHash, err = s.ChainHead(ctx); err != nil {
		return nil, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM changes`).Scan(&sc.MaxID); err != nil {
		return nil, fmt.Errorf("read last change id: %w", err)
	}
	return sc, nil
}

// query builds "SELECT cols FROM <selected changes> [WHERE extra] tail". The
// filter's fields are served by the store's indexes; a Limit turns the
// selection into a subquery so aggregates count the same rows the table shows.
func (sc *ChangeScope) query(cols, extra, tail string, extraArgs ...any) (string, []any) {
	f := sc.filter
	f.MaxID = sc.MaxID
	cond, args := changeWhere(f)
	switch {
	case sc.MaxID == 0: // the history was empty when the scope was taken
		cond = and(cond, "id <= 0")
	case cond == "":
		cond = "1"
	}
	var q string
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q = `SELECT ` + cols + ` FROM (SELECT * FROM changes WHERE ` + cond + ` ORDER BY id LIMIT ?)`
		if extra != "" {
			q += ` WHERE ` + extra
		}
	} else {
		cond = and(cond, extra)
		q = `SELECT ` + cols + ` FROM changes WHERE ` + cond
	}
	return q + " " + tail, append(args, extraArgs...)
}

// and joins two SQL conditions, either of which may be empty.
func and(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " AND " + b
}

// rows runs an aggregate query and hands each row to scan.
func (sc *ChangeScope) rows(ctx context.Context, what, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := sc.s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("summarise %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("summarise %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("summarise %s: %w", what, err)
	}
	return nil
}

// Count returns how many changes the scope covers.
func (sc *ChangeScope) Count(ctx context.Context) (int64, error) {
	q, args := sc.query("count(*)", "", "")
	var n int64
	if err := sc.s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	return n, nil
}

// ScopeTotals are the scope's bounds and counts.
type ScopeTotals struct {
	// First and Last are the times of the first and last change; zero when
	// the scope has none.
	First, Last time.Time
	// Held counts the held changes.
	Held int64
	// Runs counts the distinct runs that made a change of the scope.
	Runs int64
}

// Totals returns the scope's first and last change times, its held changes
// and the runs its changes come from.
func (sc *ChangeScope) Totals(ctx context.Context) (ScopeTotals, error) {
	var t ScopeTotals
	var first, last sql.NullInt64
	q, args := sc.query("min(at), max(at), coalesce(sum(held), 0), count(DISTINCT run_id)", "", "")
	if err := sc.s.db.QueryRowContext(ctx, q, args...).Scan(&first, &last, &t.Held, &t.Runs); err != nil {
		return ScopeTotals{}, fmt.Errorf("summarise period: %w", err)
	}
	if first.Valid {
		t.First = time.Unix(0, first.Int64).UTC()
	}
	if last.Valid {
		t.Last = time.Unix(0, last.Int64).UTC()
	}
	return t, nil
}

// ActionCount is how many changes of one action were applied and held.
type ActionCount struct {
	Action  string
	Applied int64
	Held    int64
}

// ByAction counts the scope's changes by action, in no particular order.
func (sc *ChangeScope) ByAction(ctx context.Context) ([]ActionCount, error) {
	q, args := sc.query("action, sum(held = 0), sum(held)", "", "GROUP BY action")
	var out []ActionCount
	err := sc.rows(ctx, "actions", q, args, func(r *sql.Rows) error {
		var a ActionCount
		if err := r.Scan(&a.Action, &a.Applied, &a.Held); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// NameCount is a name (a group, a role, a run status) and a count.
type NameCount struct {
	Name  string
	Count int64
}

// TopGroups returns the n Okta groups with the most changes of the scope.
func (sc *ChangeScope) TopGroups(ctx context.Context, n int) ([]NameCount, error) {
	return sc.top(ctx, "okta_group", n)
}

// TopRoles returns the n roles with the most changes of the scope.
func (sc *ChangeScope) TopRoles(ctx context.Context, n int) ([]NameCount, error) {
	return sc.top(ctx, "role", n)
}

// top returns the n values of a column with the most changes.
func (sc *ChangeScope) top(ctx context.Context, col string, n int) ([]NameCount, error) {
	q, args := sc.query(col+", count(*) AS n", col+" != ''", "GROUP BY "+col+" ORDER BY n DESC, "+col+" LIMIT ?", n)
	var out []NameCount
	err := sc.rows(ctx, col, q, args, func(r *sql.Rows) error {
		var c NameCount
		if err := r.Scan(&c.Name, &c.Count); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// RunsByStatus counts runs by status, in status order: the run runID when
// it is not 0, and those started within since (inclusive) and until
// (exclusive) where set.
func (s *Store) RunsByStatus(ctx context.Context, runID int64, since, until time.Time) ([]NameCount, error) {
	var where []string
	var args []any
	if runID != 0 {
		where, args = append(where, "id = ?"), append(args, runID)
	}
	if !since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, since.UnixNano())
	}
	if !until.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, until.UnixNano())
	}
	q := `SELECT status, count(*) FROM runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` GROUP BY status ORDER BY status`
	var out []NameCount
	err := (&ChangeScope{s: s}).rows(ctx, "runs", q, args, func(r *sql.Rows) error {
		var n NameCount
		if err := r.Scan(&n.Name, &n.Count); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// PerBucket counts the scope's changes by action in buckets of width from
// start: fn gets each bucket's index (negative before start), action and
// count.
func (sc *ChangeScope) PerBucket(ctx context.Context, start time.Time, width time.Duration,
	fn func(bucket int64, action string, count int64)) error {
	q, args := sc.query("(at - ?) / ? AS b, action, count(*)", "", "GROUP BY b, action")
	args = append([]any{start.UnixNano(), int64(width)}, args...)
	return sc.rows(ctx, "changes per day", q, args, func(r *sql.Rows) error {
		var b, count int64
		var action string
		if err := r.Scan(&b, &action, &count); err != nil {
			return err
		}
		fn(b, action, count)
		return nil
	})
}
