// Package cputime reads the processor time this process has used, user and
// system together. The benchmarks report it beside wall time, which says
// little on a shared or loaded machine.
package cputime

import "time"

// Used returns the processor time used so far, or 0 where the platform
// does not say (then a per-op figure built on it reads 0).
func Used() time.Duration { return used() }
