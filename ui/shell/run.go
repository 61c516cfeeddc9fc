package shell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

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
// directory (a second launch shows the first one's window), the sync loop,
// and a clean stop on SIGINT or SIGTERM.
func Run(ctx context.Context, a fyne.App, d app.Desktop) error {
	rt, err := openFirst(ctx, d)
	if err != nil {
		return err
	}
	defer rt.Close()
	rt.Holder = "gui"
	var s *Shell
	inst, err := singleinstance.Acquire(ctx, rt.DataDir, func() {
		if s != nil {
			s.win.Show()
		}
	}, rt.Logger)
	if errors.Is(err, singleinstance.ErrRunning) {
		fmt.Fprintln(os.Stderr, "rolesync is already running; its window was brought to the front")
		return nil
	}
	if err != nil {
		return err
	}
	defer inst.Close()
	s = New(ctx, a, rt)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
			s.log.Info("stopping on signal")
			s.Stop()
			fyne.Do(a.Quit)
		case <-s.loopCtx.Done():
		}
	}()
	s.win.Show()
	go s.Start()
	a.Run()
	s.Stop()
	return nil
}

// openFirst opens the connection d shows first.
func openFirst(ctx context.Context, d app.Desktop) (*app.Runtime, error) {
	for _, rt := range d.Opened {
		if d.Connection == "" || rt.Connection.Slug == d.Connection {
			return rt, nil
		}
	}
	conns, err := app.Connections(ctx, d.Root)
	if err != nil {
		return nil, err
	}
	if len(conns) == 0 {
		return nil, app.ErrNoConnection
	}
	conn := conns[0]
	if d.Connection != "" {
		if conn, err = app.SelectConnection(conns, d.Connection); err != nil {
			return nil, err
		}
	}
	return app.OpenConnection(ctx, d.Root, conn, d.Env)
}
