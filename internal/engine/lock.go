package engine

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/flock"
)

// Lock is a cross-process lock on a file in the data directory. The file
// names its holder, so a second process can say who is syncing.
type Lock struct {
	f    *os.File
	path string
}

// LockedError is returned by AcquireLock when another process holds the lock.
type LockedError struct {
	Path   string
	Holder string // "gui", "daemon", "cli", or empty when unknown
	PID    int
	Since  time.Time
}

func (e *LockedError) Error() string {
	who := e.Holder
	if who == "" {
		who = "another rolesync process"
	}
	if e.PID > 0 {
		who += " (pid " + strconv.Itoa(e.PID) + ")"
	}
	since := ""
	if !e.Since.IsZero() {
		since = " since " + e.Since.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s: it is held by %s%s; wait for that sync to finish, or stop it (lock file %s)",
		ErrBusy, who, since, e.Path)
}

// Is makes errors.Is(err, ErrBusy) true for a LockedError.
func (e *LockedError) Is(target error) bool { return target == ErrBusy }

// AcquireLock takes the lock at path for holder, without waiting. When
// another process holds it, the error is a *LockedError naming the holder.
// The lock is released by Release or when the process ends.
func AcquireLock(path, holder string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sync lock %s: %w", path, err)
	}
	if err := flock.TryLock(f); err != nil {
		defer f.Close()
		if errors.Is(err, flock.ErrLocked) {
			le := &LockedError{Path: path}
			if b, rerr := os.ReadFile(path); rerr == nil {
				le.Holder, le.PID, le.Since = parseLockInfo(string(b))
			}
			return nil, le
		}
		return nil, fmt.Errorf("take sync lock %s: %w", path, err)
	}
	info := fmt.Sprintf("%d %s %s\n", os.Getpid(), holder, time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(info), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release clears the holder and releases the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := flock.Unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("release sync lock %s: %w", l.path, err)
	}
	return nil
}

func parseLockInfo(s string) (holder string, pid int, since time.Time) {
	fields := strings.Fields(s)
	if len(fields) >= 1 {
		pid, _ = strconv.Atoi(fields[0])
	}
	if len(fields) >= 2 {
		holder = fields[1]
	}
	if len(fields) >= 3 {
		since, _ = time.Parse(time.RFC3339, fields[2])
	}
	return holder, pid, since
}
