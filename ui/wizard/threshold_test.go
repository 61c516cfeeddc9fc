package wizard

import (
	"testing"

	"github.com/rolesync/rolesync/internal/config"
)

// TestNewSetupKeepsThePercentageDefault checks that a new setup saves the
// deletion threshold's percentage, which the wizard does not ask for, at
// its default rather than at 0, which would switch that term off.
func TestNewSetupKeepsThePercentageDefault(t *testing.T) {
	s := newState(nil).Config().Safety
	if s.MaxRevocations != defaultThreshold || s.MaxRevocationPercent != config.DefaultMaxRevocationPercent {
		t.Fatalf("new setup's limits %d and %d%%, want %d and %d%%", s.MaxRevocations, s.MaxRevocationPercent,
			defaultThreshold, config.DefaultMaxRevocationPercent)
	}
}
