package ui

import (
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// assertRenders paints the window, so that every lazily laid out part
// (tables) is in place, and compares its markup with testdata/name.xml.
func assertRenders(t *testing.T, m *MainWindow, name string) {
	t.Helper()
	m.win.Canvas().Capture()
	test.AssertRendersToMarkup(t, name+".xml", m.win.Canvas())
	capture(t, m, name)
}

// capture writes the window to $ROLESYNC_UI_SHOTS/name.png when that
// variable is set, to look at the screens as an admin would.
func capture(t *testing.T, m *MainWindow, name string) {
	t.Helper()
	dir := os.Getenv("ROLESYNC_UI_SHOTS")
	if dir == "" {
		return
	}
	fyne.CurrentApp().Settings().SetTheme(lightTheme{theme.DefaultTheme()})
	defer fyne.CurrentApp().Settings().SetTheme(test.Theme())
	img := m.win.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// lightTheme is the default theme in its light variant, for screenshots.
type lightTheme struct{ fyne.Theme }

func (t lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

func TestMainWindowRendersDemoData(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	tabs := []struct {
		name  string
		index int
	}{
		{"dashboard", 0},
		{"history", 1},
		{"approvals", 2},
		{"settings", 3},
	}
	for _, tc := range tabs {
		t.Run(tc.name, func(t *testing.T) {
			m.tabs.SelectIndex(tc.index)
			assertRenders(t, m, tc.name)
		})
	}
}
