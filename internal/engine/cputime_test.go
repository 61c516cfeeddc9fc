package engine

import (
	"time"

	"github.com/rolesync/rolesync/internal/cputime"
)

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration { return cputime.Used() }
