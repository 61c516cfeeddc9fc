//go:build ci

package ui

func init() { trayUnavailable = true }
