package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/store"
)

// deskConnFixture is one connection of a test desk.
type deskConnFixture struct {
	info ConnInfo
	eng  *fakeEngine
	hist *fakeHistory
}

var threeConns = []ConnInfo{
	{Slug: "contoso", Name: "Contoso → ThreatLocker EU1", Org: "contoso.okta.com", Target: "ThreatLocker, over SCIM"},
	{Slug: "fabrikam", Name: "Fabrikam → ThreatLocker US2", Org: "fabrikam.okta.com", Target: "Local directory"},
	{Slug: "northwind", Name: "Northwind → ThreatLocker UK1", Org: "northwind.okta.com", Target: "Local directory"},
}

// newTestDesk builds a desk of the connections infos in a test app with a
// tray; removed hears of the connections removed, and fails when err is set.
func newTestDesk(t *testing.T, infos []ConnInfo, removeErr error) (*Desk, *trayApp, map[string]*deskConnFixture, *[]string) {
	t.Helper()
	withTrayHost(t, true)
	a := &trayApp{App: test.NewTempApp(t)}
	var removed, added []string
	d := NewDesk(a, DeskDeps{
		Add: func(fyne.Window) { added = append(added, "add") },
		Remove: func(slug string) (string, error) {
			if removeErr != nil {
				return "", removeErr
			}
			removed = append(removed, slug)
			return "/data/removed/" + slug + "-2026-11-28", nil
		},
		Now: func() time.Time { return demoNow },
	})
	t.Cleanup(d.win.Close)
	d.win.Resize(fyne.NewSize(1100, 680))
	fx := map[string]*deskConnFixture{}
	for _, info := range infos {
		h := demoHistory()
		e := &fakeEngine{hist: h}
		cfg := demoConfig()
		d.Add(info, Deps{Loop: e, Approver: e, History: h, Config: func() config.Config { return cfg },
			Now: func() time.Time { return demoNow }})
		fx[info.Slug] = &deskConnFixture{info: info, eng: e, hist: h}
	}
	return d, a, fx, &removed
}

func TestDeskShowsTheListFirstWithSeveralConnections(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns, nil)
	if d.current != nil || d.win.Content() != d.frame || d.body.Objects[0] != d.list.content {
		t.Fatal("the window does not show the list of connections first")
	}
	at := demoNow.Add(-time.Minute)
	d.SetStatus("contoso", Status{LastRun: run(4, store.StatusFailed, at)})
	d.SetStatus("fabrikam", Status{LastRun: run(2, store.StatusHeld, at), Pending: 2, NextRun: demoNow.Add(15 * time.Minute)})
	d.SetStatus("northwind", Status{NotSetUp: true})
	want := [][]string{
		{"Contoso → ThreatLocker EU1", "contoso.okta.com", "ThreatLocker, over SCIM", "Failed at 14:29", "–", "none"},
		{"Fabrikam → ThreatLocker US2", "fabrikam.okta.com", "Local directory", "Held for approval at 14:29", "14:45", "2 waiting"},
		{"Northwind → ThreatLocker UK1", "northwind.okta.com", "Local directory", "Not set up", "–", "none"},
	}
	for row, cols := range want {
		for col, w := range cols {
			if got := d.list.cellText(d.list.rows[row], col); got != w {
				t.Errorf("row %d column %q = %q, want %q", row, connColumns[col].title, got, w)
			}
		}
	}

	d.SetStatus("northwind", Status{ConnectionError: "secret not set: okta-private-key"})
	if got := d.list.cellText(d.list.rows[2], 3); got != "Cannot sync: secret not set: okta-private-key" {
		t.Errorf("last run of a connection whose loop cannot start = %q", got)
	}
	if got := d.tray.DeskView().Conns[2].Label; got != "Northwind → ThreatLocker UK1 (failed)" {
		t.Errorf("its tray label = %q", got)
	}

	d.list.table.Select(widget.TableCellID{Row: 1, Col: 0})
	if d.current == nil || d.current.slug != "fabrikam" || d.body.Objects[0] != d.current.tabs {
		t.Fatal("selecting a row did not open its connection")
	}
	if got := d.title.Text; got != "Fabrikam → ThreatLocker US2  ·  fabrikam.okta.com" {
		t.Errorf("header title = %q", got)
	}
	if got := d.current.Status().Pending; got != 2 {
		t.Errorf("the opened connection's status has %d pending, want 2", got)
	}
	test.Tap(d.back)
	if d.current != nil || d.body.Objects[0] != d.list.content {
		t.Error("All connections did not go back to the list")
	}
	test.Tap(d.add)
}

func TestDeskWithOneConnectionOpensIt(t *testing.T) {
	d, _, fx, _ := newTestDesk(t, threeConns[:1], nil)
	if d.current == nil || d.current.slug != "contoso" {
		t.Fatal("the only connection is not open")
	}
	if !d.add.Visible() || d.win.Content() != d.frame {
		t.Error("no Add connection button over the only connection")
	}
	if fx["contoso"].eng.syncs != 0 {
		t.Error("opening ran a sync")
	}
}

func TestDeskRemoveAsksFirstAndKeepsTheRowOnError(t *testing.T) {
	d, a, _, removed := newTestDesk(t, threeConns, nil)
	d.list.confirmRemove("fabrikam", "Fabrikam → ThreatLocker US2")
	dlg := d.win.Canvas().Overlays().Top()
	if dlg == nil || !strings.Contains(richText(dlg), "Its history is kept") {
		t.Fatal("no confirmation saying the history is kept")
	}
	test.Tap(findButton(t, dlg, "Cancel"))
	if len(*removed) != 0 || len(d.Slugs()) != 3 {
		t.Fatal("Cancel removed the connection")
	}
	d.list.confirmRemove("fabrikam", "Fabrikam → ThreatLocker US2")
	test.Tap(findButton(t, d.win.Canvas().Overlays().Top(), "Remove"))
	if !equalStrings(*removed, []string{"fabrikam"}) || equalStrings(d.Slugs(), []string{"contoso", "northwind"}) == false {
		t.Fatalf("removed %q, left %q", *removed, d.Slugs())
	}
	if got := len(d.list.rows); got != 2 {
		t.Errorf("the list has %d rows after the removal, want 2", got)
	}
	if !strings.Contains(richText(d.win.Canvas().Overlays().Top()), "/data/removed/fabrikam-2026-11-28") {
		t.Error("the window does not say where the history was kept")
	}
	if got := a.menu.Items[0].Label; !strings.HasPrefix(got, "2 connections: ") {
		t.Errorf("tray status line after the removal = %q", got)
	}

	d2, _, _, _ := newTestDesk(t, threeConns, errors.New("connection \"Fabrikam\" is not removed: a sync is running"))
	d2.list.confirmRemove("fabrikam", "Fabrikam → ThreatLocker US2")
	test.Tap(findButton(t, d2.win.Canvas().Overlays().Top(), "Remove"))
	if len(d2.Slugs()) != 3 || !strings.Contains(richText(d2.win.Canvas().Overlays().Top()), "a sync is running") {
		t.Error("a failed removal dropped the row or did not say why")
	}
}

func TestDeskNotificationsNameTheConnection(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns, nil)
	test.AssertNotificationSent(t, fyne.NewNotification("rolesync: Fabrikam → ThreatLocker US2: sync failed",
		"Run 3 failed: okta: 500. Nothing was changed. rolesync will try again at the next run."), func() {
		d.SetStatus("fabrikam", Status{LastRun: &store.Run{ID: 3, Status: store.StatusFailed, Error: "okta: 500"}})
	})
}

// richText joins the texts shown under o.
func richText(o fyne.CanvasObject) string {
	var b strings.Builder
	for _, obj := range test.LaidOutObjects(o) {
		switch w := obj.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.RichText:
			b.WriteString(w.String() + "\n")
		}
	}
	return b.String()
}

// The ticker hands the same status again every few seconds: the
// connection on screen still counts its next run down.
func TestTheOpenConnectionCountsItsNextRunDown(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns[:1], nil)
	now := demoNow
	m := d.View("contoso")
	m.deps.Now = func() time.Time { return now }
	st := Status{LastRun: run(1, store.StatusSucceeded, demoNow), NextRun: demoNow.Add(5 * time.Minute)}
	d.SetStatus("contoso", st)
	if got := m.dashboard.nextRun.Text; got != "14:35 (in 5 min)" {
		t.Fatalf("next run = %q", got)
	}
	now = demoNow.Add(2 * time.Minute)
	d.SetStatus("contoso", st)
	if got := m.dashboard.nextRun.Text; got != "14:35 (in 3 min)" {
		t.Errorf("next run two minutes later = %q, want it counted down", got)
	}
}

// Export all… shows over the list alone and writes the report of every
// connection, the whole history, to the file chosen.
func TestExportAllFromTheList(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns, nil)
	var gotFilter store.ChangeFilter
	d.deps.ExportAll = func(_ context.Context, w io.Writer, format string, f store.ChangeFilter, p func(done, total int64)) error {
		gotFilter = f
		p(1, 1)
		_, err := fmt.Fprintf(w, "connection,%s\n", format)
		return err
	}
	d.ShowList()
	if !d.exportAll.Visible() {
		t.Fatal("no Export all… over the list")
	}
	d.Open("fabrikam")
	if d.exportAll.Visible() {
		t.Error("Export all… over one connection's screens")
	}
	d.list.showExportAll()
	if d.win.Canvas().Overlays().Top() == nil {
		t.Fatal("Export all… asked nothing")
	}
	path := filepath.Join(t.TempDir(), "all.csv")
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	exporter{win: d.win, export: d.deps.ExportAll}.run(w, "csv", store.ChangeFilter{})
	if data, err := os.ReadFile(path); err != nil || string(data) != "connection,csv\n" {
		t.Fatalf("report: %q, %v", data, err)
	}
	if gotFilter != (store.ChangeFilter{}) {
		t.Errorf("filter %+v, want the whole history", gotFilter)
	}
}

// Rename… over a connection asks for its new name and hands it on; a
// refused name says why.
func TestRenameFromTheConnectionsBar(t *testing.T) {
	d, _, _, _ := newTestDesk(t, threeConns, nil)
	var renamed []string
	d.deps.Rename = func(slug, name string) error {
		if name == "Contoso → ThreatLocker EU1" {
			return errors.New(`a connection named "Contoso → ThreatLocker EU1" exists already`)
		}
		renamed = append(renamed, slug+"="+name)
		d.Rename(ConnInfo{Slug: slug, Name: name, Org: "fabrikam.okta.com"})
		return nil
	}
	d.ShowList()
	if d.rename.Visible() {
		t.Error("Rename… over the list")
	}
	d.Open("fabrikam")
	if !d.rename.Visible() {
		t.Fatal("no Rename… over a connection")
	}
	test.Tap(d.rename)
	dlg := d.win.Canvas().Overlays().Top()
	var entry *widget.Entry
	for _, o := range test.LaidOutObjects(dlg) {
		if e, ok := o.(*widget.Entry); ok {
			entry = e
		}
	}
	if entry == nil || entry.Text != "Fabrikam → ThreatLocker US2" {
		t.Fatalf("rename dialog: %v", entry)
	}
	entry.SetText("Fabrikam EU")
	test.Tap(findButton(t, dlg, "Rename"))
	if !equalStrings(renamed, []string{"fabrikam=Fabrikam EU"}) || d.title.Text != "Fabrikam EU  ·  fabrikam.okta.com" {
		t.Errorf("renamed %q, title %q", renamed, d.title.Text)
	}
	test.Tap(d.rename)
	dlg = d.win.Canvas().Overlays().Top()
	for _, o := range test.LaidOutObjects(dlg) {
		if e, ok := o.(*widget.Entry); ok {
			e.SetText("Contoso → ThreatLocker EU1")
		}
	}
	test.Tap(findButton(t, dlg, "Rename"))
	if !strings.Contains(richText(d.win.Canvas().Overlays().Top()), "exists already") {
		t.Error("a refused name did not say why")
	}
}
