package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
)

// daemonUnderTest is `rolesync daemon` running in this process on a fake
// clock: the tests move the clock to the next rescan or interval.
type daemonUnderTest struct {
	t      *testing.T
	fc     *fakeClock
	runs   chan ran
	stderr lockedBuffer
	cancel context.CancelFunc
	done   chan int
}

// startDaemon runs Main with args after --data-dir in h's data directory.
func startDaemon(t *testing.T, h *harness, args ...string) *daemonUnderTest {
	t.Helper()
	d := &daemonUnderTest{t: t, fc: newFakeClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)), runs: make(chan ran, 16), done: make(chan int, 1)}
	env := Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &d.stderr, Getenv: func(string) string { return "" },
		onRun: func(conn string, res engine.Result, _ error) { d.runs <- ran{conn, res} }, clock: d.fc}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.done <- Main(ctx, append([]string{"--data-dir", h.dataDir}, args...), env) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.done:
		case <-time.After(time.Minute):
			t.Error("the daemon did not stop")
		}
	})
	return d
}

// next waits for the daemon's next finished run, which must have succeeded.
func (d *daemonUnderTest) next() ran {
	d.t.Helper()
	r := nextRun(d.t, d.runs, &d.stderr)
	if r.res.Status != store.StatusSucceeded {
		d.t.Fatalf("a run of %s: %+v; the daemon's output:\n%s", r.conn, r.res, d.stderr.String())
	}
	return r
}

// nextOf waits for n runs and returns how many each connection made.
func (d *daemonUnderTest) nextOf(n int) map[string]int {
	d.t.Helper()
	got := map[string]int{}
	for range n {
		got[d.next().conn]++
	}
	return got
}

// rescan moves the clock to the daemon's next rescan and waits until
// that rescan is done, the next one waiting.
func (d *daemonUnderTest) rescan() {
	d.t.Helper()
	d.awaitRescanWait()
	d.fc.Advance(DefaultRescan)
	d.awaitRescanWait()
}

// awaitRescanWait waits until the daemon waits for its next rescan, a
// rescan interval from now.
func (d *daemonUnderTest) awaitRescanWait() {
	d.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		d.fc.mu.Lock()
		at := d.fc.now.Add(DefaultRescan)
		waiting := slices.ContainsFunc(d.fc.waiters, func(w fakeWaiter) bool { return w.at.Equal(at) })
		d.fc.mu.Unlock()
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the daemon does not wait for its next rescan; its output:\n%s", d.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// await waits until the daemon printed want.
func (d *daemonUnderTest) await(want string) {
	d.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.stderr.String(), want) {
		if time.Now().After(deadline) {
			d.t.Fatalf("the daemon did not print %q; its output:\n%s", want, d.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop stops the daemon and returns its exit code.
func (d *daemonUnderTest) stop() int {
	d.t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code
		return code
	case <-time.After(time.Minute):
		d.t.Fatalf("the daemon did not stop; its output:\n%s", d.stderr.String())
	}
	return -1
}

// addConnection adds name, configured for sim, with its API token.
func addConnection(h *harness, name string, sim interface {
	APIToken() string
}, configure func(*harness)) {
	h.t.Helper()
	h.mustRun("", "connections", "add", name)
	configure(h.in(name))
	h.in(name).mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
}

// A connection added and configured while the daemon runs is synced
// without a restart, and a renamed one is logged under its new name.
func TestDaemonFollowsAddedAndRenamedConnections(t *testing.T) {
	h := newHarness(t)
	simA, simB := startSimSeed(t, 1), startSimSeed(t, 2)
	addConnection(h, connA, simA, func(hc *harness) { hc.importConfig(simA) })
	d := startDaemon(t, h, "daemon")
	if r := d.next(); r.conn != connA {
		t.Fatalf("the first run is of %s, want %s", r.conn, connA)
	}

	addConnection(h, connB, simB, func(hc *harness) { hc.importConfig(simB) })
	const renamed = "Contoso EU"
	h.mustRun("", "connections", "rename", connA, renamed)
	d.rescan()
	if r := d.next(); r.conn != connB {
		t.Fatalf("the run after the rescan is of %s, want %s", r.conn, connB)
	}
	d.await(`connection "` + connB + `" added: syncing every 15m`)
	d.await(`connection "` + connA + `" renamed "` + renamed + `"`)

	// Both sync on their interval from then on, the first under its new name.
	d.fc.awaitWaiters(t, 3)
	d.fc.Advance(engine.DefaultInterval + engine.DefaultInterval/10 + DefaultRescan)
	if got := d.nextOf(2); got[renamed] != 1 || got[connB] != 1 {
		t.Errorf("runs of the second interval: %v, want one of %q and one of %q", got, renamed, connB)
	}
	if code := d.stop(); code != 0 {
		t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
	}
	if !strings.Contains(d.stderr.String(), `connection="`+renamed+`"`) {
		t.Errorf("the renamed connection's runs are not logged under its new name:\n%s", d.stderr.String())
	}
}

// A connection removed while the daemon runs is no longer synced, its
// store is closed, and the other connection goes on.
func TestDaemonStopsARemovedConnection(t *testing.T) {
	h, _, _ := twoConnections(t)
	d := startDaemon(t, h, "daemon")
	if got := d.nextOf(2); got[connA] != 1 || got[connB] != 1 {
		t.Fatalf("first runs: %v", got)
	}
	d.fc.awaitWaiters(t, 3)
	out := h.mustRun("", "connections", "remove", connB)
	kept := filepath.Join(h.dataDir, app.RemovedDir, "fabrikam-local-portal-"+time.Now().UTC().Format("2006-01-02"))
	if !strings.Contains(out, kept) {
		t.Fatalf("remove does not say it kept %s: %q", kept, out)
	}
	d.rescan()
	d.await(`connection "` + connB + `" removed: no longer synced`)
	assertNotOpen(t, kept)

	d.fc.Advance(engine.DefaultInterval + engine.DefaultInterval/10)
	if r := d.next(); r.conn != connA {
		t.Errorf("the run after the removal is of %s, want %s", r.conn, connA)
	}
	if code := d.stop(); code != 0 {
		t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
	}
	for r := range len(d.runs) {
		t.Errorf("an unexpected run %d after the removal: %+v", r, <-d.runs)
	}
	removed := &harness{t: t, dataDir: kept, env: map[string]string{}}
	var runs []historyRun
	if err := json.Unmarshal([]byte(removed.mustRun("", "history", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Errorf("the removed connection's kept history holds %d runs, want the one before its removal: %+v", len(runs), runs)
	}
}

// assertNotOpen fails when this process holds a file under dir open or
// mapped (Linux, where /proc says so).
func assertNotOpen(t *testing.T, dir string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		return
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir) {
			t.Errorf("the daemon still holds %s open", target)
		}
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(maps), dir) {
		t.Errorf("the daemon still maps a file of %s", dir)
	}
}

// With --connection, the daemon syncs that connection only and stops when
// it is removed, saying so.
func TestDaemonOfOneConnectionStopsWhenItIsRemoved(t *testing.T) {
	h, _, _ := twoConnections(t)
	d := startDaemon(t, h, "--connection", connB, "daemon")
	if r := d.next(); r.conn != connB {
		t.Fatalf("the first run is of %s, want %s", r.conn, connB)
	}
	d.fc.awaitWaiters(t, 2)
	h.mustRun("", "connections", "remove", connB)
	d.fc.Advance(DefaultRescan)
	select {
	case code := <-d.done:
		d.done <- code
		if code != 1 || !strings.Contains(d.stderr.String(), `connection "`+connB+`" was removed`) {
			t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("the daemon did not stop when its connection was removed: %s", d.stderr.String())
	}
	if len(d.runs) != 0 {
		t.Errorf("a run of another connection: %+v", <-d.runs)
	}
}

// A connection that cannot be opened, then is not configured, is reported
// once per problem, tried at every rescan, and synced once it is fixed.
func TestDaemonRetriesAConnectionUntilItCanBeSynced(t *testing.T) {
	h := newHarness(t)
	simA, simB := startSimSeed(t, 1), startSimSeed(t, 2)
	addConnection(h, connA, simA, func(hc *harness) { hc.importConfig(simA) })
	h.mustRun("", "connections", "add", connB)
	// A directory where its store should be keeps it from opening.
	blocker := filepath.Join(app.ConnectionDir(h.dataDir, "fabrikam-local-portal"), app.StoreFile)
	if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, h, "daemon")
	if r := d.next(); r.conn != connA {
		t.Fatalf("the first run is of %s, want %s", r.conn, connA)
	}
	notSynced := connB + " is not synced: "
	d.await(notSynced)
	d.rescan()
	d.rescan()
	if n := strings.Count(d.stderr.String(), notSynced); n != 1 {
		t.Errorf("the same problem printed %d times, want once:\n%s", n, d.stderr.String())
	}

	// Its store opens, but it is not configured: a new problem, printed once.
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	d.rescan()
	d.rescan()
	if n := strings.Count(d.stderr.String(), "is not configured yet"); n != 1 {
		t.Errorf("the unconfigured connection printed %d times, want once:\n%s", n, d.stderr.String())
	}

	h.in(connB).importConfig(simB)
	h.in(connB).mustRun(simB.APIToken()+"\n", "secrets", "set", "okta-api-token")
	d.rescan()
	if r := d.next(); r.conn != connB {
		t.Fatalf("the run after it was configured is of %s, want %s", r.conn, connB)
	}
	d.await(connB + ": syncing every 15m from now on")
	if code := d.stop(); code != 0 {
		t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
	}
}

// A connection removed and another added under the same name (and so the
// same slug) is told from the removed one: when the removed one's next run
// is due before the next rescan, that run does not start (it would be
// recorded in the history the removal kept), the daemon rescans at once,
// lets go of the removed one's store and syncs the new one.
func TestDaemonSyncsAConnectionAddedInARemovedOnesPlace(t *testing.T) {
	h, _, simB := twoConnections(t)
	d := startDaemon(t, h, "daemon", "--rescan", "1h")
	if got := d.nextOf(2); got[connA] != 1 || got[connB] != 1 {
		t.Fatalf("first runs: %v", got)
	}
	d.fc.awaitWaiters(t, 3)
	out := h.mustRun("", "connections", "remove", connB)
	kept := filepath.Join(h.dataDir, app.RemovedDir, "fabrikam-local-portal-"+time.Now().UTC().Format("2006-01-02"))
	if !strings.Contains(out, kept) {
		t.Fatalf("remove does not say it kept %s: %q", kept, out)
	}
	addConnection(h, connB, simB, func(hc *harness) { hc.importConfig(simB) })
	var list []connectionInfo
	if err := json.Unmarshal([]byte(h.mustRun("", "connections", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1].Slug != "fabrikam-local-portal" {
		t.Fatalf("the connection added again does not take the removed one's slug: %+v", list)
	}

	d.fc.Advance(engine.DefaultInterval + engine.DefaultInterval/10)
	created := map[string]int{}
	for range 2 {
		r := d.next()
		created[r.conn] += r.res.Created
	}
	if _, ok := created[connA]; !ok || created[connB] == 0 {
		t.Errorf("runs after the interval (users created by each): %v, want one of %s and the first of the new %s", created, connA, connB)
	}
	for _, want := range []string{`connection "` + connB + `" removed: no longer synced`, `connection "` + connB + `" added: syncing every 15m`} {
		d.await(want)
	}
	assertNotOpen(t, kept)
	if code := d.stop(); code != 0 {
		t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
	}
	removed := &harness{t: t, dataDir: kept, env: map[string]string{}}
	var runs []historyRun
	if err := json.Unmarshal([]byte(removed.mustRun("", "history", "--json")), &runs); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 {
		t.Errorf("the removed connection's kept history holds %d runs, want the one before its removal: %+v", len(runs), runs)
	}
}

// While the daemon runs a connection's sync, `connections remove` refuses
// it, saying the daemon holds its lock, and the daemon goes on with it.
func TestDaemonRunKeepsItsConnectionFromRemoval(t *testing.T) {
	h, simA, _ := twoConnections(t)
	// connA's first run stalls on its first Okta call.
	if err := simA.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/", DelayMS: 600_000, Count: 1}); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, h, "daemon")
	if r := d.next(); r.conn != connB {
		t.Fatalf("the first run to finish is of %s, want %s", r.conn, connB)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var runs []historyRun
		if code, out, _ := h.in(connA).run("", "history", "--json"); code == 0 && json.Unmarshal([]byte(out), &runs) == nil &&
			len(runs) == 1 && runs[0].Status == store.StatusRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s's run did not start; the daemon's output:\n%s", connA, d.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	code, _, errs := h.run("", "connections", "remove", connA)
	if code != 1 || !strings.Contains(errs, "is not removed") || !strings.Contains(errs, "held by daemon") {
		t.Errorf("remove while the daemon syncs the connection: exit %d, %q", code, errs)
	}
	d.rescan()
	if strings.Contains(d.stderr.String(), "removed: no longer synced") {
		t.Errorf("the daemon let go of a connection that was not removed:\n%s", d.stderr.String())
	}
	if code := d.stop(); code != 0 {
		t.Errorf("the daemon exited with %d: %s", code, d.stderr.String())
	}
	h.mustRun("", "connections", "remove", connA)
}
