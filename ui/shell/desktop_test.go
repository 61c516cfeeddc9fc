package shell

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/ui"
)

// twoConnections makes a data directory of two demo connections, each
// synced once from its own simulated org, and returns them opened (their
// keyrings are in memory).
func twoConnections(t *testing.T) (string, []*app.Runtime) {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	var opened []*app.Runtime
	for i, name := range []string{"Contoso → ThreatLocker EU1", "Fabrikam → ThreatLocker US2"} {
		sim, err := oktasim.Start(ctx, oktasim.Options{Users: 60 + 40*i, Groups: 12, Seed: int64(i + 5)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		conn, err := app.AddConnection(ctx, root, name)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := app.OpenConnection(ctx, root, conn, app.Env{Stderr: &bytes.Buffer{}})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := app.SetUpDemo(ctx, rt, sim); err != nil || res.Status != store.StatusSucceeded {
			t.Fatalf("demo setup of %s: %+v, %v", name, res, err)
		}
		opened = append(opened, rt)
	}
	return root, opened
}

func newTestDesktop(t *testing.T, d app.Desktop) *Desktop {
	t.Helper()
	a := newSerialApp(t)
	var dt *Desktop
	var err error
	fyne.DoAndWait(func() { dt, err = NewDesktop(context.Background(), a, d) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dt.Stop()
		for range 3 {
			fyne.DoAndWait(func() {})
			dt.desk.Wait()
		}
	})
	return dt
}

func runCount(t *testing.T, s *Shell) int {
	t.Helper()
	runs, err := s.rt.Store.Runs(context.Background(), 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}

func TestDesktopRunsEachConnectionOnItsOwn(t *testing.T) {
	root, opened := twoConnections(t)
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened})
	dt.Start()
	slugs := dt.desk.Slugs()
	if !slices.Equal(slugs, []string{"contoso-threatlocker-eu1", "fabrikam-threatlocker-us2"}) {
		t.Fatalf("connections in the window: %q", slugs)
	}
	for _, slug := range slugs {
		waitFor(t, slug+"'s loop to schedule its next run", func() bool {
			st := dt.desk.Status(slug)
			return st.LastRun != nil && !st.NextRun.IsZero() && !st.NotSetUp
		})
		info := dt.desk.Info(slug)
		if info.Org == "" || info.Target != "Local directory" {
			t.Errorf("%s: org %q, target %q", slug, info.Org, info.Target)
		}
	}
	var line string
	fyne.DoAndWait(func() { line = dt.desk.Tray().DeskView().StatusLine })
	if line != "2 connections: all in order" {
		t.Errorf("tray status line = %q", line)
	}

	a, b := dt.Shell(slugs[0]), dt.Shell(slugs[1])
	beforeA, beforeB := runCount(t, a), runCount(t, b)
	(*loopControl)(b).SyncNow()
	waitFor(t, "the run Sync now started", func() bool { return runCount(t, b) > beforeB && !dt.desk.Status(slugs[1]).Syncing })
	if got := runCount(t, a); got != beforeA {
		t.Errorf("Sync now of %s ran %s too: %d runs, was %d", slugs[1], slugs[0], got, beforeA)
	}
	if dir := b.rt.DataDir; dir != app.ConnectionDir(root, slugs[1]) {
		t.Errorf("%s opened %s", slugs[1], dir)
	}
}

func TestDesktopAddsAndRemovesConnections(t *testing.T) {
	root, opened := twoConnections(t)
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened})
	dt.Start()

	s, err := dt.addConnection("Northwind → ThreatLocker UK1")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new connection in the window", func() bool { return len(dt.desk.Slugs()) == 3 })
	if st := dt.desk.Status(s.slug); !st.NotSetUp || st.LastRun != nil {
		t.Errorf("a new connection's status: %+v", st)
	}
	if _, err := dt.addConnection("northwind → threatlocker uk1"); err == nil {
		t.Error("a second connection of the same name was added")
	}
	if _, err := dt.addConnection("  "); err == nil {
		t.Error("a connection without a name was added")
	}

	kept, err := dt.remove("fabrikam-threatlocker-us2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(kept, app.StoreFile)); err != nil {
		t.Errorf("the removed connection's history is not kept in %s: %v", kept, err)
	}
	conns, err := app.Connections(context.Background(), root)
	if err != nil || len(conns) != 2 || conns[1].Slug != s.slug {
		t.Errorf("connections after the removal: %+v, %v", conns, err)
	}
	if dt.Shell("fabrikam-threatlocker-us2") != nil {
		t.Error("the removed connection's shell is still there")
	}
}

// One connection not set up: the app opens it with the setup wizard, as
// a first start does.
func TestDesktopOfOneNewConnectionOpensTheWizard(t *testing.T) {
	root := t.TempDir()
	d, err := app.OpenDesktop(context.Background(), root, "", app.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	dt := newTestDesktop(t, d)
	dt.Start()
	slugs := dt.desk.Slugs()
	if len(slugs) != 1 || dt.desk.Info(slugs[0]).Name != app.DefaultConnection {
		t.Fatalf("connections: %q", slugs)
	}
	found := false
	fyne.DoAndWait(func() { // after the wizard's own queued Show
		for _, w := range fyne.CurrentApp().Driver().AllWindows() {
			found = found || strings.Contains(w.Title(), "Set up rolesync")
		}
	})
	if !found {
		t.Error("the setup wizard did not open")
	}
	if st := dt.desk.Status(slugs[0]); !st.NotSetUp {
		t.Errorf("status of a connection not set up: %+v", st)
	}
}

// Connections added, renamed or removed from the command line while the
// app runs show in it at its next reading of the list; one that cannot be
// opened is tried again until it opens.
func TestDesktopFollowsTheCommandLine(t *testing.T) {
	root, opened := twoConnections(t)
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened})
	dt.Start()
	ctx := context.Background()
	if _, err := app.RenameConnection(ctx, root, "contoso-threatlocker-eu1", "Contoso EU"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.RemoveConnection(ctx, root, "fabrikam-threatlocker-us2", time.Now()); err != nil {
		t.Fatal(err)
	}
	added, err := app.AddConnection(ctx, root, "Northwind → ThreatLocker UK1")
	if err != nil {
		t.Fatal(err)
	}
	// A damaged store: the connection cannot be opened until it is mended.
	damaged := filepath.Join(app.ConnectionDir(root, added.Slug), app.StoreFile)
	if err := os.WriteFile(damaged, []byte("not a database, not at all, not even close to one"), 0o600); err != nil {
		t.Fatal(err)
	}
	dt.follow(ctx)
	if got := dt.desk.Slugs(); !slices.Equal(got, []string{"contoso-threatlocker-eu1"}) {
		t.Errorf("connections in the window after the first reading: %q", got)
	}
	if got := dt.desk.Info("contoso-threatlocker-eu1").Name; got != "Contoso EU" {
		t.Errorf("renamed connection shows as %q", got)
	}
	if dt.Shell("fabrikam-threatlocker-us2") != nil {
		t.Error("the removed connection still runs")
	}
	if err := os.Remove(damaged); err != nil {
		t.Fatal(err)
	}
	dt.follow(ctx)
	if got := dt.desk.Slugs(); !slices.Equal(got, []string{"contoso-threatlocker-eu1", added.Slug}) {
		t.Fatalf("connections in the window once mended: %q", got)
	}
	waitFor(t, "the added connection's status", func() bool { return dt.desk.Status(added.Slug).NotSetUp })
}

// Export all from the list of connections: one report of every connection,
// the removed one included, with the connection in every row.
func TestDesktopExportsAllConnections(t *testing.T) {
	root, opened := twoConnections(t)
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened})
	dt.Start()
	kept, err := dt.remove("fabrikam-threatlocker-us2")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	var done, total int64
	err = dt.exportAll(context.Background(), &buf, "csv", store.ChangeFilter{}, func(d, tot int64) { done, total = d, tot })
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(buf.String()), "\n")
	seen := map[string]int{}
	for _, r := range rows[1:] {
		if strings.HasPrefix(r, "#") {
			continue
		}
		seen[strings.SplitN(r, ",", 2)[0]]++
	}
	removed := filepath.Base(kept) + " (removed)"
	if seen["Contoso → ThreatLocker EU1"] == 0 || seen[removed] == 0 || len(seen) != 2 {
		t.Errorf("rows per connection: %v; want Contoso's and the removed %s", seen, removed)
	}
	if total == 0 || done != total {
		t.Errorf("progress %d of %d", done, total)
	}
}

// An apply reports each user: the window gets the first and the last of
// each phase, and between them at most one status every progressEvery.
func TestProgressIsPacedForTheWindow(t *testing.T) {
	old := progressEvery
	progressEvery = time.Hour
	t.Cleanup(func() { progressEvery = old })
	s, _, _ := demoShell(t)
	applied := func() int { return s.desk.Status(s.slug).Progress.ChangesApplied }
	s.onProgress(engine.Progress{Phase: engine.PhaseApply, Done: 0, Total: 1000})
	for i := 1; i < 1000; i++ {
		s.onProgress(engine.Progress{Phase: engine.PhaseApply, Done: i, Total: 1000})
	}
	if got := applied(); got != 0 {
		t.Errorf("the window shows %d applied within progressEvery of the first report", got)
	}
	s.onProgress(engine.Progress{Phase: engine.PhaseApply, Done: 1000, Total: 1000})
	if got := applied(); got != 1000 {
		t.Errorf("the window shows %d applied after the last report, want 1000", got)
	}
}

func TestDesktopRenamesAConnection(t *testing.T) {
	root, opened := twoConnections(t)
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened})
	dt.Start()
	if err := dt.rename("fabrikam-threatlocker-us2", "Fabrikam EU"); err != nil {
		t.Fatal(err)
	}
	conns, err := app.Connections(context.Background(), root)
	if err != nil || conns[1].Name != "Fabrikam EU" || conns[1].Slug != "fabrikam-threatlocker-us2" {
		t.Fatalf("connections after the rename: %+v, %v", conns, err)
	}
	if got := dt.desk.Info("fabrikam-threatlocker-us2").Name; got != "Fabrikam EU" {
		t.Errorf("the window names it %q", got)
	}
	if err := dt.rename("fabrikam-threatlocker-us2", "contoso → threatlocker eu1"); err == nil {
		t.Error("a name another connection has was taken")
	}
}

// A connection added from the command line while the admin looks at the
// only one leaves them there.
func TestDesktopStaysOnTheScreenShownWhenOneIsAdded(t *testing.T) {
	root, opened := twoConnections(t)
	ctx := context.Background()
	if _, _, err := app.RemoveConnection(ctx, root, "fabrikam-threatlocker-us2", time.Now()); err != nil {
		t.Fatal(err)
	}
	opened[1].Close()
	dt := newTestDesktop(t, app.Desktop{Root: root, Opened: opened[:1]})
	dt.Start()
	shown := func() *ui.MainWindow {
		var m *ui.MainWindow
		fyne.DoAndWait(func() { m = dt.desk.Shown() })
		return m
	}
	if m := shown(); m == nil {
		t.Fatal("the only connection is not shown")
	}
	if _, err := app.AddConnection(ctx, root, "Northwind → ThreatLocker UK1"); err != nil {
		t.Fatal(err)
	}
	dt.follow(ctx)
	waitFor(t, "the added connection in the window", func() bool { return len(dt.desk.Slugs()) == 2 })
	if m := shown(); m == nil {
		t.Error("adding a connection switched the window to the list")
	}
}
