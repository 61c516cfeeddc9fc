package wizard

import (
	"testing"

	"github.com/rolesync/rolesync/internal/config"
)

// The Okta group a mapping row was chosen with is kept with the mapping,
// and a saved mapping's group id survives being edited in the wizard.
func TestMappingKeepsChosenGroupID(t *testing.T) {
	s := newState(nil)
	s.Rows = []*mappingRow{{Group: Group{ID: "00g1abcdefghijklmnop", Name: "Helpdesk", Members: 12}, Roles: []string{"Auditor"}}}
	if got := s.Config().Mappings; len(got) != 1 || got[0].GroupID != "00g1abcdefghijklmnop" {
		t.Fatalf("mappings %+v; want the chosen group's id", got)
	}
	cfg := config.Default()
	cfg.Mappings = []config.Mapping{{Group: "Helpdesk", Roles: []string{"Auditor"}, GroupID: "00g2abcdefghijklmnop"}}
	if got := newState(&cfg).Config().Mappings; len(got) != 1 || got[0].GroupID != "00g2abcdefghijklmnop" {
		t.Fatalf("mappings %+v; want the saved group id kept", got)
	}
}
