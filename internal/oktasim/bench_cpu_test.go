package oktasim

import (
	"time"

	"github.com/rolesync/rolesync/internal/cputime"
)

// processCPU is the CPU time (user and system) this process has used; on a
// shared machine it measures the work better than wall time.
func processCPU() time.Duration { return cputime.Used() }
