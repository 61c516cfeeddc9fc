//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package engine

import "time"

// cpuTime is unavailable here; the cpu-ms/op metric then reads 0.
func cpuTime() time.Duration { return 0 }
