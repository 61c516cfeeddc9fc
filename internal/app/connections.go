package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/99designs/keyring"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/secrets"
)

// A data directory holds several connections (one Okta org, its
// credentials, one target, mappings, safety and interval each). Each
// connection is a directory of its own, ConnectionsDir/SLUG, laid out as a
// data directory of one connection was before: its store (history,
// approvals, audit chain), local directory, file keyring, DPoP nonce and
// sync lock. Nothing of one connection is shared with another. The names
// the admin chooses are kept in IndexFile at the top of the data directory.
const (
	ConnectionsDir = "connections"
	// RemovedDir keeps removed connections, RemovedDir/SLUG-DATE, so that
	// their history can still be exported.
	RemovedDir = "removed"
	IndexFile  = "connections.json"
	// indexLock serializes changes to the index across processes.
	indexLock = "connections.lock"
)

// MaxConnectionName is the longest name a connection may have, in characters.
const MaxConnectionName = 100

// Connection is one connection of a data directory.
type Connection struct {
	// Name is the admin's, free text ("Contoso → ThreatLocker EU1").
	Name string `json:"name"`
	// Slug names its directory and its keyring items.
	Slug    string    `json:"slug"`
	Created time.Time `json:"created"`
	// Legacy marks the connection migrated from a data directory of one
	// connection: its keyring items keep the names they had and its audit
	// chain the keyring scope it had.
	Legacy bool `json:"legacy,omitempty"`
}

// ConnectionDir is the directory of the connection slug in the data directory root.
func ConnectionDir(root, slug string) string {
	return filepath.Join(root, ConnectionsDir, slug)
}

// index is IndexFile.
type index struct {
	Connections []Connection `json:"connections"`
}

// ErrNoConnection is returned when a data directory holds no connection.
var ErrNoConnection = errors.New("no connection yet")

// Connections returns the connections of the data directory root, first
// migrating a data directory of one connection (see Migrate).
func Connections(ctx context.Context, root string) ([]Connection, error) {
	var out []Connection
	err := withIndex(ctx, root, func(ix *index) (bool, error) {
		out = slices.Clone(ix.Connections)
		return false, nil
	})
	return out, err
}

// AddConnection adds a connection named name, with an empty directory of
// its own, and returns it.
func AddConnection(ctx context.Context, root, name string) (Connection, error) {
	name, err := checkName(name)
	if err != nil {
		return Connection{}, err
	}
	var conn Connection
	err = withIndex(ctx, root, func(ix *index) (bool, error) {
		if c, ok := findName(ix.Connections, name); ok {
			return false, fmt.Errorf("a connection named %q exists already", c.Name)
		}
		conn, err = newConnection(root, ix.Connections, name)
		if err != nil {
			return false, err
		}
		ix.Connections = append(ix.Connections, conn)
		return true, nil
	})
	return conn, err
}

// newConnection makes the directory of a new connection named name.
func newConnection(root string, conns []Connection, name string) (Connection, error) {
	conn := Connection{Name: name, Slug: freeSlug(root, conns, name), Created: time.Now().UTC()}
	if err := os.MkdirAll(ConnectionDir(root, conn.Slug), privatefile.DirMode); err != nil {
		return Connection{}, fmt.Errorf("create the connection's directory: %w", err)
	}
	return conn, nil
}

// DefaultConnection names the connection a data directory gets when a
// command needs one and none was added.
const DefaultConnection = "default"

// EnsureConnection returns the connections of root, first adding one
// named name (DefaultConnection when "") when there is none.
func EnsureConnection(ctx context.Context, root, name string) ([]Connection, error) {
	if name == "" {
		name = DefaultConnection
	}
	name, err := checkName(name)
	if err != nil {
		return nil, err
	}
	var out []Connection
	err = withIndex(ctx, root, func(ix *index) (bool, error) {
		changed := false
		if len(ix.Connections) == 0 {
			conn, err := newConnection(root, nil, name)
			if err != nil {
				return false, err
			}
			ix.Connections, changed = []Connection{conn}, true
		}
		out = slices.Clone(ix.Connections)
		return changed, nil
	})
	return out, err
}

// RenameConnection gives the connection old (a name or slug) the name
// name. Its directory and keyring items keep their slug.
func RenameConnection(ctx context.Context, root, old, name string) (Connection, error) {
	name, err := checkName(name)
	if err != nil {
		return Connection{}, err
	}
	var conn Connection
	err = withIndex(ctx, root, func(ix *index) (bool, error) {
		i, err := lookup(ix.Connections, old)
		if err != nil {
			return false, err
		}
		if c, ok := findName(ix.Connections, name); ok && c.Slug != ix.Connections[i].Slug {
			return false, fmt.Errorf("a connection named %q exists already", c.Name)
		}
		ix.Connections[i].Name = name
		conn = ix.Connections[i]
		return true, nil
	})
	return conn, err
}

// RemoveConnection removes the connection name (or slug) from the data
// directory: its directory moves to RemovedDir/SLUG-DATE, history, audit
// chain and file keyring included; the connection and that path are
// returned. A connection whose sync is running is not removed. Its
// secrets in a shared keyring are the caller's to forget (ForgetSecrets).
func RemoveConnection(ctx context.Context, root, name string, now time.Time) (Connection, string, error) {
	var dest string
	var conn Connection
	err := withIndex(ctx, root, func(ix *index) (bool, error) {
		i, err := lookup(ix.Connections, name)
		if err != nil {
			return false, err
		}
		conn = ix.Connections[i]
		dir := ConnectionDir(root, conn.Slug)
		if err := notSyncing(dir, conn); err != nil {
			return false, err
		}
		if err := os.MkdirAll(filepath.Join(root, RemovedDir), privatefile.DirMode); err != nil {
			return false, err
		}
		dest = freePath(filepath.Join(root, RemovedDir, conn.Slug+"-"+now.UTC().Format("2006-01-02")))
		if err := os.Rename(dir, dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("move the connection's directory to %s: %w", dest, err)
		}
		ix.Connections = slices.Delete(ix.Connections, i, i+1)
		return true, nil
	})
	return conn, dest, err
}

// ForgetSecrets deletes the secrets of conn (every name of secrets.Names)
// from kr, a keyring that several connections share, and returns how many
// it held. The audit chain's items stay, so that its history still
// verifies.
func ForgetSecrets(conn Connection, kr keyring.Keyring) (int, error) {
	ns := conn.Slug
	if conn.Legacy {
		ns = ""
	}
	sec := secrets.NewNamespaced(kr, ns)
	n := 0
	for _, name := range secrets.Names() {
		set, err := sec.IsSet(name)
		if err != nil {
			return n, err
		}
		if !set {
			continue
		}
		if err := sec.Delete(name); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// notSyncing fails when a sync of conn, in dir, holds its lock.
func notSyncing(dir string, conn Connection) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	l, err := engine.AcquireLock(filepath.Join(dir, LockFile), "remove")
	if err != nil {
		return fmt.Errorf("connection %q is not removed: %w", conn.Name, err)
	}
	return l.Release()
}

// SelectConnection picks the connection name (or slug) names; with no
// name, the only one. It fails listing the connections when name matches
// none, or when none is named and there are several.
func SelectConnection(conns []Connection, name string) (Connection, error) {
	if name != "" {
		i, err := lookup(conns, name)
		if err != nil {
			return Connection{}, err
		}
		return conns[i], nil
	}
	switch len(conns) {
	case 0:
		return Connection{}, fmt.Errorf("%w: add one with `rolesync connections add NAME`", ErrNoConnection)
	case 1:
		return conns[0], nil
	}
	return Connection{}, fmt.Errorf("there are %d connections: name one with --connection NAME (or ROLESYNC_CONNECTION): %s",
		len(conns), nameList(conns))
}

// OpenConnection opens the connection conn of the data directory root.
func OpenConnection(ctx context.Context, root string, conn Connection, env Env) (*Runtime, error) {
	rt, err := Open(ctx, ConnectionDir(root, conn.Slug), env)
	if err != nil {
		return nil, err
	}
	rt.Root, rt.Connection = root, conn
	if conn.Legacy {
		// The audit items keep the scope of the data directory they were
		// made for; the keyring items keep their names.
		rt.scopeDir = root
	} else {
		rt.keyringNS = conn.Slug
	}
	return rt, nil
}

// withIndex runs fn on the index of root under the cross-process index
// lock, after the migration of a data directory of one connection, and
// writes the index back when fn says it changed it.
func withIndex(ctx context.Context, root string, fn func(*index) (bool, error)) error {
	if err := os.MkdirAll(root, privatefile.DirMode); err != nil {
		return fmt.Errorf("cannot create the data directory %s: %w", root, err)
	}
	if err := privatefile.TightenDir(root); err != nil {
		return err
	}
	unlock, err := lockIndex(ctx, root)
	if err != nil {
		return err
	}
	defer unlock()
	if err := migrate(ctx, root); err != nil {
		return err
	}
	ix, _, err := readIndex(root)
	if err != nil {
		return err
	}
	changed, err := fn(&ix)
	if err != nil || !changed {
		return err
	}
	return writeIndex(root, ix)
}

// readIndex reads IndexFile; ok is false when there is none.
func readIndex(root string) (ix index, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(root, IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return index{}, false, nil
	}
	if err != nil {
		return index{}, false, fmt.Errorf("read the connections: %w", err)
	}
	if err := json.Unmarshal(data, &ix); err != nil {
		return index{}, false, fmt.Errorf("read the connections: %s is damaged: %w", filepath.Join(root, IndexFile), err)
	}
	return ix, true, nil
}

// writeIndex replaces IndexFile at once (a rename), 0600.
func writeIndex(root string, ix index) error {
	if ix.Connections == nil {
		ix.Connections = []Connection{}
	}
	data, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	if err := privatefile.WriteFile(filepath.Join(root, IndexFile), append(data, '\n')); err != nil {
		return fmt.Errorf("save the connections: %w", err)
	}
	return nil
}
