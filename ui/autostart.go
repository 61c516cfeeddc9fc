package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Autostart writes and removes the start-at-login entry.
//
// Where each platform keeps it:
//   - Linux and the BSDs (XDG): a .desktop file in $XDG_CONFIG_HOME/autostart,
//     by default ~/.config/autostart/rolesync.desktop. This is what Autostart
//     writes.
//   - macOS: a LaunchAgent property list,
//     ~/Library/LaunchAgents/com.rolesync.rolesync.plist, with RunAtLoad true.
//   - Windows: a shortcut in the Startup folder
//     (%APPDATA%\Microsoft\Windows\Start Menu\Programs\Startup) or a value
//     under HKCU\Software\Microsoft\Windows\CurrentVersion\Run.
type Autostart struct {
	// Dir is the autostart directory; DefaultAutostartDir gives the XDG one.
	Dir string
	// Exec is the absolute path of the rolesync binary.
	Exec string
}

// autostartFile is the entry's file name.
const autostartFile = "rolesync.desktop"

// DefaultAutostartDir returns $XDG_CONFIG_HOME/autostart, or
// ~/.config/autostart when XDG_CONFIG_HOME is unset or not absolute, as the
// XDG Base Directory specification says.
func DefaultAutostartDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "autostart"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("autostart: neither XDG_CONFIG_HOME nor HOME is set; set one of them to enable start at login")
	}
	return filepath.Join(home, ".config", "autostart"), nil
}

// Path returns the entry's full path.
func (a *Autostart) Path() string { return filepath.Join(a.Dir, autostartFile) }

// Enabled reports whether the entry exists.
func (a *Autostart) Enabled() bool {
	_, err := os.Stat(a.Path())
	return err == nil
}

// Enable writes the entry, replacing an older one.
func (a *Autostart) Enable() error {
	if a.Dir == "" {
		return errors.New("autostart: no autostart directory configured")
	}
	if !filepath.IsAbs(a.Exec) {
		return fmt.Errorf("autostart: the program path %q is not absolute; start rolesync by its full path", a.Exec)
	}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return fmt.Errorf("autostart: create %s: %w", a.Dir, err)
	}
	tmp := a.Path() + ".tmp"
	if err := os.WriteFile(tmp, []byte(a.desktopEntry()), 0o644); err != nil {
		return fmt.Errorf("autostart: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, a.Path()); err != nil {
		return fmt.Errorf("autostart: write %s: %w", a.Path(), err)
	}
	return nil
}

// Disable removes the entry; a missing entry is not an error.
func (a *Autostart) Disable() error {
	if err := os.Remove(a.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("autostart: remove %s: %w", a.Path(), err)
	}
	return nil
}

// Set enables or disables the entry.
func (a *Autostart) Set(on bool) error {
	if on {
		return a.Enable()
	}
	return a.Disable()
}

func (a *Autostart) desktopEntry() string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=rolesync\n" +
		"Comment=Keep portal users and roles in line with Okta groups\n" +
		"Exec=" + quoteExec(a.Exec) + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// quoteExec quotes a path for a desktop entry's Exec key, as the Desktop
// Entry specification asks for arguments with reserved characters.
func quoteExec(p string) string {
	if !strings.ContainsAny(p, " \t\n\"'\\><~|&;$*?#()`") {
		return strings.ReplaceAll(p, "%", "%%")
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`, `%`, `%%`)
	return `"` + r.Replace(p) + `"`
}
