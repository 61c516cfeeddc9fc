//go:build !unix

package singleinstance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

var errLocked = errors.New("locked by another process")

// tryLock creates path exclusively. Without flock, a lock file left by a
// crash is taken over when nobody answers on the socket.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		if showOnce(context.Background(), SocketPath(filepath.Dir(path))) == nil {
			return nil, errLocked
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("remove stale lock %s: %w", path, err)
		}
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	}
	if err != nil {
		return nil, fmt.Errorf("create lock %s: %w", path, err)
	}
	return f, nil
}

func unlock(f *os.File) {
	name := f.Name()
	f.Close()
	_ = os.Remove(name)
}
