package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// logTab shows the app's recent log lines from Deps.Log, secrets redacted.
type logTab struct {
	m       *MainWindow
	content fyne.CanvasObject
	list    *widget.List
	lines   []string
}

func newLogTab(m *MainWindow) *logTab {
	t := &logTab{m: m}
	t.list = widget.NewList(
		func() int { return len(t.lines) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.TextStyle.Monospace = true
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(t.lines) {
				o.(*widget.Label).SetText(t.lines[id])
			}
		},
	)
	copyAll := widget.NewButton("Copy all", func() {
		m.app.Clipboard().SetContent(strings.Join(t.lines, "\n"))
	})
	t.content = container.NewBorder(nil, container.NewHBox(copyAll), nil, nil, t.list)
	if m.deps.Log != nil {
		m.deps.Log.OnChange(func() { fyne.Do(t.refresh) })
	}
	t.refresh()
	return t
}

// refresh shows the buffer's lines, newest at the bottom.
func (t *logTab) refresh() {
	if t.m.deps.Log == nil {
		t.lines = []string{"No log buffer is attached."}
	} else {
		t.lines = t.m.deps.Log.Lines()
	}
	t.list.Refresh()
	if len(t.lines) > 0 {
		t.list.ScrollToBottom()
	}
}
