package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store"
)

// The tray's menu of several connections, drawn by Fyne's menu widget with
// one connection's submenu open: what a desktop tray host shows in its own
// style. With ROLESYNC_SHOT_DIR set, the drawing is written there as
// tray-connections.png (the README's picture).
func TestTrayMenuOfSeveralConnectionsDraws(t *testing.T) {
	d, a, _, _ := newTestDesk(t, threeConns, nil)
	at := demoNow.Add(-2 * time.Minute)
	d.SetStatus("contoso", Status{LastRun: run(1, store.StatusSucceeded, at), NextRun: demoNow.Add(3 * time.Minute)})
	d.SetStatus("fabrikam", Status{LastRun: run(2, store.StatusFailed, at), NextRun: demoNow.Add(3 * time.Minute)})
	d.SetStatus("northwind", Status{LastRun: run(1, store.StatusSucceeded, at), Paused: true})

	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(552, 340))
	menu := widget.NewMenu(a.menu)
	menu.Move(fyne.NewPos(4, 4))
	menu.Resize(menu.MinSize())
	w.SetContent(container.NewWithoutLayout(menu))
	// Down three times (the status line, Contoso, Fabrikam) and right: as
	// a keyboard opens the second connection's submenu.
	for range 3 {
		menu.ActivateNext()
	}
	menu.ActivateLastSubmenu()
	open := false
	for _, o := range test.LaidOutObjects(menu) {
		if sub, ok := o.(*widget.Menu); ok && sub != menu && sub.Visible() {
			for _, c := range test.LaidOutObjects(sub) {
				if l, ok := c.(*canvas.Text); ok && l.Text == "Run 2: Failed at 14:28 · next 14:33" {
					open = true
				}
			}
		}
	}
	if !open {
		t.Fatal("Fabrikam's submenu did not open with its status line")
	}
	dir := os.Getenv("ROLESYNC_SHOT_DIR")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, "tray-connections.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
