package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// actionOrder is the order actions appear in summaries and the chart legend:
// what gives access first, then what takes it away.
var actionOrder = []string{
	store.ActionCreate, store.ActionGrant, store.ActionUpdate, store.ActionEnable,
	store.ActionRevoke, store.ActionRevokeAll, store.ActionDisable,
}

func actionIndex(a string) int {
	for i, x := range actionOrder {
		if x == a {
			return i
		}
	}
	return -1
}

// lossActions are the applied actions by which a person loses access.
var lossActions = []string{store.ActionRevoke, store.ActionRevokeAll, store.ActionDisable}

const (
	topN       = 10 // groups and roles listed in the summary
	maxLost    = 50 // people who lost access listed in the summary
	maxBuckets = 92 // bars in the chart
	dayNanos   = int64(24 * time.Hour)
)

// summary is everything the HTML and PDF reports show above the table.
type summary struct {
	Generated time.Time
	From      time.Time // first day of the period (inclusive), zero when unknown
	To        time.Time // last day of the period (inclusive), zero when unknown
	Filter    []string  // "user: x" lines for the filters in use
	Total     int64
	Held      int64
	Runs      runStats
	ByAction  []actionCount
	TopGroups []nameCount
	TopRoles  []nameCount
	Lost      []lostAccess
	LostTotal int64
	Chart     chart
	HeadID    int64
	HeadHash  string
	Verify    store.VerifyResult // the hash chain alone
	Audit     store.AuditResult  // the chain and its signed checkpoints
	Signed    *signedHead        // the latest checkpoint; nil when none
}

type runStats struct {
	WithChanges int64 // distinct runs that made a selected change
	InPeriod    int64 // runs started in the period (or the selected run)
	ByStatus    []nameCount
}

type actionCount struct {
	Action  string
	Applied int64
	Held    int64
}

type nameCount struct {
	Name  string
	Count int64
}

// lostAccess is one person who lost roles or was disabled.
type lostAccess struct {
	User     string
	OktaID   string
	Lost     string // "all roles, disabled" or the roles revoked
	Last     time.Time
	Changes  int64
	allRoles bool
	disabled bool
}

// summarise computes the summary with SQL aggregates over the scope.
func (x *exporter) summarise(ctx context.Context) (*summary, error) {
	sc := x.scope
	s := &summary{Generated: x.opts.Now, Total: x.total, HeadID: sc.headID, HeadHash: sc.headHash}
	s.Filter = describeFilter(x.opts.Filter)
	var err error
	if s.Audit, s.Signed, err = x.audit(ctx, true); err != nil {
		return nil, err
	}
	s.Verify = s.Audit.Chain
	var first, last sql.NullInt64
	q, args := sc.query("min(at), max(at), coalesce(sum(held), 0), count(DISTINCT run_id)", "", "")
	if err := sc.db.QueryRowContext(ctx, q, args...).Scan(&first, &last, &s.Held, &s.Runs.WithChanges); err != nil {
		return nil, fmt.Errorf("summarise period: %w", err)
	}
	s.From, s.To = period(x.opts.Filter, first, last)
	if err := x.runStats(ctx, s); err != nil {
		return nil, err
	}
	q, args = sc.query("action, sum(held = 0), sum(held)", "", "GROUP BY action")
	err = sc.rows(ctx, "actions", q, args, func(r *sql.Rows) error {
		var a actionCount
		if err := r.Scan(&a.Action, &a.Applied, &a.Held); err != nil {
			return err
		}
		s.ByAction = append(s.ByAction, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(s.ByAction, func(i, j int) bool {
		return actionIndex(s.ByAction[i].Action) < actionIndex(s.ByAction[j].Action)
	})
	if s.TopGroups, err = x.top(ctx, "okta_group"); err != nil {
		return nil, err
	}
	if s.TopRoles, err = x.top(ctx, "role"); err != nil {
		return nil, err
	}
	if err := x.lostAccess(ctx, s); err != nil {
		return nil, err
	}
	var lastAt time.Time
	if last.Valid {
		lastAt = time.Unix(0, last.Int64).UTC()
	}
	if s.Chart, err = x.chart(ctx, s.From, s.To, lastAt); err != nil {
		return nil, err
	}
	return s, nil
}

// period gives the first and last day the report covers: the filter's
// bounds where set, else the dates of the first and last selected change.
func period(f store.ChangeFilter, first, last sql.NullInt64) (from, to time.Time) {
	if !f.Since.IsZero() {
		from = f.Since.UTC()
	} else if first.Valid {
		from = time.Unix(0, first.Int64).UTC()
	}
	if !f.Until.IsZero() {
		to = f.Until.UTC().Add(-time.Nanosecond)
	} else if last.Valid {
		to = time.Unix(0, last.Int64).UTC()
	}
	return from, to
}

// runStats counts the runs of the period by status: the selected run, or
// the runs started within Since and Until.
func (x *exporter) runStats(ctx context.Context, s *summary) error {
	f := x.opts.Filter
	var where []string
	var args []any
	if f.RunID != 0 {
		where, args = append(where, "id = ?"), append(args, f.RunID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, f.Until.UnixNano())
	}
	q := `SELECT status, count(*) FROM runs`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` GROUP BY status ORDER BY status`
	return x.scope.rows(ctx, "runs", q, args, func(r *sql.Rows) error {
		var n nameCount
		if err := r.Scan(&n.Name, &n.Count); err != nil {
			return err
		}
		s.Runs.InPeriod += n.Count
		s.Runs.ByStatus = append(s.Runs.ByStatus, n)
		return nil
	})
}

// top returns the topN values of a column by number of changes.
func (x *exporter) top(ctx context.Context, col string) ([]nameCount, error) {
	q, args := x.scope.query(col+", count(*) AS n", col+" != ''", "GROUP BY "+col+" ORDER BY n DESC, "+col+" LIMIT ?", topN)
	var out []nameCount
	err := x.scope.rows(ctx, col, q, args, func(r *sql.Rows) error {
		var n nameCount
		if err := r.Scan(&n.Name, &n.Count); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

// lostAccess lists the people who lost roles or were disabled by an applied
// change, most recent first, and counts them all.
func (x *exporter) lostAccess(ctx context.Context, s *summary) error {
	sc := x.scope
	loss := "held = 0 AND action IN ('" + strings.Join(lossActions, "', '") + "')"
	q, args := sc.query("count(DISTINCT login)", loss, "")
	if err := sc.db.QueryRowContext(ctx, q, args...).Scan(&s.LostTotal); err != nil {
		return fmt.Errorf("summarise lost access: %w", err)
	}
	q, args = sc.query("login, max(okta_id), max(at) AS last, count(*), max(action = '"+store.ActionRevokeAll+
		"'), max(action = '"+store.ActionDisable+"')", loss, "GROUP BY login ORDER BY last DESC, login LIMIT ?", maxLost)
	err := sc.rows(ctx, "lost access", q, args, func(r *sql.Rows) error {
		var l lostAccess
		var last int64
		if err := r.Scan(&l.User, &l.OktaID, &last, &l.Changes, &l.allRoles, &l.disabled); err != nil {
			return err
		}
		l.Last = time.Unix(0, last).UTC()
		s.Lost = append(s.Lost, l)
		return nil
	})
	if err != nil {
		return err
	}
	for i := range s.Lost {
		l := &s.Lost[i]
		var parts []string
		if l.allRoles {
			parts = append(parts, "all roles")
		}
		if l.disabled {
			parts = append(parts, "disabled")
		}
		if !l.allRoles {
			// "+action" keeps SQLite on the login index: a user has few
			// changes, while an action can have hundreds of thousands.
			q, args := sc.query("DISTINCT role", "login = ? AND +action = ? AND held = 0 AND role != ''",
				"ORDER BY role", l.User, store.ActionRevoke)
			err := sc.rows(ctx, "lost roles", q, args, func(r *sql.Rows) error {
				var role string
				if err := r.Scan(&role); err != nil {
					return err
				}
				parts = append(parts, role)
				return nil
			})
			if err != nil {
				return err
			}
		}
		l.Lost = strings.Join(parts, ", ")
	}
	return nil
}

// describeFilter lists the filters in use, for the report heading.
func describeFilter(f store.ChangeFilter) []string {
	var out []string
	add := func(name, v string) {
		if v != "" {
			out = append(out, name+": "+v)
		}
	}
	if f.RunID != 0 {
		add("run", fmt.Sprint(f.RunID))
	}
	add("user", f.User)
	add("group", f.Group)
	add("role", f.Role)
	add("action", f.Action)
	if !f.Since.IsZero() {
		add("since", f.Since.UTC().Format(time.RFC3339))
	}
	if !f.Until.IsZero() {
		add("until (exclusive)", f.Until.UTC().Format(time.RFC3339))
	}
	if f.AfterID > 0 {
		add("after change", fmt.Sprint(f.AfterID))
	}
	if f.Limit > 0 {
		add("at most", fmt.Sprintf("%d changes", f.Limit))
	}
	return out
}

// periodText is the period as shown in headings and footers.
func (s *summary) periodText() string {
	if s.From.IsZero() && s.To.IsZero() {
		return "no changes"
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return t.Format("2006-01-02")
	}
	if day(s.From) == day(s.To) {
		return day(s.From)
	}
	return day(s.From) + " to " + day(s.To)
}

// verifyText is the verification outcome in one sentence.
func (s *summary) verifyText() string {
	v, a := s.Verify, s.Audit
	signed := "; no signed checkpoint yet"
	if a.Latest != nil {
		signed = fmt.Sprintf("; signed checkpoint %d covers change %d", a.Latest.Seq, a.Latest.LastID)
	}
	switch {
	case !v.OK:
		return fmt.Sprintf("FAILED at change %d (%s): %s", v.FirstBadID, v.Kind, v.Detail)
	case !a.OK:
		return "FAILED: " + strings.Join(a.Problems, "; ")
	}
	return fmt.Sprintf("passed: the audit chain is intact (%d changes checked, head change %d)%s", v.Checked, v.HeadID, signed)
}
