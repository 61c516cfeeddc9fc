// Package app is rolesync's composition root: it keeps the connections of
// a data directory (connections.go: each its own directory, store,
// keyring items and lock; migrate.go: the earlier layout of one
// connection), opens one (the history store, the local directory and, on
// first use, the keyring) and builds from the saved configuration what
// the command line and the desktop app both run: the Okta client, the
// portal target, the sync engine, the connection test's settings and the
// demo. It also keeps the
// configuration in the store (persist.go) and anchors the audit chain with
// the keyring's signing key (anchor.go).
//
// Nothing below this package reads the configuration from the store or
// opens the keyring; cmd/rolesync, internal/cli and ui/shell depend on it.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/99designs/keyring"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target/local"
)

// Files inside the data directory.
const (
	StoreFile     = "rolesync.db"
	DirectoryFile = "directory.db"
	KeyringDir    = "keyring"
	LockFile      = "sync.lock"
)

// Env is what an opened runtime writes to and reads from its process.
type Env struct {
	// Stderr receives the log; nil discards it.
	Stderr io.Writer
	// Getenv reads ROLESYNC_LOG (debug turns on debug logging); nil reads nothing.
	Getenv func(string) string
	// Prompt asks for the keyring passphrase when Runtime.Prompt is nil
	// (the command line's terminal prompt); nil asks nothing.
	Prompt secrets.Prompt
}

// Runtime is an opened connection: its store, its local directory and, on
// first use, the keyring. It is what the GUI and every subcommand share.
type Runtime struct {
	// DataDir is the connection's directory (see OpenConnection), or the
	// directory Open was given.
	DataDir string
	// Root is the data directory that holds the connection; Connection is
	// the connection. Both are empty for a runtime from Open.
	Root       string
	Connection Connection
	Store      *store.Store
	Directory  *local.Directory
	Logger     *slog.Logger
	// Holder names this process in the cross-process sync lock.
	Holder string
	// Prompt asks for the keyring passphrase when the file backend needs one
	// and ROLESYNC_KEYRING_PASSWORD is unset; the GUI supplies it. When nil,
	// the Env's Prompt is asked.
	Prompt secrets.Prompt

	env     Env
	krMu    sync.Mutex
	secrets *secrets.Store
	// keyringNS names the connection in its keyring items; scopeDir, when
	// set, stands for DataDir in the audit items' scope (see auditScope).
	keyringNS, scopeDir string
}

// Open opens (creating when needed) the data directory dir.
func Open(ctx context.Context, dir string, env Env) (*Runtime, error) {
	// The keyring passphrase leaves the environment before anything else
	// runs, so no program started from here inherits it.
	secrets.TakeEnvPassphrase()
	if err := os.MkdirAll(dir, privatefile.DirMode); err != nil {
		return nil, fmt.Errorf("cannot create the data directory %s: %w", dir, err)
	}
	// A directory made earlier with a looser umask is tightened: it holds
	// the history, the directory of users and the encrypted keyring.
	if err := privatefile.TightenDir(dir); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, filepath.Join(dir, StoreFile))
	if err != nil {
		return nil, err
	}
	d, err := local.Open(ctx, filepath.Join(dir, DirectoryFile))
	if err != nil {
		st.Close()
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(stderrOf(env), &slog.HandlerOptions{Level: logLevel(env)}))
	return &Runtime{DataDir: dir, Store: st, Directory: d, Logger: logger, Holder: "cli", env: env}, nil
}

func stderrOf(env Env) io.Writer {
	if env.Stderr == nil {
		return io.Discard
	}
	return env.Stderr
}

func logLevel(env Env) slog.Level {
	if env.Getenv != nil && strings.EqualFold(env.Getenv("ROLESYNC_LOG"), "debug") {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

// Close closes the store and the directory.
func (rt *Runtime) Close() error {
	return errors.Join(rt.Directory.Close(), rt.Store.Close())
}

// Config returns the saved configuration, or an error saying how to create one.
func (rt *Runtime) Config(ctx context.Context) (config.Config, error) {
	cfg, ok, err := ConfigFromStore(ctx, rt.Store)
	if err != nil {
		return config.Config{}, err
	}
	if !ok {
		return config.Config{}, errors.New("rolesync is not configured yet: run the setup wizard, or `rolesync config import FILE`")
	}
	return cfg, nil
}

// Secrets opens the keyring on first use. A failure (a wrong or withheld
// passphrase) is not kept: the next call asks again.
func (rt *Runtime) Secrets() (*secrets.Store, error) {
	rt.krMu.Lock()
	defer rt.krMu.Unlock()
	if rt.secrets != nil {
		return rt.secrets, nil
	}
	prompt := rt.Prompt
	if prompt == nil {
		prompt = rt.env.Prompt
	}
	kr, err := secrets.OpenKeyring(filepath.Join(rt.DataDir, KeyringDir), prompt)
	if err != nil {
		return nil, err
	}
	rt.secrets = secrets.NewNamespaced(kr, rt.keyringNS)
	return rt.secrets, nil
}

// UseSecrets replaces the keyring, for tests and the demo.
func (rt *Runtime) UseSecrets(kr keyring.Keyring) {
	rt.krMu.Lock()
	defer rt.krMu.Unlock()
	rt.secrets = secrets.NewNamespaced(kr, rt.keyringNS)
}

// SecretGetter reads a secret by name (the names in package secrets).
type SecretGetter func(name string) ([]byte, error)

// KeyringGetter reads secrets from the keyring.
func (rt *Runtime) KeyringGetter() SecretGetter {
	return func(name string) ([]byte, error) {
		sec, err := rt.Secrets()
		if err != nil {
			return nil, err
		}
		return sec.Get(name)
	}
}

// Engine builds the sync engine for the saved configuration.
func (rt *Runtime) Engine(ctx context.Context) (*engine.Engine, config.Config, error) {
	cfg, err := rt.Config(ctx)
	if err != nil {
		return nil, cfg, err
	}
	eng, err := rt.EngineFor(ctx, cfg, rt.KeyringGetter(), rt.liveConfig(ctx, cfg))
	return eng, cfg, err
}

// EngineFor builds a sync engine for cfg with credentials from get; live,
// when not nil, supplies the configuration of each run instead of cfg.
func (rt *Runtime) EngineFor(ctx context.Context, cfg config.Config, get SecretGetter, live func() config.Config) (*engine.Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	client, err := rt.OktaClientWith(cfg, get)
	if err != nil {
		return nil, err
	}
	tgt, err := rt.TargetWith(ctx, cfg, get)
	if err != nil {
		return nil, err
	}
	if live == nil {
		live = func() config.Config { return cfg }
	}
	return engine.New(engine.Options{
		Source:   oktaSource{client},
		Target:   tgt,
		Recorder: anchoringRecorder{rt.Store, rt},
		Policy:   func() engine.Policy { return EnginePolicy(live()) },
		Logger:   rt.Logger,
		LockPath: filepath.Join(rt.DataDir, LockFile),
		Holder:   rt.Holder,
	})
}

// liveConfig rereads the saved configuration for each run, keeping the last
// good one when the store cannot be read.
func (rt *Runtime) liveConfig(ctx context.Context, cfg config.Config) func() config.Config {
	var mu sync.Mutex
	last := cfg
	return func() config.Config {
		mu.Lock()
		defer mu.Unlock()
		if c, ok, err := ConfigFromStore(ctx, rt.Store); err == nil && ok {
			last = c
		}
		return last
	}
}
