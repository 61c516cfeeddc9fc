package config

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

const engID = "00g1abcdefghijklmnop"

// A mapping's Okta group id goes through YAML and the store unchanged.
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

	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Save(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	got, _, err := FromStore(ctx, st)
	if err != nil || !reflect.DeepEqual(got, cfg) {
		t.Fatalf("FromStore = %+v, %v\nwant %+v", got, err, cfg)
	}
	// Saving the mapping again without its id (an older export, a form
	// that only knows names) keeps the id known for that group.
	cfg.Mappings[0].GroupID = ""
	if err := Save(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := FromStore(ctx, st); got.Mappings[0].GroupID != engID {
		t.Fatalf("after saving without the id, the mapping is %+v; want the known id kept", got.Mappings[0])
	}
}
