// Package flock takes and releases an exclusive, non-blocking lock on an
// open file, the one way rolesync locks across processes (the sync lock,
// the single app instance). The operating system drops the lock when its
// process dies, so a crash leaves nothing stale behind.
package flock

import (
	"errors"
	"os"
)

// ErrLocked is TryLock's error when another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// TryLock takes an exclusive lock on f without waiting: ErrLocked when
// another process (or another open file in this one) holds it;
// errors.ErrUnsupported where the platform has no such lock.
func TryLock(f *os.File) error { return tryLock(f) }

// Unlock releases a lock TryLock took.
func Unlock(f *os.File) error { return unlock(f) }
