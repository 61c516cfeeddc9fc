package setup_test

import (
	"testing"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// TestNewSetupKeepsThePercentageDefault checks that a new setup saves the
// deletion threshold's percentage, which the wizard does not ask for, at
// its default rather than at 0, which would switch that term off.
func TestNewSetupKeepsThePercentageDefault(t *testing.T) {
	s := setup.New(nil).Config().Safety
	if s.MaxRevocations != setup.DefaultThreshold || s.MaxRevocationPercent != config.DefaultMaxRevocationPercent {
		t.Fatalf("new setup's limits %d and %d%%, want %d and %d%%", s.MaxRevocations, s.MaxRevocationPercent,
			setup.DefaultThreshold, config.DefaultMaxRevocationPercent)
	}
}

// The Okta group a mapping row was chosen with is kept with the mapping,
// and a saved mapping's group id survives being edited in the wizard.
func TestMappingKeepsChosenGroupID(t *testing.T) {
	s := setup.New(nil)
	s.Rows = []*setup.MappingRow{{Group: setup.Group{ID: "00g1abcdefghijklmnop", Name: "Helpdesk", Members: 12}, Roles: []string{"Auditor"}}}
	if got := s.Config().Mappings; len(got) != 1 || got[0].GroupID != "00g1abcdefghijklmnop" {
		t.Fatalf("mappings %+v; want the chosen group's id", got)
	}
	cfg := config.Default()
	cfg.Mappings = []config.Mapping{{Group: "Helpdesk", Roles: []string{"Auditor"}, GroupID: "00g2abcdefghijklmnop"}}
	if got := setup.New(&cfg).Config().Mappings; len(got) != 1 || got[0].GroupID != "00g2abcdefghijklmnop" {
		t.Fatalf("mappings %+v; want the saved group id kept", got)
	}
}
