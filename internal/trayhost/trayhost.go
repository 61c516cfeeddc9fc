// Package trayhost tells whether a system tray can show the app's icon, so
// that the desktop app runs with its window alone where there is none.
// Builds with the ci tag never use a tray (see Disabled).
package trayhost

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/godbus/dbus/v5"
)

// Available reports whether a system tray can show our icon. On
// Linux and the BSDs the tray is a StatusNotifierItem, which needs a session
// bus with a StatusNotifierWatcher; without one the tray library fails (and
// cannot even be shut down cleanly when the bus is switched off), so the app
// runs with its window alone. Elsewhere the tray is native.
func Available() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if strings.HasPrefix(addr, "disabled:") {
		return false
	}
	if addr == "" {
		// Never autolaunch a bus: use the user's standard one or none.
		sock := filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "bus")
		if os.Getenv("XDG_RUNTIME_DIR") == "" {
			return false
		}
		if _, err := os.Stat(sock); err != nil {
			return false
		}
		addr = "unix:path=" + sock
	}
	conn, err := dbus.Dial(addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if err := conn.Auth(nil); err != nil {
		return false
	}
	if err := conn.Hello(); err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
