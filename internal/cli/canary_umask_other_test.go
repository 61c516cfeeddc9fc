//go:build !unix

package cli

// canaryUmask does nothing where there is no umask.
func canaryUmask() func() { return func() {} }
