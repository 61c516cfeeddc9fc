//go:build !windows

package main

// attachConsole is needed only on Windows, where rolesync.exe starts
// without a console.
func attachConsole() {}
