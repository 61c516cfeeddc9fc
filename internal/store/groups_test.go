package store

import (
	"context"
	"maps"
	"slices"
	"testing"
)

func TestMappingGroupIDs(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.SetMappings(ctx, []Mapping{{Group: "Eng", Roles: []string{"Administrator"}, GroupID: "00gEng"},
		{Group: "Ops", Roles: []string{"Read Only"}}}); err != nil {
		t.Fatal(err)
	}
	ms, err := s.Mappings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].GroupID != "00gEng" || ms[1].GroupID != "" {
		t.Fatalf("mappings %+v; want Eng's group id kept", ms)
	}
	// Filling sets only the ids not known yet.
	if err := s.SetMappingGroupIDs(ctx, map[string]string{"Eng": "00gOther", "Ops": "00gOps", "Gone": "00gGone"}, false); err != nil {
		t.Fatal(err)
	}
	ms, _ = s.Mappings(ctx)
	if ms[0].GroupID != "00gEng" || ms[1].GroupID != "00gOps" {
		t.Fatalf("after filling: %+v; want Eng kept and Ops filled", ms)
	}
	// Replacing sets the given ids.
	if err := s.SetMappingGroupIDs(ctx, map[string]string{"Eng": "00gNew"}, true); err != nil {
		t.Fatal(err)
	}
	ms, _ = s.Mappings(ctx)
	if ms[0].GroupID != "00gNew" || ms[1].GroupID != "00gOps" || !slices.Equal(ms[0].Roles, []string{"Administrator"}) {
		t.Fatalf("after replacing: %+v", ms)
	}
}

func TestGroupMembersSeen(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	got, err := s.GroupMembers(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("GroupMembers of a new store = %v, %v; want none", got, err)
	}
	want := map[string]int{"Eng": 3, "Ops": 0}
	if err := s.SetGroupMembers(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.GroupMembers(ctx); err != nil || !maps.Equal(got, want) {
		t.Fatalf("GroupMembers = %v, %v; want %v", got, err, want)
	}
}
