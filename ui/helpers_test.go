package ui

import (
	"log/slog"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/logbuffer"
)

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func slogTo(b *logbuffer.Buffer) *slog.Logger { return slog.New(b.Handler()) }

// findButton returns the button labelled text under o, failing the test
// when there is none.
func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b, ok := obj.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// topOverlay returns the dialog on top of the window, failing the test
// when there is none.
func topOverlay(t *testing.T, m *MainWindow) fyne.CanvasObject {
	t.Helper()
	o := m.win.Canvas().Overlays().Top()
	if o == nil {
		t.Fatal("no dialog shown")
	}
	return o
}
