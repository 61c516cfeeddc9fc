package config

import (
	"cmp"
	"context"
	"fmt"

	"github.com/rolesync/rolesync/internal/store"
)

// SettingKey is the store setting that holds the configuration document
// (everything but the mappings, which have a table of their own).
const SettingKey = "config"

// FromStore reads the configuration saved in the store; ok is false when
// none was saved yet.
func FromStore(ctx context.Context, st *store.Store) (cfg Config, ok bool, err error) {
	doc, ok, err := st.Setting(ctx, SettingKey)
	if err != nil || !ok {
		return Config{}, false, err
	}
	cfg, err = Parse([]byte(doc))
	if err != nil {
		return Config{}, false, fmt.Errorf("saved configuration: %w", err)
	}
	ms, err := st.Mappings(ctx)
	if err != nil {
		return Config{}, false, err
	}
	cfg.Mappings = nil
	for _, m := range ms {
		cfg.Mappings = append(cfg.Mappings, Mapping{Group: m.Group, Roles: m.Roles, GroupID: m.GroupID})
	}
	return cfg, true, nil
}

// Save stores cfg: the document in the settings and the mappings in the
// mappings table, in one transaction. It does not validate, since the
// wizard saves work in progress too, but it refuses a private key pasted
// into a public key field, so that no secret reaches the store. A mapping
// without a group id keeps the id the store knows for its group.
func Save(ctx context.Context, st *store.Store, cfg Config) error {
	var v validator
	v.publicKey("okta.public_key", cfg.Okta.PublicKey, "client")
	v.publicKey("okta.dpop_public_key", cfg.Okta.DPoPPublicKey, "dpop")
	for _, fe := range v.errs {
		if fe.Problem == "holds a private key" {
			return fmt.Errorf("save configuration: %w", fe)
		}
	}
	known := map[string]string{}
	if old, err := st.Mappings(ctx); err == nil {
		for _, m := range old {
			known[m.Group] = m.GroupID
		}
	}
	ms := make([]store.Mapping, len(cfg.Mappings))
	for i, m := range cfg.Mappings {
		ms[i] = store.Mapping{Group: m.Group, Roles: m.Roles, GroupID: cmp.Or(m.GroupID, known[m.Group])}
	}
	cfg.Mappings = nil
	doc, err := cfg.Marshal()
	if err != nil {
		return err
	}
	if err := st.SetSettingAndMappings(ctx, SettingKey, string(doc), ms); err != nil {
		return fmt.Errorf("save configuration: %w", err)
	}
	return nil
}
