package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rolesync/rolesync/internal/report"
	"github.com/rolesync/rolesync/internal/store"
)

// RemovedConnection is the kept directory of a removed connection,
// RemovedDir/SLUG-DATE, whose history can still be exported.
type RemovedConnection struct {
	// Name is the directory's name, SLUG-DATE: the index no longer holds
	// the name the connection had.
	Name string
	// Dir is the directory; its store is Dir/StoreFile.
	Dir string
}

// RemovedConnections lists the removed connections of the data directory
// root that kept a history, in name order; none when nothing was removed.
func RemovedConnections(root string) ([]RemovedConnection, error) {
	dir := filepath.Join(root, RemovedDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the removed connections: %w", err)
	}
	var out []RemovedConnection
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		d := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(d, StoreFile)); err != nil {
			continue // no history kept
		}
		out = append(out, RemovedConnection{Name: e.Name(), Dir: d})
	}
	return out, nil
}

// RemovedSources opens the history of every removed connection of the
// data directory root as report sources; closeAll closes what was opened,
// also after an error. A removed connection's keyring is not read: the
// report says its checkpoints were checked against the stored keys only.
func RemovedSources(ctx context.Context, root string) (srcs []report.Source, closeAll func(), err error) {
	var closers []func() error
	closeAll = func() {
		for _, cl := range closers {
			_ = cl()
		}
	}
	removed, err := RemovedConnections(root)
	if err != nil {
		return nil, closeAll, err
	}
	for _, r := range removed {
		st, err := store.Open(ctx, filepath.Join(r.Dir, StoreFile))
		if err != nil {
			return nil, closeAll, fmt.Errorf("removed connection %s: %w", r.Name, err)
		}
		closers = append(closers, st.Close)
		srcs = append(srcs, report.Source{Name: r.Name, Removed: true, Store: st})
	}
	return srcs, closeAll, nil
}
