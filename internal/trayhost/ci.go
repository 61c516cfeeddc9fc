//go:build ci

package trayhost

// Disabled is true in builds that must not use a tray (-tags ci).
const Disabled = true
