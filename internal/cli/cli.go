// Package cli is rolesync's command line: it parses the global flags, opens
// the data directory through package app (which builds the store, keyring,
// target, Okta client and engine) and runs a subcommand. With no subcommand
// it hands the opened runtime to the desktop app, which cmd/rolesync
// supplies, so that everything here builds and tests without cgo and never
// loads the GUI toolkit.
//
// The commands are github.com/spf13/cobra commands (root.go builds the
// tree); each command's flags are defined next to the code that runs it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/clock"
	"github.com/rolesync/rolesync/internal/engine"
	_ "github.com/rolesync/rolesync/internal/store/sqlitedriver"
)

// GUIFunc opens the desktop app on a data directory's connections and
// returns when it quits.
type GUIFunc func(ctx context.Context, d app.Desktop) error

// Env is what the command line reads and writes; tests supply their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// GUI opens the desktop app; nil in builds without one.
	GUI GUIFunc

	// onRun, when set, hears of every run the daemon finishes (tests).
	onRun func(conn string, res engine.Result, err error)
	// clock, when set, is the time source of the daemon's schedulers
	// (tests and benchmarks drive the schedule with it); clock.Real when nil.
	clock clock.Clock
}

// openRuntime opens the only connection of the data directory root (one
// named app.DefaultConnection when it has none) for a command.
func openRuntime(ctx context.Context, root string, env Env) (*app.Runtime, error) {
	return openConnection(ctx, root, "", env, false)
}

// openConnection opens the connection name (or, when name is "", the only
// one; the first of several when first is set) of the data directory root
// for a command, logging to env's stderr and asking for a keyring
// passphrase on its terminal. A data directory without connections gets
// one, named name or app.DefaultConnection.
func openConnection(ctx context.Context, root, name string, env Env, first bool) (*app.Runtime, error) {
	conns, err := app.EnsureConnection(ctx, root, name)
	if err != nil {
		return nil, err
	}
	var conn app.Connection
	if first && name == "" && len(conns) > 0 {
		conn = conns[0]
	} else if conn, err = app.SelectConnection(conns, name); err != nil {
		return nil, err
	}
	return app.OpenConnection(ctx, root, conn, appEnv(env))
}

func appEnv(env Env) app.Env {
	return app.Env{Stderr: stderrOf(env), Getenv: env.Getenv, Prompt: terminalPrompt(env)}
}

func stderrOf(env Env) io.Writer {
	if env.Stderr == nil {
		return io.Discard
	}
	return env.Stderr
}

// usageError is a mistake in the command line itself; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// call is one invocation of rolesync: the environment and the global flags.
type call struct {
	env Env
	// dataDirFlag is --data-dir as given; dataDir is resolved by resolve.
	dataDirFlag string
	dataDir     string
	// dataDirSet is true when --data-dir or ROLESYNC_DATA_DIR named it.
	dataDirSet bool
	// connFlag is --connection as given (see connection).
	connFlag string
	// ran is set once the command line parsed and a command started: an
	// error before that is a usage error.
	ran bool
}

func (c *call) stdout() io.Writer { return c.env.Stdout }

// connection is the connection named by --connection, else by
// ROLESYNC_CONNECTION; "" when neither names one.
func (c *call) connection() string {
	if c.connFlag != "" {
		return c.connFlag
	}
	return c.env.Getenv("ROLESYNC_CONNECTION")
}

// resolve picks the data directory: --data-dir, else ROLESYNC_DATA_DIR,
// else the user's configuration directory.
func (c *call) resolve() error {
	dir := c.dataDirFlag
	if dir == "" {
		dir = c.env.Getenv("ROLESYNC_DATA_DIR")
	}
	c.dataDirSet = dir != ""
	abs, err := resolveDataDir(dir)
	if err != nil {
		return err
	}
	c.dataDir = abs
	return nil
}

func init() {
	// On Windows cobra refuses to run a program started from Explorer
	// unless this is empty; rolesync started from Explorer opens the app.
	cobra.MousetrapHelpText = ""
}

// Main runs rolesync with args (without the program name) and returns the
// process exit status: 0, 1 for a failed command, 2 for a usage mistake.
// Cancelling ctx (cmd/rolesync does on SIGINT and SIGTERM) stops the
// command; its error then says it was interrupted.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	env.Stderr = stderrOf(env)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	c := &call{env: env}
	root := newRoot(c)
	root.SetArgs(args)
	root.SetFlagErrorFunc(flagError(args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	var u usageError
	if errors.As(err, &u) || !c.ran {
		fmt.Fprintf(env.Stderr, "rolesync: %s\nRun '%s --help' for usage.\n", oneLine(err.Error()), helpPath(cmd))
		return 2
	}
	if ctx.Err() != nil {
		err = interrupted(err, context.Cause(ctx))
	}
	fmt.Fprintf(env.Stderr, "rolesync: %s\n", oneLine(err.Error()))
	return 1
}

// interrupted says that err ended a command whose context was cancelled
// for cause (on SIGINT or SIGTERM: "interrupt signal received"), naming
// the cause unless err already does.
func interrupted(err, cause error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "interrupted"):
		return err
	case cause == nil || strings.Contains(msg, cause.Error()):
		return fmt.Errorf("interrupted: %w", err)
	}
	return fmt.Errorf("interrupted (%v): %w", cause, err)
}

// helpPath is the command whose --help the usage hint names.
func helpPath(cmd *cobra.Command) string {
	if cmd == nil {
		return "rolesync"
	}
	return cmd.CommandPath()
}

// flagError turns pflag's complaint into a usage error naming the command,
// and points at the double dash when a Go-style single-dash long flag
// (-once) was given.
func flagError(args []string) func(cmd *cobra.Command, err error) error {
	return func(cmd *cobra.Command, err error) error {
		msg := err.Error()
		for _, a := range args {
			name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
			if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(name) > 1 && cmd.Flags().Lookup(name) != nil {
				msg += " (long flags take two dashes: -" + a + ")"
				break
			}
		}
		return usagef("%s%s", commandPrefix(cmd), msg)
	}
}

// commandPrefix is "sync: " for rolesync sync, "" for rolesync itself.
func commandPrefix(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return ""
	}
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ") + ": "
}

// maxArgs rejects stray arguments beyond n, as a usage error.
func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%sunexpected argument %q", commandPrefix(cmd), args[n])
		}
		return nil
	}
}

// needSub is the RunE of a command that only groups others (config, keys,
// …): it names them when none, or an unknown one, is given.
func needSub(say string) func(cmd *cobra.Command, args []string) error {
	return func(cmd *cobra.Command, args []string) error {
		name := strings.TrimSuffix(commandPrefix(cmd), ": ")
		if len(args) == 0 {
			return usagef("%s: say %s", name, say)
		}
		return usagef("%s: unknown subcommand %q; say %s", name, args[0], say)
	}
}

// resolveDataDir makes dir absolute; empty means the user's configuration
// directory.
func resolveDataDir(dir string) (string, error) {
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("no data directory: set --data-dir or ROLESYNC_DATA_DIR (%w)", err)
		}
		dir = filepath.Join(base, "rolesync")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dir, err)
	}
	return abs, nil
}

// oneLine keeps an error to the single line the exit contract promises.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
