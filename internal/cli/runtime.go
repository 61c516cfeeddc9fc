package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/local"
)

// Files inside the data directory.
const (
	storeFile     = "rolesync.db"
	directoryFile = "directory.db"
	keyringDir    = "keyring"
	lockFile      = "sync.lock"
)

// Runtime is an opened data directory: the store, the local directory and,
// on first use, the keyring. It is what the GUI and every subcommand share.
type Runtime struct {
	DataDir   string
	Store     *store.Store
	Directory *local.Directory
	Logger    *slog.Logger
	// Holder names this process in the cross-process sync lock.
	Holder string
	// Prompt asks for the keyring passphrase when the file backend needs one
	// and ROLESYNC_KEYRING_PASSWORD is unset; the GUI supplies it. When nil,
	// a terminal on standard input is asked (see terminalPrompt).
	Prompt secrets.Prompt

	env     Env
	krMu    sync.Mutex
	secrets *secrets.Store
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
	st, err := store.Open(ctx, filepath.Join(dir, storeFile))
	if err != nil {
		return nil, err
	}
	d, err := local.Open(ctx, filepath.Join(dir, directoryFile))
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
	cfg, ok, err := config.FromStore(ctx, rt.Store)
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
		prompt = terminalPrompt(rt.env)
	}
	kr, err := secrets.OpenKeyring(filepath.Join(rt.DataDir, keyringDir), prompt)
	if err != nil {
		return nil, err
	}
	rt.secrets = secrets.New(kr)
	return rt.secrets, nil
}

// UseSecrets replaces the keyring, for tests and the demo.
func (rt *Runtime) UseSecrets(kr keyring.Keyring) {
	rt.krMu.Lock()
	defer rt.krMu.Unlock()
	rt.secrets = secrets.New(kr)
}

// Target returns the portal target the configuration names.
func (rt *Runtime) Target(ctx context.Context, cfg config.Config) (target.Target, error) {
	return rt.TargetWith(ctx, cfg, rt.KeyringGetter())
}

// TargetWith returns the portal target cfg names, with credentials from get.
func (rt *Runtime) TargetWith(ctx context.Context, cfg config.Config, get SecretGetter) (target.Target, error) {
	switch cfg.Target.Kind {
	case "", config.TargetLocal:
		return rt.Directory, nil
	case config.TargetSCIM:
		return rt.scimTarget(ctx, cfg, get)
	}
	return nil, fmt.Errorf("target.kind %q is not known: use local or scim", cfg.Target.Kind)
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

// OktaClient builds the Okta client for cfg with its credentials from the keyring.
func (rt *Runtime) OktaClient(ctx context.Context, cfg config.Config) (*okta.Client, error) {
	return rt.OktaClientWith(cfg, rt.KeyringGetter())
}

// OktaClientWith builds the Okta client for cfg with credentials from get,
// for a configuration not saved yet (the setup wizard's).
func (rt *Runtime) OktaClientWith(cfg config.Config, get SecretGetter) (*okta.Client, error) {
	auth, err := oktaAuth(cfg, get, rt.DPoPNonces(cfg))
	if err != nil {
		return nil, err
	}
	return okta.NewClient(okta.Options{
		Domain:      cfg.Okta.Domain,
		CAFile:      cfg.Okta.CAFile,
		Auth:        auth,
		Logger:      rt.Logger,
		Concurrency: cfg.Okta.Concurrency,
		RateShare:   float64(cfg.Okta.RateLimitPercent) / 100,
		// 0 leaves the client's default, config.DefaultSearchOverlap.
		SearchOverlap: time.Duration(cfg.Okta.SearchOverlap),
	})
}

func oktaAuth(cfg config.Config, get SecretGetter, nonces okta.NonceCache) (func(http.RoundTripper) http.RoundTripper, error) {
	switch cfg.Okta.Auth {
	case config.AuthAPIToken:
		tok, err := get(secrets.APIToken)
		if err != nil {
			return nil, err
		}
		token := strings.TrimSpace(string(tok))
		return func(base http.RoundTripper) http.RoundTripper { return okta.APITokenTransport(token, base) }, nil
	case config.AuthScoped, config.AuthScopedDPoP:
		client, err := loadPair(get, secrets.PrivateKey)
		if err != nil {
			return nil, err
		}
		sc := okta.ScopedConfig{Domain: cfg.Okta.Domain, ClientID: cfg.Okta.ClientID, Key: client.Signer, KeyID: client.KeyID, Alg: client.Alg, Scopes: cfg.Okta.Scopes}
		if cfg.Okta.KeyID != "" {
			sc.KeyID = cfg.Okta.KeyID
		}
		if cfg.Okta.Auth == config.AuthScopedDPoP {
			dpop, err := loadPair(get, secrets.DPoPPrivateKey)
			if err != nil {
				return nil, err
			}
			if err := keys.Distinct(client, dpop); err != nil {
				return nil, err
			}
			sc.DPoPKey, sc.Nonces = dpop.Signer, nonces
		}
		return func(base http.RoundTripper) http.RoundTripper { return okta.ScopedTransport(sc, base) }, nil
	}
	return nil, fmt.Errorf("okta.auth %q is not known: use api_token, scoped or scoped_dpop", cfg.Okta.Auth)
}

// DPoPNonces keeps the DPoP nonce of cfg's Okta org and client in the
// data directory's settings, so that each sync or test of the connection
// starts with the last nonce Okta gave (okta.NonceCache).
func (rt *Runtime) DPoPNonces(cfg config.Config) okta.NonceCache {
	if rt.Store == nil {
		return nil
	}
	return storedNonce{rt: rt, key: "okta.dpop_nonce " + strings.TrimSuffix(strings.TrimSpace(cfg.Okta.Domain), "/") + " " + cfg.Okta.ClientID}
}

// storedNonce is a NonceCache in the store's settings. A nonce that cannot
// be read or saved only costs Okta's nonce retry, so failures are logged.
type storedNonce struct {
	rt  *Runtime
	key string
}

func (n storedNonce) DPoPNonce() string {
	v, _, err := n.rt.Store.Setting(context.Background(), n.key)
	if err != nil {
		n.rt.Logger.Debug("read the saved DPoP nonce", "err", err)
	}
	return v
}

func (n storedNonce) SetDPoPNonce(nonce string) {
	if err := n.rt.Store.SetSetting(context.Background(), n.key, nonce); err != nil {
		n.rt.Logger.Debug("save the DPoP nonce", "err", err)
	}
}

func loadPair(get SecretGetter, name string) (*keys.Pair, error) {
	data, err := get(name)
	if err != nil {
		return nil, err
	}
	p, err := keys.ParsePrivate(data)
	if err != nil {
		return nil, fmt.Errorf("the %s in the keyring is unusable: %w", name, err)
	}
	return p, nil
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
		Source:   client,
		Target:   tgt,
		Recorder: anchoringRecorder{rt.Store, rt},
		Config:   live,
		Logger:   rt.Logger,
		LockPath: filepath.Join(rt.DataDir, lockFile),
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
		if c, ok, err := config.FromStore(ctx, rt.Store); err == nil && ok {
			last = c
		}
		return last
	}
}
