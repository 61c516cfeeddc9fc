package config

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

func TestSaveAndFromStore(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rolesync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, err := FromStore(ctx, st); ok || err != nil {
		t.Fatalf("FromStore before Save = %v, %v; want not found", ok, err)
	}
	cfg := valid()
	cfg.Mappings = append(cfg.Mappings, Mapping{Group: "00g2", Roles: []string{"Auditor"}})
	cfg.Safety.ProtectedAccounts = []string{"breakglass@example.com"}
	if err := Save(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	got, ok, err := FromStore(ctx, st)
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
	cfg.Okta.Auth = AuthAPIToken
	if err := Save(ctx, st, cfg); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := FromStore(ctx, st); !reflect.DeepEqual(got, cfg) {
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
	if _, _, err := FromStore(ctx, st); err == nil || !strings.Contains(err.Error(), "saved configuration") {
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
	err = Save(ctx, st, cfg)
	if err == nil || !strings.Contains(err.Error(), "private key") || strings.Contains(err.Error(), secret) {
		t.Fatalf("Save = %v; want a refusal that does not repeat the key", err)
	}
	if _, ok, _ := FromStore(ctx, st); ok {
		t.Fatal("the configuration was saved")
	}
}
