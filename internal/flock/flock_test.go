package flock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Two opens of one file stand for two processes: flock and LockFileEx both
// lock per open file, not per process.
func TestTryLockExcludesAnotherHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	open := func() *os.File {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	a, b := open(), open()
	if err := TryLock(a); errors.Is(err, errors.ErrUnsupported) {
		t.Skip("no file locks on this platform")
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WriteString("holder: test\n"); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	// The holder's note stays readable while the lock is held.
	if data, err := os.ReadFile(path); err != nil || string(data) != "holder: test\n" {
		t.Fatalf("read the held lock file: %q, %v", data, err)
	}
	if err := Unlock(a); err != nil {
		t.Fatal(err)
	}
	if err := TryLock(b); err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	// Closing the file releases the lock, as a dying process does.
	b.Close()
	if err := TryLock(open()); err != nil {
		t.Fatalf("lock after the holder closed: %v", err)
	}
}
