package shell

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/app"
)

// Adding a connection from the window: its name, then the setup wizard.

// askName asks for a new connection's name, then adds it and opens the
// setup wizard on it; on the UI goroutine.
func (dt *Desktop) askName(parent fyne.Window) {
	entry := widget.NewEntry()
	entry.SetPlaceHolder("Contoso → ThreatLocker EU1")
	hint := widget.NewLabel("Name it after the organization and the portal it syncs.\nThe setup wizard opens next.")
	items := []*widget.FormItem{widget.NewFormItem("Name", entry), widget.NewFormItem("", hint)}
	form := dialog.NewForm("Add connection", "Set up…", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		name := entry.Text
		go func() {
			s, err := dt.addConnection(name)
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(err, parent)
					return
				}
				dt.desk.Open(s.slug)
				// Queued after Open's, so that the wizard is in front.
				fyne.Do(func() { s.newWizard(nil).Show() })
			})
		}()
	}, parent)
	entry.OnSubmitted = func(string) { form.Submit() }
	form.Resize(fyne.NewSize(520, 220))
	form.Show()
	parent.Canvas().Focus(entry)
}

// addConnection adds a connection named name to the data directory and
// the window, and starts its (unconfigured) shell.
func (dt *Desktop) addConnection(name string) (*Shell, error) {
	dt.opMu.Lock()
	defer dt.opMu.Unlock()
	ctx, cancel := context.WithTimeout(dt.ctx, 30*time.Second)
	defer cancel()
	conn, err := app.AddConnection(ctx, dt.d.Root, name)
	if err != nil {
		return nil, err
	}
	rt, err := app.OpenConnection(ctx, dt.d.Root, conn, dt.d.Env)
	if err != nil {
		return nil, fmt.Errorf("the connection %q was added but cannot be opened: %w", conn.Name, err)
	}
	s := dt.add(rt, true)
	s.StartQuietly()
	return s, nil
}
