package app

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/store"
)

func TestSaveAndFromStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, err := ConfigFromStore(ctx, st); ok || err != nil {
		t.Fatalf("FromStore before Save = %v, %v; want not found", ok, err)
	}
	cfg := valid()
	cfg.Mappings = append(cfg.Mappings, config.Mapping{Group: "00g2", Roles: []string{"Auditor"}})
	cfg.Safety.ProtectedAccounts = []string{"breakglass@example.com"}
	if err := SaveConfig(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ConfigFromStore(ctx, st)
	if err != nil || !ok {
		t.Fatalf("FromStore = %v, %v", ok, err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Fatalf("FromStore = %+v\nwant %+v", got, cfg)
	}
	ms, err := st.Mappings(ctx)
	if err != nil || len(ms) != 2 || ms[1].Group != "00g2" {
		t.Fatalf("mappings table = %+v, %v", ms, err)
	}
	doc, _, _ := st.Setting(ctx, SettingKey)
	if strings.Contains(doc, "Engineering") {
		t.Fatalf("the settings document repeats the mappings:\n%s", doc)
	}

	cfg.Mappings = cfg.Mappings[1:]
	cfg.Okta.Auth = config.AuthAPIToken
	if err := SaveConfig(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := ConfigFromStore(ctx, st); !reflect.DeepEqual(got, cfg) {
		t.Fatalf("after second Save = %+v\nwant %+v", got, cfg)
	}
}

func TestFromStoreReportsCorruptDocument(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSetting(ctx, SettingKey, "okta: [\n"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ConfigFromStore(ctx, st); err == nil || !strings.Contains(err.Error(), "saved configuration") {
		t.Fatalf("FromStore = %v; want an error about the saved configuration", err)
	}
}

func TestSaveRefusesPrivateKey(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const secret = "c2VjcmV0LXNjYWxhcg"
	cfg := valid()
	cfg.Okta.DPoPPublicKey = `{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"` + secret + `"}`
	err = SaveConfig(ctx, st, cfg)
	if err == nil || !strings.Contains(err.Error(), "private key") || strings.Contains(err.Error(), secret) {
		t.Fatalf("Save = %v; want a refusal that does not repeat the key", err)
	}
	if _, ok, _ := ConfigFromStore(ctx, st); ok {
		t.Fatal("the configuration was saved")
	}
}

// valid is a configuration that validates.
func valid() config.Config {
	c := config.Default()
	c.Okta.Domain = "https://example.okta.com"
	c.Okta.ClientID = "0oa1abcdef"
	c.Mappings = []config.Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}}
	return c
}

// A mapping's Okta group id goes through the store unchanged.
func TestMappingGroupIDRoundTripsThroughTheStore(t *testing.T) {
	const engID = "00g1abcdefghijklmnop"
	cfg := valid()
	cfg.Mappings[0].GroupID = engID
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := SaveConfig(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	got, _, err := ConfigFromStore(ctx, st)
	if err != nil || !reflect.DeepEqual(got, cfg) {
		t.Fatalf("FromStore = %+v, %v\nwant %+v", got, err, cfg)
	}
	// Saving the mapping again without its id (an older export, a form
	// that only knows names) keeps the id known for that group.
	cfg.Mappings[0].GroupID = ""
	if err := SaveConfig(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := ConfigFromStore(ctx, st); got.Mappings[0].GroupID != engID {
		t.Fatalf("after saving without the id, the mapping is %+v; want the known id kept", got.Mappings[0])
	}
}
