// Command rolesync keeps a portal's users and roles in line with Okta
// groups. With no arguments it opens the desktop app; with a subcommand it
// runs headless (see `rolesync help`).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// Keeps Fyne's locale lookup quiet under LANG=C.UTF-8; see the package.
	"github.com/rolesync/rolesync/internal/localefix"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/rolesync/rolesync/assets"
	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/cli"
	_ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
	"github.com/rolesync/rolesync/ui/shell"
)

// appID is the app's unique id, as in FyneApp.toml.
const appID = "io.github.rolesync.rolesync"

func main() {
	localefix.Restore()
	if len(os.Args) > 1 {
		attachConsole()
	}
	// SIGINT or SIGTERM cancels the command's context: a sync stops and
	// records what it did. The signals then get their default action back,
	// so a second one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, GUI: runGUI}
	code := cli.Main(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}

// runGUI creates the Fyne app and hands it, with the data directory's
// connections, to the shell.
func runGUI(ctx context.Context, d app.Desktop) error {
	icon := fyne.NewStaticResource("icon.png", assets.IconPNG)
	// The metadata FyneApp.toml gives a packaged build, for plain go builds:
	// the name is the tray's title and the notifications' sender.
	fyneapp.SetMetadata(fyne.AppMetadata{ID: appID, Name: "rolesync", Version: "0.1.0", Build: 1, Icon: icon,
		Migrations: map[string]bool{"fyneDo": true}})
	a := fyneapp.NewWithID(appID)
	a.SetIcon(icon)
	return shell.Run(ctx, a, d)
}
