package report

import (
	"context"
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
	User    string
	OktaID  string
	Lost    string // "all roles, disabled" or the roles revoked
	Last    time.Time
	Changes int64
}

// summarise computes the summary with the store's aggregates over the scope.
func (x *exporter) summarise(ctx context.Context) (*summary, error) {
	sc := x.scope
	s := &summary{Generated: x.opts.Now, Total: x.total, HeadID: sc.HeadID, HeadHash: sc.HeadHash}
	s.Filter = describeFilter(x.opts.Filter)
	var err error
	if s.Audit, s.Signed, err = x.audit(ctx, true); err != nil {
		return nil, err
	}
	s.Verify = s.Audit.Chain
	totals, err := sc.Totals(ctx)
	if err != nil {
		return nil, err
	}
	s.Held, s.Runs.WithChanges = totals.Held, totals.Runs
	s.From, s.To = period(x.opts.Filter, totals.First, totals.Last)
	if err := x.runStats(ctx, s); err != nil {
		return nil, err
	}
	if s.ByAction, err = x.byAction(ctx); err != nil {
		return nil, err
	}
	if s.TopGroups, err = names(sc.TopGroups(ctx, topN)); err != nil {
		return nil, err
	}
	if s.TopRoles, err = names(sc.TopRoles(ctx, topN)); err != nil {
		return nil, err
	}
	if err := x.lostAccess(ctx, s); err != nil {
		return nil, err
	}
	if s.Chart, err = x.chart(ctx, s.From, s.To, totals.Last); err != nil {
		return nil, err
	}
	return s, nil
}

// period gives the first and last day the report covers: the filter's
// bounds where set, else the dates of the first and last selected change
// (zero when there is none).
func period(f store.ChangeFilter, first, last time.Time) (from, to time.Time) {
	from, to = first, last
	if !f.Since.IsZero() {
		from = f.Since.UTC()
	}
	if !f.Until.IsZero() {
		to = f.Until.UTC().Add(-time.Nanosecond)
	}
	return from, to
}

// runStats counts the runs of the period by status: the selected run, or
// the runs started within Since and Until.
func (x *exporter) runStats(ctx context.Context, s *summary) error {
	f := x.opts.Filter
	counts, err := names(x.st.RunsByStatus(ctx, f.RunID, f.Since, f.Until))
	if err != nil {
		return err
	}
	for _, n := range counts {
		s.Runs.InPeriod += n.Count
	}
	s.Runs.ByStatus = counts
	return nil
}

// byAction counts the selected changes by action, in actionOrder.
func (x *exporter) byAction(ctx context.Context) ([]actionCount, error) {
	counts, err := x.scope.ByAction(ctx)
	if err != nil {
		return nil, err
	}
	var out []actionCount
	for _, c := range counts {
		out = append(out, actionCount(c))
	}
	sort.SliceStable(out, func(i, j int) bool {
		return actionIndex(out[i].Action) < actionIndex(out[j].Action)
	})
	return out, nil
}

// names converts the store's counts to the summary's.
func names(counts []store.NameCount, err error) ([]nameCount, error) {
	if err != nil {
		return nil, err
	}
	var out []nameCount
	for _, c := range counts {
		out = append(out, nameCount(c))
	}
	return out, nil
}

// lostAccess lists the people who lost roles or were disabled by an applied
// change, most recent first, and counts them all.
func (x *exporter) lostAccess(ctx context.Context, s *summary) error {
	total, lost, err := x.scope.LostAccess(ctx, maxLost)
	if err != nil {
		return err
	}
	s.LostTotal = total
	for _, l := range lost {
		var parts []string
		if l.AllRoles {
			parts = append(parts, "all roles")
		}
		if l.Disabled {
			parts = append(parts, "disabled")
		}
		if !l.AllRoles {
			roles, err := x.scope.RevokedRoles(ctx, l.User)
			if err != nil {
				return err
			}
			parts = append(parts, roles...)
		}
		s.Lost = append(s.Lost, lostAccess{User: l.User, OktaID: l.OktaID, Lost: strings.Join(parts, ", "),
			Last: l.Last, Changes: l.Changes})
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
