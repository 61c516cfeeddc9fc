package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/autostart"
)

func TestSettingsTabStartAtLogin(t *testing.T) {
	dir := t.TempDir()
	m, _, _ := newDemoWindow(t)
	m.deps.Autostart = &autostart.Entry{Dir: dir, Exec: "/usr/bin/rolesync", GOOS: "linux"}
	st := newSettingsTab(m)
	test.Tap(st.autostart)
	if _, err := os.Stat(filepath.Join(dir, "rolesync.desktop")); err != nil {
		t.Fatalf("checking the box wrote no entry: %v", err)
	}
	test.Tap(st.autostart)
	if _, err := os.Stat(filepath.Join(dir, "rolesync.desktop")); !os.IsNotExist(err) {
		t.Fatalf("unchecking the box left the entry: %v", err)
	}
}

func TestSettingsTabOpensTheWizard(t *testing.T) {
	m, _, _ := newDemoWindow(t)
	var opened []Screen
	m.deps.OpenWizard = func(_ fyne.Window, s Screen) { opened = append(opened, s) }
	st := newSettingsTab(m)
	test.Tap(findButton(t, st.content, "Edit mappings…"))
	test.Tap(findButton(t, st.content, "Okta connection and settings…"))
	if len(opened) != 2 || opened[0] != ScreenMappings || opened[1] != ScreenSettings {
		t.Errorf("opened %v, want mappings then settings", opened)
	}
}
