package wizard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
)

// viewInterval is step 7: the sync interval.
func (w *Wizard) viewInterval() fyne.CanvasObject {
	st := w.st
	labels := make([]string, len(config.Intervals))
	for i, d := range config.Intervals {
		labels[i] = config.IntervalLabel(d)
	}
	sel := widget.NewSelect(labels, func(v string) {
		for _, d := range config.Intervals {
			if config.IntervalLabel(d) == v && st.Interval != d {
				st.Interval = d
				w.touch()
			}
		}
	})
	sel.SetSelected(config.IntervalLabel(st.Interval))
	return container.NewVBox(
		labelled("Sync interval", container.NewHBox(sel), nil),
		note("rolesync reads the mapped Okta groups this often and applies the changes. 15 Minutes is the default. Shorter intervals use more of the org's API rate limit."),
	)
}
