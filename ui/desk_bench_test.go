package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/store"
)

// One connection of 50 reports a new status (a run's progress, say): the
// list, the tray's view and menu (50 submenus) follow. Its cost bounds
// what 50 connections syncing two at a time ask of the UI goroutine.
func BenchmarkDeskStatusOf50(b *testing.B) {
	withTrayHost(b, true)
	a := &trayApp{App: test.NewTempApp(b)}
	d := NewDesk(a, DeskDeps{Now: func() time.Time { return demoNow }})
	b.Cleanup(d.win.Close)
	d.tray.push = func() {}
	for i := range 50 {
		h := demoHistory()
		e := &fakeEngine{hist: h}
		cfg := demoConfig()
		d.Add(ConnInfo{Slug: fmt.Sprintf("c%02d", i), Name: fmt.Sprintf("Customer %02d → ThreatLocker", i), Org: "example.okta.com"},
			Deps{Loop: e, Approver: e, History: h, Config: func() config.Config { return cfg }})
		d.SetStatus(fmt.Sprintf("c%02d", i), Status{LastRun: run(1, store.StatusSucceeded, demoNow), NextRun: demoNow.Add(time.Minute)})
	}
	for _, bc := range []struct {
		name string
		show func()
	}{{"list shown", d.ShowList}, {"a connection shown", func() { d.Open("c01") }}} {
		b.Run(bc.name, func(b *testing.B) {
			bc.show()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				d.SetStatus("c07", Status{Syncing: true, Progress: Progress{GroupsRead: i % 40, GroupsTotal: 40}})
			}
		})
	}
}
