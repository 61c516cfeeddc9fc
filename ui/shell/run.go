package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/autostart"
	"github.com/rolesync/rolesync/internal/singleinstance"
)

// This file starts the desktop app as a process: one instance per data
// directory, a clean stop on signals, and the start-at-login entry.

// startAtLogin returns the start-at-login entry for this binary.
func startAtLogin() *autostart.Entry {
	dir, err := autostart.DefaultDir(runtime.GOOS, os.Getenv)
	if err != nil {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	return &autostart.Entry{Dir: dir, Exec: exe}
}

// Run runs the desktop app on a until it quits: one instance per data
// directory (a second launch shows the first one's window), the window of
// every connection with its sync loop, and a clean stop on SIGINT or
// SIGTERM (the driver quits on them; the loops stop after).
func Run(ctx context.Context, a fyne.App, d app.Desktop) error {
	var dt *Desktop
	inst, err := singleinstance.Acquire(ctx, d.Root, func() {
		if dt != nil {
			dt.desk.Show()
		}
	}, slog.Default())
	if errors.Is(err, singleinstance.ErrRunning) {
		for _, rt := range d.Opened {
			rt.Close()
		}
		fmt.Fprintln(os.Stderr, "rolesync is already running; its window was brought to the front")
		return nil
	}
	if err != nil {
		return err
	}
	defer inst.Close()
	if dt, err = NewDesktop(ctx, a, d); err != nil {
		return err
	}
	dt.desk.Show()
	go dt.Start()
	// The driver quits the app on SIGINT or SIGTERM itself (and the
	// command's context, cancelled by the same signal, stops the runs):
	// a second Quit from here would find the windows gone.
	a.Run()
	dt.Stop()
	return nil
}
