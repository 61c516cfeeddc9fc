package singleinstance

import (
	"errors"
	"fmt"
	"os"

	"github.com/rolesync/rolesync/internal/flock"
)

var errLocked = errors.New("locked by another process")

// tryLock takes an exclusive lock on path without waiting (flock on Unix,
// LockFileEx on Windows). The system drops the lock when the process dies,
// so a crash leaves nothing stale behind.
func tryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := flock.TryLock(f); err != nil {
		f.Close()
		if errors.Is(err, flock.ErrLocked) {
			return nil, errLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

func unlock(f *os.File) {
	_ = flock.Unlock(f)
	f.Close()
}
