// Package store keeps rolesync's history and settings in SQLite: the runs, the changes each run made, the
// holds waiting for approval, the group-to-role mappings and the non-secret
// settings. Change rows form a tamper-evident SHA-256 hash chain (see
// CanonicalChange and VerifyChain). Secrets never land here: there is no
// column for tokens or keys.
//
// The package does not link a SQLite driver: programs and tests that open a
// store import internal/store/sqlitedriver (modernc.org/sqlite, no cgo),
// which registers it as "sqlite". The row types live in package record, so
// that code which only shows the history links no driver either.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// ErrNotFound is returned when a run, hold or other row does not exist.
var ErrNotFound = errors.New("not found")

// driverName is the database/sql driver the store opens its file with,
// registered by package sqlitedriver.
const driverName = "sqlite"

// cacheKiB is each connection's SQLite page cache.
const cacheKiB = 32768

// Store wraps the SQLite database with context-first methods.
type Store struct {
	db   *sql.DB
	now  func() time.Time // the clock for hold times
	path string
}

// Open opens (creating if needed) the database at path, switches it to WAL
// mode with a busy timeout and foreign keys, and applies any pending
// migrations. Opening the same file twice is safe. Runs left "running" by
// a process that has ended are marked interrupted; those of a live process
// (this one, or another app or daemon of the same data directory) are not.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty database path; pass a file path such as ~/.local/share/rolesync/rolesync.db")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open store: %q is not a file path; give a database file (tests can use a file in t.TempDir())", path)
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("open store: database path %q contains '?'; choose a path without it", path)
	}
	// Create the file owner-only: it names every user and role. SQLite
	// gives its -wal and -shm files the same mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// No mmap: mapped pages count in the resident set of a long-running
	// tray app and of exports, and reads through the page cache measured
	// as fast.
	if !slices.Contains(sql.Drivers(), driverName) {
		return nil, fmt.Errorf("open store %s: no SQLite driver is registered as %q; the program must import github.com/rolesync/rolesync/internal/store/sqlitedriver", path, driverName)
	}
	dsn := path + "?_busy_timeout=10000&_journal_mode=WAL&_foreign_keys=1&_synchronous=NORMAL&_txlock=immediate" +
		fmt.Sprintf("&_pragma=cache_size(-%d)&_pragma=temp_store(memory)", cacheKiB)
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// The path names the database in ownRuns, the same however it is given.
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	s := &Store{db: db, now: time.Now, path: abs}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.interruptEnded(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Path returns the database file's absolute path.
func (s *Store) Path() string { return s.path }

// SchemaVersion returns the number of migrations applied to the database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
