package wizard

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// walk visits every visible object under o, widgets' rendered parts included.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	visit(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			walk(child, visit)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			walk(child, visit)
		}
	}
}

// roots are the window content and its overlays, topmost first.
func roots(win fyne.Window) []fyne.CanvasObject {
	ov := win.Canvas().Overlays().List()
	out := make([]fyne.CanvasObject, 0, len(ov)+1)
	for i := len(ov) - 1; i >= 0; i-- {
		out = append(out, ov[i])
	}
	return append(out, win.Content())
}

func find[T fyne.CanvasObject](t *testing.T, win fyne.Window, what string, match func(T) bool) T {
	t.Helper()
	for _, r := range roots(win) {
		var found T
		ok := false
		walk(r, func(o fyne.CanvasObject) {
			if v, is := o.(T); is && !ok && match(v) {
				found, ok = v, true
			}
		})
		if ok {
			return found
		}
	}
	t.Fatalf("no %s on screen", what)
	var zero T
	return zero
}

func button(t *testing.T, win fyne.Window, text string) *widget.Button {
	t.Helper()
	return find(t, win, "button "+text, func(b *widget.Button) bool { return b.Text == text })
}

func entry(t *testing.T, win fyne.Window, placeholder string) *widget.Entry {
	t.Helper()
	return find(t, win, "entry "+placeholder, func(e *widget.Entry) bool { return strings.HasPrefix(e.PlaceHolder, placeholder) })
}

func radio(t *testing.T, win fyne.Window, option string) *widget.RadioGroup {
	t.Helper()
	return find(t, win, "radio with "+option, func(r *widget.RadioGroup) bool {
		for _, o := range r.Options {
			if o == option {
				return true
			}
		}
		return false
	})
}

// labelText reports whether a visible label contains text.
func hasLabel(win fyne.Window, text string) bool {
	for _, r := range roots(win) {
		found := false
		walk(r, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
				found = true
			}
		})
		if found {
			return true
		}
	}
	return false
}

func mustLabel(t *testing.T, win fyne.Window, text string) {
	t.Helper()
	if !hasLabel(win, text) {
		t.Fatalf("no label containing %q on screen", text)
	}
}

func typeInto(e *widget.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

func iconButton(t *testing.T, win fyne.Window, icon fyne.Resource) *widget.Button {
	t.Helper()
	return find(t, win, "button "+icon.Name(), func(b *widget.Button) bool {
		return b.Text == "" && b.Icon != nil && b.Icon.Name() == icon.Name()
	})
}
