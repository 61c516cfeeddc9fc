// Package autostart writes and removes rolesync's start-at-login entry, in
// the place and format each platform reads at login:
//
//   - Linux and the BSDs (XDG): a desktop entry, rolesync.desktop, in
//     $XDG_CONFIG_HOME/autostart (by default ~/.config/autostart).
//   - Windows: a shell link, rolesync.lnk, in the user's Startup folder,
//     %APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup.
//   - macOS: a LaunchAgent property list with RunAtLoad, in
//     ~/Library/LaunchAgents.
//
// Each format is written by portable code, so every platform's entry is
// tested wherever the tests run.
package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Entry is the start-at-login entry for one rolesync binary.
type Entry struct {
	// Dir is the folder the platform reads at login; DefaultDir gives it.
	Dir string
	// Exec is the absolute path of the rolesync binary.
	Exec string
	// GOOS is the platform whose format to write; empty means this one.
	GOOS string
}

// LaunchAgentLabel names the macOS LaunchAgent (the app id in FyneApp.toml).
const LaunchAgentLabel = "io.github.rolesync.rolesync"

func (e *Entry) goos() string {
	if e.GOOS != "" {
		return e.GOOS
	}
	return runtime.GOOS
}

// DefaultDir returns where goos reads start-at-login entries, from the
// environment getenv reads.
func DefaultDir(goos string, getenv func(string) string) (string, error) {
	switch goos {
	case "windows":
		appData := getenv("APPDATA")
		if appData == "" {
			return "", errors.New("autostart: APPDATA is not set, so the Startup folder is unknown; sign in to Windows with a user profile")
		}
		return winJoin(appData, `Microsoft\Windows\Start Menu\Programs\Startup`), nil
	case "darwin":
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("autostart: HOME is not set; set it to enable start at login")
		}
		return filepath.Join(home, "Library", "LaunchAgents"), nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "autostart"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("autostart: neither XDG_CONFIG_HOME nor HOME is set; set one of them to enable start at login")
	}
	return filepath.Join(home, ".config", "autostart"), nil
}

// winJoin joins Windows path elements with backslashes, whatever the
// platform building the path.
func winJoin(dir, name string) string {
	return strings.TrimRight(dir, `\/`) + `\` + name
}

// FileName is the entry's file name for the entry's platform.
func (e *Entry) FileName() string {
	switch e.goos() {
	case "windows":
		return "rolesync.lnk"
	case "darwin":
		return LaunchAgentLabel + ".plist"
	}
	return "rolesync.desktop"
}

// Path returns the entry's full path.
func (e *Entry) Path() string {
	if e.goos() == "windows" && runtime.GOOS != "windows" && strings.Contains(e.Dir, `\`) {
		return winJoin(e.Dir, e.FileName())
	}
	return filepath.Join(e.Dir, e.FileName())
}

// Contents is the entry's file as the platform reads it.
func (e *Entry) Contents() ([]byte, error) {
	switch e.goos() {
	case "windows":
		return shellLink(e.Exec)
	case "darwin":
		return []byte(launchAgent(e.Exec)), nil
	}
	return []byte(desktopEntry(e.Exec)), nil
}

// Enabled reports whether the entry exists.
func (e *Entry) Enabled() bool {
	_, err := os.Stat(e.Path())
	return err == nil
}

// Enable writes the entry, replacing an older one.
func (e *Entry) Enable() error {
	if e.Dir == "" {
		return errors.New("autostart: no autostart directory configured")
	}
	if !isAbs(e.goos(), e.Exec) {
		return fmt.Errorf("autostart: the program path %q is not absolute; start rolesync by its full path", e.Exec)
	}
	data, err := e.Contents()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return fmt.Errorf("autostart: create %s: %w", e.Dir, err)
	}
	tmp := e.Path() + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("autostart: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, e.Path()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: write %s: %w", e.Path(), err)
	}
	return nil
}

// Disable removes the entry; a missing entry is not an error.
func (e *Entry) Disable() error {
	if err := os.Remove(e.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("autostart: remove %s: %w", e.Path(), err)
	}
	return nil
}

// Set enables or disables the entry.
func (e *Entry) Set(on bool) error {
	if on {
		return e.Enable()
	}
	return e.Disable()
}

// isAbs reports whether p is absolute on goos: a drive path (C:\...) or a
// UNC path (\\server\share\...) on Windows.
func isAbs(goos, p string) bool {
	if goos != "windows" {
		return filepath.IsAbs(p)
	}
	if strings.HasPrefix(p, `\\`) {
		return len(p) > 2
	}
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		(p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z')
}
