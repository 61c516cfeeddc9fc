// Package cli is rolesync's command line: it parses the global flags, opens
// the data directory (store, keyring, target, Okta client, engine) and runs a
// subcommand. With no subcommand it hands the opened runtime to the desktop
// app, which cmd/rolesync supplies, so that everything here builds and tests
// without cgo.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// GUIFunc opens the desktop app on an opened runtime and returns when it quits.
type GUIFunc func(ctx context.Context, rt *Runtime) error

// Env is what the command line reads and writes; tests supply their own.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// GUI opens the desktop app; nil in builds without one.
	GUI GUIFunc
}

// usageError is a mistake in the command line itself; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, c *call) error
}

// call is one invocation of a subcommand: its arguments and the environment.
type call struct {
	env     Env
	dataDir string
	// dataDirSet is true when --data-dir or ROLESYNC_DATA_DIR named it.
	dataDirSet bool
	args       []string
}

func (c *call) stdout() io.Writer { return c.env.Stdout }

func commands() []command {
	return []command{
		{"demo", "start the simulated Okta org, sync once and open the app", runDemo},
		{"sync", "sync now: sync --once [--dry-run] [--full] [--json]", runSync},
		{"plan", "show what the next sync would change: plan [--json]", runPlan},
		{"approve", "apply the revocations a run held: approve RUN", runApprove},
		{"reject", "discard the revocations a run held: reject RUN", runReject},
		{"daemon", "sync on the configured interval until stopped", runDaemon},
		{"config", "config import FILE | config export [FILE]", runConfig},
		{"secrets", "secrets set NAME (reads the value from stdin)", runSecrets},
		{"keys", "keys generate|import|show --for client|dpop", runKeys},
		{"doctor", "test the connection to Okta and say what to fix", runDoctor},
		{"roles", "roles add NAME | roles list (local directory)", runRoles},
		{"directory", "directory list [--json] (local directory)", runDirectory},
		{"history", "history [--json] [--limit N]", runHistory},
		{"audit", "audit verify: check the change log's hash chain", runAudit},
		{"export", "export --format csv|jsonl|html|pdf --out FILE [--since --until --user --group --role --action --run]", runExport},
	}
}

// Main runs rolesync with args (without the program name) and returns the
// process exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	err := run(ctx, args, env)
	if err == nil {
		return 0
	}
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintf(env.Stderr, "rolesync: %s\nRun 'rolesync help' for usage.\n", oneLine(err.Error()))
		return 2
	}
	fmt.Fprintf(env.Stderr, "rolesync: %s\n", oneLine(err.Error()))
	return 1
}

func run(ctx context.Context, args []string, env Env) error {
	fs := flag.NewFlagSet("rolesync", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataDir := fs.String("data-dir", env.Getenv("ROLESYNC_DATA_DIR"), "where rolesync keeps its database, directory and keyring (env ROLESYNC_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	dir, err := resolveDataDir(*dataDir)
	if err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		if env.GUI == nil {
			return usagef("this build has no desktop app; name a subcommand")
		}
		rt, err := Open(ctx, dir, env)
		if err != nil {
			return err
		}
		defer rt.Close()
		return env.GUI(ctx, rt)
	}
	name := rest[0]
	if name == "help" || name == "-h" || name == "--help" {
		printUsage(env.Stdout)
		return nil
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd.run(ctx, &call{env: env, dataDir: dir, dataDirSet: *dataDir != "", args: rest[1:]})
		}
	}
	return usagef("unknown command %q", name)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "rolesync keeps a portal's users and roles in line with Okta groups.")
	fmt.Fprintln(w, "\nUsage: rolesync [--data-dir DIR] [command]   (no command opens the app)")
	fmt.Fprintln(w, "\nCommands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}

// resolveDataDir picks the data directory: the flag or ROLESYNC_DATA_DIR, else
// the user's configuration directory.
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

// flags parses a subcommand's flags, rejecting stray arguments beyond maxArgs.
func (c *call) flags(name string, define func(fs *flag.FlagSet), maxArgs int) ([]string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(c.args); err != nil {
		return nil, usagef("%s: %v", name, err)
	}
	if fs.NArg() > maxArgs {
		return nil, usagef("%s: unexpected argument %q", name, fs.Arg(maxArgs))
	}
	return fs.Args(), nil
}
