package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/flock"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/store"
)

// A data directory written before it held several connections has the
// files of its one connection at its top. Migrate moves them into the
// directory of a connection named after the configured Okta domain. Each
// move is a rename, so a crash leaves every file whole in one place or the
// other; migrateRecord, written before the first move, makes a restart
// finish the same migration. The index, written last, marks it done: a
// data directory that has an index is never migrated again.

// migrateRecord is the migration in progress: the connection it makes.
const migrateRecord = "connections.migrating"

// legacyFiles are the files of the one connection at the top of a data
// directory in the earlier layout. Others there (the app's single-instance
// lock, an environment file of the daemon's service) stay where they are.
var legacyFiles = []string{
	StoreFile, StoreFile + "-wal", StoreFile + "-shm", StoreFile + "-journal",
	DirectoryFile, DirectoryFile + "-wal", DirectoryFile + "-shm", DirectoryFile + "-journal",
	KeyringDir, LockFile, LockFile + ".pending",
}

// migrateStep, when set, is called before each step of a migration; an
// error stops it there, as a crash would. Tests set it.
var migrateStep func(step string) error

// Migrate migrates the data directory root from the layout of one
// connection, when it has that layout; otherwise it does nothing.
func Migrate(ctx context.Context, root string) error {
	return withIndex(ctx, root, func(*index) (bool, error) { return false, nil })
}

// migrate does Migrate's work under the index lock.
func migrate(ctx context.Context, root string) error {
	conn, ok, err := readMigrateRecord(root)
	if err != nil || !ok {
		if err == nil {
			conn, ok, err = startMigration(ctx, root)
		}
		if err != nil || !ok {
			return err
		}
	}
	if err := notInUse(root); err != nil {
		return err
	}
	dir := ConnectionDir(root, conn.Slug)
	if err := os.MkdirAll(dir, privatefile.DirMode); err != nil {
		return fmt.Errorf("migrate the data directory: %w", err)
	}
	for _, name := range legacyFiles {
		if err := moveLegacy(root, dir, name); err != nil {
			return err
		}
	}
	if err := step("index"); err != nil {
		return err
	}
	ix, _, err := readIndex(root)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ix.Connections, func(c Connection) bool { return c.Slug == conn.Slug }) {
		ix.Connections = append(ix.Connections, conn)
	}
	if err := writeIndex(root, ix); err != nil {
		return err
	}
	if err := step("done"); err != nil {
		return err
	}
	return os.Remove(filepath.Join(root, migrateRecord))
}

// instanceLock is the lock an earlier version's desktop app holds at the
// top of the data directory while it runs (package singleinstance).
const instanceLock = "rolesync.lock"

// notInUse fails while a process of the earlier layout works on root: a
// sync holding its lock, or a desktop app holding its instance lock. Its
// files are not moved from under it.
func notInUse(root string) error {
	if _, err := os.Stat(filepath.Join(root, LockFile)); err == nil {
		l, err := engine.AcquireLock(filepath.Join(root, LockFile), "migrate")
		if err != nil {
			return fmt.Errorf("the data directory cannot be migrated to several connections now: %w", err)
		}
		if err := l.Release(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(filepath.Join(root, instanceLock), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("migrate the data directory: %w", err)
	}
	defer f.Close()
	if err := flock.TryLock(f); errors.Is(err, flock.ErrLocked) {
		return errors.New("the data directory cannot be migrated to several connections now: the desktop app of an earlier version has it open; quit it first")
	}
	return flock.Unlock(f)
}

func step(name string) error {
	if migrateStep == nil {
		return nil
	}
	return migrateStep(name)
}

// startMigration decides whether root needs migrating and, when it does,
// writes the record naming the connection it becomes.
func startMigration(ctx context.Context, root string) (Connection, bool, error) {
	if _, ok, err := readIndex(root); err != nil || ok {
		return Connection{}, false, err
	}
	if _, err := os.Stat(filepath.Join(root, StoreFile)); errors.Is(err, fs.ErrNotExist) {
		return Connection{}, false, nil
	}
	name, err := legacyName(ctx, root)
	if err != nil {
		return Connection{}, false, err
	}
	conn := Connection{Name: name, Slug: Slug(name), Created: time.Now().UTC(), Legacy: true}
	data, err := json.Marshal(conn)
	if err != nil {
		return Connection{}, false, err
	}
	if err := step("record"); err != nil {
		return Connection{}, false, err
	}
	if err := privatefile.WriteFile(filepath.Join(root, migrateRecord), data); err != nil {
		return Connection{}, false, fmt.Errorf("migrate the data directory: %w", err)
	}
	return conn, true, nil
}

// legacyName is the name of the connection a data directory of one
// connection becomes: the host of its Okta domain, or "default" when it
// was never configured.
func legacyName(ctx context.Context, root string) (string, error) {
	st, err := store.Open(ctx, filepath.Join(root, StoreFile))
	if err != nil {
		return "", fmt.Errorf("migrate the data directory: %w", err)
	}
	defer st.Close()
	cfg, ok, err := ConfigFromStore(ctx, st)
	if err != nil || !ok {
		// An unreadable configuration only loses the name.
		return "default", nil
	}
	if u, err := url.Parse(cfg.Okta.Domain); err == nil && u.Host != "" {
		return u.Host, nil
	}
	return "default", nil
}

func readMigrateRecord(root string) (Connection, bool, error) {
	data, err := os.ReadFile(filepath.Join(root, migrateRecord))
	if errors.Is(err, fs.ErrNotExist) {
		return Connection{}, false, nil
	}
	if err != nil {
		return Connection{}, false, fmt.Errorf("migrate the data directory: %w", err)
	}
	var conn Connection
	if err := json.Unmarshal(data, &conn); err != nil || conn.Slug == "" || conn.Slug != Slug(conn.Slug) {
		return Connection{}, false, fmt.Errorf("migrate the data directory: %s is damaged", filepath.Join(root, migrateRecord))
	}
	return conn, true, nil
}

// moveLegacy renames root/name into dir; one moved already is skipped.
func moveLegacy(root, dir, name string) error {
	from, to := filepath.Join(root, name), filepath.Join(dir, name)
	if _, err := os.Lstat(from); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("migrate the data directory: both %s and %s exist; move one away", from, to)
	}
	if err := step("move " + name); err != nil {
		return err
	}
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("migrate the data directory: %w", err)
	}
	return nil
}

// lockIndex takes the index lock of root, waiting while another process
// holds it.
func lockIndex(ctx context.Context, root string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(root, indexLock), os.O_RDWR|os.O_CREATE, privatefile.FileMode)
	if err != nil {
		return nil, fmt.Errorf("lock the connections: %w", err)
	}
	for {
		err := flock.TryLock(f)
		if err == nil || errors.Is(err, errors.ErrUnsupported) {
			break
		}
		if !errors.Is(err, flock.ErrLocked) {
			f.Close()
			return nil, fmt.Errorf("lock the connections: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return func() {
		_ = flock.Unlock(f)
		f.Close()
	}, nil
}
