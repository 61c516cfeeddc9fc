//go:build unix

package cli

import "syscall"

// canaryUmask clears the umask, so that a file or directory the app
// creates with a loose mode shows that mode whatever the caller's umask,
// and returns the function that restores it.
func canaryUmask() func() {
	old := syscall.Umask(0)
	return func() { syscall.Umask(old) }
}
