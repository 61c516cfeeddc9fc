package report

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rolesync/rolesync/internal/store"
)

// scope is the set of change rows one export covers: the filter, bounded by
// the highest change ID present when the export started, so rows written
// during the export stay out of both the table and the aggregates.
type scope struct {
	db     *sql.DB
	filter store.ChangeFilter
	maxID  int64
	// head is the chain head recorded by the store when the export started.
	headID   int64
	headHash string
}

func newScope(ctx context.Context, st *store.Store, f store.ChangeFilter) (*scope, error) {
	sc := &scope{db: st.DB(), filter: f}
	var err error
	if sc.headID, sc.headHash, err = st.ChainHead(ctx); err != nil {
		return nil, err
	}
	if err := sc.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM changes`).Scan(&sc.maxID); err != nil {
		return nil, fmt.Errorf("read last change id: %w", err)
	}
	return sc, nil
}

// query builds "SELECT cols FROM <selected changes> [WHERE extra] tail". The
// filter's fields are served by the store's indexes; a Limit turns the
// selection into a subquery so aggregates count the same rows the table shows.
func (sc *scope) query(cols, extra, tail string, extraArgs ...any) (string, []any) {
	f := sc.filter
	f.MaxID = sc.maxID
	cond, args := f.Where()
	switch {
	case sc.maxID == 0: // the history was empty when the export started
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

// count returns how many changes the export covers.
func (sc *scope) count(ctx context.Context) (int64, error) {
	q, args := sc.query("count(*)", "", "")
	var n int64
	if err := sc.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count changes: %w", err)
	}
	return n, nil
}

// rows runs an aggregate query and hands each row to scan.
func (sc *scope) rows(ctx context.Context, what, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := sc.db.QueryContext(ctx, q, args...)
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
