package faultmatrix

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

// cell is one fault at one point of a run, against one target in one
// authentication mode.
type cell struct {
	fault  fault
	point  int
	target string
	auth   string
}

func (c cell) pointName() string { return c.fault.points(c.target)[c.point] }

func (c cell) name() string {
	return strings.NewReplacer(" ", "_").Replace(fmt.Sprintf("%s/%s/%s/%s", c.fault.name, c.pointName(), c.target, c.auth))
}

// targets are the targets a fault can hit: Okta faults both, SCIM faults
// the SCIM target.
func (f fault) targets() []string {
	if f.side == sideSCIM {
		return []string{"scim"}
	}
	return []string{"local", "scim"}
}

// fullMode is the whole cross product: ROLESYNC_FAULTS_FULL=1.
func fullMode() bool { return os.Getenv("ROLESYNC_FAULTS_FULL") != "" }

// cells lists the matrix: in full mode every fault at every point against
// every target in every mode it exists in; otherwise every fault against
// every target once, the points and modes turning over the cells.
func cells() []cell {
	var out []cell
	turn := 0
	for _, f := range faults {
		for _, tgt := range f.targets() {
			points := len(f.points(tgt))
			if fullMode() {
				for p := range points {
					for _, a := range f.auth {
						out = append(out, cell{f, p, tgt, a})
					}
				}
				continue
			}
			out = append(out, cell{f, turn % points, tgt, f.auth[turn%len(f.auth)]})
			turn++
		}
	}
	return out
}

// outcome is what a cell saw.
type outcome struct {
	status string // of the faulted run
	err    string // its error
	// next is how many changes the run after the fault made, and held
	// whether it held revocations for approval.
	next int
	held int
}

// String names the outcome for the table: "failed" (nothing wrong was
// applied, the next run made the rest), "absorbed" (retries got through
// and the run did all its work), or "succeeded, n left" (the run ended
// well but left n changes to the next run: a write the provider dropped,
// or an Okta change made while it read); ", next run held n" when the next
// run held revocations for approval (a mapped group gone).
func (o outcome) String() string {
	s := o.status
	switch {
	case o.status == "succeeded" && o.next == 0:
		s = "absorbed"
	case o.status == "succeeded":
		s = fmt.Sprintf("succeeded, %d left", o.next)
	}
	if o.held > 0 {
		s += fmt.Sprintf(", next run held %d", o.held)
	}
	return s
}

// TestFaultMatrix runs every cell and logs the matrix.
func TestFaultMatrix(t *testing.T) {
	var mu sync.Mutex
	results := map[string]map[string][]string{} // fault -> point -> outcomes
	start := time.Now()
	t.Run("cells", func(t *testing.T) {
		for _, c := range cells() {
			t.Run(c.name(), func(t *testing.T) {
				t.Parallel()
				o := runCell(t, c)
				mu.Lock()
				defer mu.Unlock()
				if results[c.fault.name] == nil {
					results[c.fault.name] = map[string][]string{}
				}
				results[c.fault.name][c.pointName()] = append(results[c.fault.name][c.pointName()],
					fmt.Sprintf("%s (%s, %s)", o, c.target, c.auth))
			})
		}
	})
	t.Logf("fault matrix, %d cells in %s:\n%s", len(cells()), time.Since(start).Round(time.Second), matrixTable(results))
}

// matrixTable renders the outcomes as a Markdown table, a row per fault
// and point: each outcome with the number of cells (target and auth mode
// combinations) that saw it, and which cells when they did not all agree.
func matrixTable(results map[string]map[string][]string) string {
	var b strings.Builder
	b.WriteString("| fault | point | outcome (cells) |\n| --- | --- | --- |\n")
	for _, f := range faults {
		for _, p := range f.points("scim") {
			if outs := results[f.name][p]; len(outs) > 0 {
				fmt.Fprintf(&b, "| %s | %s | %s |\n", f.name, p, summarize(outs))
			}
		}
	}
	return b.String()
}

// summarize groups "outcome (target, auth)" entries by outcome.
func summarize(outs []string) string {
	cellsOf := map[string][]string{}
	var labels []string
	for _, o := range outs {
		label, where, _ := strings.Cut(o, " (")
		if cellsOf[label] == nil {
			labels = append(labels, label)
		}
		cellsOf[label] = append(cellsOf[label], strings.ReplaceAll(strings.TrimSuffix(where, ")"), ",", ""))
	}
	sort.Strings(labels)
	var parts []string
	for _, l := range labels {
		sort.Strings(cellsOf[l])
		part := fmt.Sprintf("%s ×%d", l, len(cellsOf[l]))
		if len(labels) > 1 || len(outs) == 1 {
			part += " (" + strings.Join(cellsOf[l], ", ") + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// runCell syncs once, changes the org so that the next run has work, runs
// it with the fault armed, checks it, then runs again without the fault
// and checks that the target converged.
func runCell(t *testing.T, c cell) outcome {
	w := newWorld(t, c.target, c.auth)
	if c.fault.setup != nil {
		c.fault.setup(w)
	}
	if code, res, errs := w.sync(); code != 0 || res.Status != "succeeded" {
		t.Fatalf("first sync: exit %d %+v %s", code, res, errs)
	}
	w.moveMembers()
	before := w.holdings()
	c.fault.inject(w, c.point)
	code, res, errs := w.sync()
	fired := w.sim.HooksFired()
	if w.faults != nil {
		fired += w.faults.Fired()
	}
	w.disarm()
	if fired == 0 {
		t.Errorf("the fault never fired")
	}
	t.Logf("faulted run: exit %d, %s: %s", code, res.Status, res.Error)
	if bad := w.wrongful(before, w.holdings()); len(bad) > 0 {
		t.Errorf("wrongful revocations: %v", bad)
	}
	w.checkRecorded(c.fault, code, res, errs)
	next := w.converge()
	return outcome{status: res.Status, err: res.Error, next: next.Created + next.Granted + next.Revoked, held: next.Held}
}

// disarm removes every fault, hook and clock change.
func (w *world) disarm() {
	w.sim.ClearHooks()
	w.sim.ClearFaults()
	if w.auth != "api_token" {
		w.sim.SetOAuthClock(time.Now)
	}
	if w.faults != nil {
		w.faults.disarm()
	}
}

// checkRecorded checks that the history holds the run as sync reported it
// and that a failed run's error names what failed.
func (w *world) checkRecorded(f fault, code int, res syncResult, errs string) {
	t := w.t
	last := w.lastRun()
	if last.RunID != res.RunID || last.Status != res.Status || last.Error != res.Error {
		t.Errorf("history's last run %+v differs from the run's result %+v", last, res)
	}
	switch res.Status {
	case "failed":
		if code == 0 || res.Error == "" {
			t.Errorf("a failed run: exit %d, error %q", code, res.Error)
		}
		if !f.namesFailure(res.Error) {
			t.Errorf("the error %q does not name %s and one of %q", res.Error, failedWhere[f.side], f.names)
		}
		if !strings.Contains(errs, oneLine(res.Error)) && !strings.Contains(errs, res.Error) {
			t.Errorf("stderr %q does not carry the run's error", errs)
		}
	case "succeeded", "held":
		if code != 0 {
			t.Errorf("a %s run exited %d: %s", res.Status, code, errs)
		}
	default:
		t.Errorf("the faulted run ended %q", res.Status)
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// converge runs sync without the fault (approving what it holds, such as
// the revocations of a mapped group deleted in Okta) and checks that the
// target holds exactly what Okta grants, and that one more run has
// nothing to do. It returns the result of the first run.
func (w *world) converge() syncResult {
	t := w.t
	code, first, errs := w.sync()
	res := first
	if res.Status == "held" {
		w.mustRun("", "approve", fmt.Sprint(res.RunID))
	} else if code != 0 || res.Status != "succeeded" {
		t.Fatalf("the run after the fault: exit %d %+v %s", code, res, errs)
	}
	if diffs := w.converged(); len(diffs) > 0 {
		t.Fatalf("the target does not hold what Okta grants after the run without the fault (%d users):\n%s",
			len(diffs), strings.Join(diffs[:min(len(diffs), 10)], "\n"))
	}
	code, res, errs = w.sync()
	if code != 0 || res.Status != "succeeded" || res.Created+res.Granted+res.Revoked+res.Held != 0 {
		t.Errorf("the run after convergence: exit %d %+v %s", code, res, errs)
	}
	return first
}

// moveMembers changes Engineering and Security so that the next run
// creates users, grants and revokes roles: four members leave
// Engineering, six users who are in no mapped group join it, and two
// Engineering members join Security.
func (w *world) moveMembers() {
	t := w.t
	org := w.sim.Org()
	eng, sec := w.groupIDs["Engineering"], w.groupIDs["Security"]
	granted := w.grants(true)
	var leavers, joiners, toSecurity []string
	for _, id := range org.Members(eng) {
		if len(leavers) < 4 && len(granted[id]) == 1 {
			leavers = append(leavers, id)
		} else if len(toSecurity) < 2 && len(granted[id]) == 1 {
			toSecurity = append(toSecurity, id)
		}
	}
	for _, u := range org.Users() {
		if len(joiners) < 6 && granted[u.ID] == nil && u.Status == oktasim.StatusActive {
			joiners = append(joiners, u.ID)
		}
	}
	if len(leavers) < 4 || len(joiners) < 6 || len(toSecurity) < 2 {
		t.Fatalf("the org has too few users to move: %d, %d, %d", len(leavers), len(joiners), len(toSecurity))
	}
	for _, id := range leavers {
		must(t, org.RemoveMember(eng, id))
	}
	for _, id := range joiners {
		must(t, org.AddMember(eng, id))
	}
	for _, id := range toSecurity {
		must(t, org.AddMember(sec, id))
	}
	if slices.Equal(w.converged(), nil) {
		t.Fatal("the moves left nothing for the next run to do")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
