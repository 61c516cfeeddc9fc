package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
