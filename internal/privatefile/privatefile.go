// Package privatefile writes files that only their owner may read: audit
// reports, exported configuration and anything else that names users,
// roles or settings. A file is written to a temporary file in the same
// directory, made 0600, synced and renamed over the target, so it appears
// whole or not at all and never keeps the mode of the file it replaces.
// Directories rolesync keeps its data in are tightened to 0700. On Windows
// the modes are advisory: the rename still makes each write atomic.
package privatefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// FileMode is the mode of every file written here.
const FileMode fs.FileMode = 0o600

// DirMode is the mode a data directory is tightened to.
const DirMode fs.FileMode = 0o700

// Write creates or replaces path with what write writes. Until write
// returns nil and the data is on disk, path is untouched; on any error the
// temporary file is removed.
func Write(path string, write func(w io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; say so for umask-free clarity
	// and for file systems that start it otherwise.
	if err := tmp.Chmod(FileMode); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteFile creates or replaces path with data, as Write does.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// TightenDir removes the group's and others' permissions from dir, so an
// existing data directory made with a looser umask becomes 0700 (or
// stricter, when its owner has fewer rights). It does nothing on Windows.
func TightenDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("check the mode of %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	mode := fi.Mode().Perm()
	if mode&^DirMode == 0 {
		return nil
	}
	if err := os.Chmod(dir, mode&DirMode); err != nil {
		return errors.Join(fmt.Errorf("make %s private to its owner (mode %o)", dir, DirMode), err)
	}
	return nil
}
