//go:build unix

package store

import (
	"errors"

	"golang.org/x/sys/unix"
)

// processAlive reports whether a process with this pid exists. One of
// another user (EPERM) exists too.
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
