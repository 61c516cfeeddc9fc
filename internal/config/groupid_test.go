package config

import (
	"reflect"
	"strings"
	"testing"
)

const engID = "00g1abcdefghijklmnop"

// A mapping's Okta group id goes through YAML unchanged (the store: see package app).
func TestMappingGroupIDRoundTrips(t *testing.T) {
	cfg := valid()
	cfg.Mappings[0].GroupID = engID
	doc, err := cfg.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "group_id: "+engID) {
		t.Fatalf("the export does not hold the group id:\n%s", doc)
	}
	back, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Fatalf("Parse(Marshal) = %+v\nwant %+v", back, cfg)
	}

}
