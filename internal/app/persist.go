package app

import (
	"cmp"
	"context"
	"fmt"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/store"
)

// SettingKey is the store setting that holds the configuration document
// (everything but the mappings, which have a table of their own).
const SettingKey = "config"

// ConfigFromStore reads the configuration saved in the store; ok is false when
// none was saved yet.
func ConfigFromStore(ctx context.Context, st *store.Store) (cfg config.Config, ok bool, err error) {
	doc, ok, err := st.Setting(ctx, SettingKey)
	if err != nil || !ok {
		return config.Config{}, false, err
	}
	cfg, err = config.Parse([]byte(doc))
	if err != nil {
		return config.Config{}, false, fmt.Errorf("saved configuration: %w", err)
	}
	ms, err := st.Mappings(ctx)
	if err != nil {
		return config.Config{}, false, err
	}
	cfg.Mappings = nil
	for _, m := range ms {
		cfg.Mappings = append(cfg.Mappings, config.Mapping{Group: m.Group, Roles: m.Roles, GroupID: m.GroupID})
	}
	return cfg, true, nil
}

// SaveConfig stores cfg: the document in the settings and the mappings in the
// mappings table, in one transaction. It does not validate, since the
// wizard saves work in progress too, but it refuses a private key pasted
// into a public key field, so that no secret reaches the store. A mapping
// without a group id keeps the id the store knows for its group.
func SaveConfig(ctx context.Context, st *store.Store, cfg config.Config) error {
	if err := cfg.PrivateKeyProblem(); err != nil {
		return fmt.Errorf("save configuration: %w", err)
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
