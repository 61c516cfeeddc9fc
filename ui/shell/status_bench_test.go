package shell

import "testing"

// The status ticker builds every connection's status every two seconds:
// with 50 connections, 25 of these a second.
func BenchmarkShellStatus(b *testing.B) {
	s, _, _ := demoShell(b)
	s.Start()
	b.ReportAllocs()
	for b.Loop() {
		s.status()
	}
}
