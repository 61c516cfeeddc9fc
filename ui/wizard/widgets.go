package wizard

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newErrLabel makes an inline error message, hidden while empty.
func newErrLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// setErr shows err in l, or hides l when err is nil.
func setErr(l *widget.Label, err error) {
	if err == nil {
		l.SetText("")
		l.Hide()
		return
	}
	msg := err.Error()
	l.SetText(strings.ToUpper(msg[:1]) + msg[1:] + ".")
	l.Show()
}

// note is a wrapped paragraph.
func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// bold is a bold label.
func bold(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// numbered renders instructions as a numbered list.
func numbered(lines ...string) fyne.CanvasObject {
	box := container.NewVBox()
	for i, l := range lines {
		box.Add(note(fmt.Sprintf("%d. %s", i+1, l)))
	}
	return box
}

// copyRow shows a value the admin must paste elsewhere, with a copy button.
func (w *Wizard) copyRow(label string, value func() string) (fyne.CanvasObject, func()) {
	return w.pendingCopyRow(label, "", value)
}

// pendingCopyRow is a copyRow whose value may not be known yet: while value
// returns "", it shows pending instead, in plain text, and Copy is disabled,
// so that nothing but a real value is ever copied.
func (w *Wizard) pendingCopyRow(label, pending string, value func() string) (fyne.CanvasObject, func()) {
	v := widget.NewLabel("")
	v.Selectable = true
	v.Wrapping = fyne.TextWrapBreak
	btn := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		if val := value(); val != "" {
			w.app.Clipboard().SetContent(val)
		}
	})
	refresh := func() {
		val := value()
		v.TextStyle = fyne.TextStyle{Monospace: val != ""}
		if val == "" {
			v.SetText(pending)
			btn.Disable()
			return
		}
		v.SetText(val)
		btn.Enable()
	}
	refresh()
	// the button keeps its own height beside a value of several lines
	return container.NewVBox(bold(label), container.NewBorder(nil, nil, nil, container.NewVBox(btn), v)), refresh
}

// labelled puts a bold caption over a field and its inline error.
func labelled(caption string, field fyne.CanvasObject, errLabel *widget.Label) fyne.CanvasObject {
	box := container.NewVBox(bold(caption), field)
	if errLabel != nil {
		box.Add(errLabel)
	}
	return box
}

// section is a titled group of rows with spacing after it.
func section(title string, objs ...fyne.CanvasObject) fyne.CanvasObject {
	box := container.NewVBox(widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, o := range objs {
		box.Add(o)
	}
	return widget.NewCard("", "", box)
}

// fitText shortens text with an ellipsis so that it is at most width wide
// in the theme's text size and the given style: a button cannot truncate its
// label, and a long Okta group name would otherwise widen the whole window.
func fitText(text string, width float32, style fyne.TextStyle) string {
	size := theme.TextSize()
	if fyne.MeasureText(text, size, style).Width <= width {
		return text
	}
	runes := []rune(text)
	lo, hi := 0, len(runes)
	for lo < hi { // the longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " ") + "…"
}
